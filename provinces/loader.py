"""Loading rule profiles: `provinces/profiles/<slug>/<effective-date>.toml`.

A province file may say `extends = "national"`: it is then deep-merged over the national
baseline (`profiles/_national/<date>.toml`, the version in force on the province's
`effective_from`, else the earliest one): tables merge key by key, the province's values
win, lists replace. The merged data is validated by `provinces.schema.Profile`; every
problem is reported as (field path, reason), e.g.
("governance.workflows.portal.steps[1].role", "unknown workflow role 'x' ...").

Pure Python: no Django here.
"""

from __future__ import annotations

import functools
import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from provinces.schema import SLUG_PATTERN, Profile

PROFILES_DIR: Path = Path(__file__).resolve().parent / "profiles"
NATIONAL_FOLDER = "_national"
BASES = {"national": NATIONAL_FOLDER}
# The working days of Vietnamese state agencies: "today" is the date in Vietnam.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

_DATE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BASE_META = "baseline"  # the national file's own description; never merged into a province


class ProfileError(Exception):
    """A profile that cannot be used. `errors` = [(field path, reason)]; the path is "" for
    the file as a whole (unreadable, not TOML, no version in force)."""

    def __init__(self, errors: list[tuple[str, str]], *, path: str | Path | None = None):
        self.errors = list(errors)
        self.path = Path(path) if path is not None else None
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path) if self.path is not None else "profile"
        lines = [f"{where}: profile refused ({len(self.errors)} problem(s))"]
        lines += [
            f"  {field}: {reason}" if field else f"  {reason}" for field, reason in self.errors
        ]
        return "\n".join(lines)


def today_in_vietnam() -> date:
    return datetime.now(tz=VIETNAM).date()


# --- reading ------------------------------------------------------------------------------


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError([("", "file not found")], path=path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ProfileError([("", f"cannot read the file: {error}")], path=path) from None
    return _parse_toml(text, path=path)


def _parse_toml(text: str, *, path: Path | None) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError([("", f"not valid TOML: {error}")], path=path) from None


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key (override wins); lists and scalars are replaced whole."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _base_versions(folder: Path) -> list[tuple[date, Path]]:
    versions = []
    for path in sorted(folder.glob("*.toml")):
        if _DATE_NAME.match(path.stem):
            versions.append((date.fromisoformat(path.stem), path))
    return versions


def _base_for(name: Any, on: Any, *, base_dir: Path) -> Path:
    if not isinstance(name, str) or name not in BASES:
        raise ProfileError(
            [("extends", f"unknown base profile {name!r}; known: {', '.join(sorted(BASES))}")]
        )
    versions = _base_versions(base_dir / BASES[name])
    if not versions:
        raise ProfileError([("extends", f"no '{name}' baseline in {base_dir / BASES[name]}")])
    if isinstance(on, date):
        in_force = [path for effective, path in versions if effective <= on]
        if in_force:
            return in_force[-1]
    # A province text older than every baseline still gets the platform's oldest baseline.
    return versions[0][1]


def _resolve_extends(data: dict[str, Any], *, base_dir: Path) -> dict[str, Any]:
    if "extends" not in data:
        return data
    own = dict(data)
    name = own.pop("extends")
    province = own.get("province")
    on = province.get("effective_from") if isinstance(province, dict) else None
    base_path = _base_for(name, on, base_dir=base_dir)
    base = _read_toml(base_path)
    base.pop(_BASE_META, None)
    if "extends" in base:
        raise ProfileError([("extends", f"{base_path} may not extend another profile")])
    return deep_merge(base, own)


# --- validation errors → (path, reason) ------------------------------------------------------


def _loc_to_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part == "[key]":
            continue
        else:
            path += f".{part}" if path else str(part)
    return path


def _join(base: str, sub: str) -> str:
    if not sub:
        return base
    if not base or sub.startswith("["):
        return base + sub
    return f"{base}.{sub}"


def errors_from_validation(error: ValidationError) -> list[tuple[str, str]]:
    """pydantic's errors as (field path, reason) pairs, cross-field ones at their own field."""
    pairs: list[tuple[str, str]] = []
    for item in error.errors(include_url=False):
        base = _loc_to_path(tuple(item["loc"]))
        ctx = item.get("ctx") or {}
        if item["type"] == "profile_rule" and "problems" in ctx:
            pairs += [(_join(base, sub), reason) for sub, reason in ctx["problems"]]
            continue
        reason = str(item["msg"]).removeprefix("Value error, ")
        if "[key]" in item["loc"]:
            reason = f"invalid key: {reason}"
        if item["type"] == "extra_forbidden":
            reason = "unknown field (not in the profile schema)"
        pairs.append((base, reason))
    return pairs


def profile_from_data(data: dict[str, Any], *, path: str | Path | None = None) -> Profile:
    """Validate already-merged profile data."""
    try:
        return Profile.model_validate(data)
    except ValidationError as error:
        raise ProfileError(errors_from_validation(error), path=path) from None


def parse_profile(
    text: str, *, name: str = "profile.toml", base_dir: Path | None = None
) -> Profile:
    """A profile from TOML text (e.g. an operator's upload), `extends` resolved."""
    base_dir = base_dir or PROFILES_DIR
    data = _parse_toml(text, path=Path(name))
    try:
        data = _resolve_extends(data, base_dir=base_dir)
    except ProfileError as error:
        raise ProfileError(error.errors, path=name) from None
    return profile_from_data(data, path=name)


@functools.lru_cache(maxsize=256)
def _load_cached(path: Path, signature: tuple[Any, ...], base_dir: Path) -> Profile:
    data = _read_toml(path)
    try:
        data = _resolve_extends(data, base_dir=base_dir)
    except ProfileError as error:
        raise ProfileError(error.errors, path=path) from None
    return profile_from_data(data, path=path)


def _signature(path: Path, base_dir: Path) -> tuple[Any, ...]:
    """What a cached profile depends on: its file and the baseline files."""
    files = [path, *sorted((base_dir / NATIONAL_FOLDER).glob("*.toml"))]
    signature: list[tuple[Any, ...]] = []
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            signature.append((str(file), None))
        else:
            signature.append((str(file), stat.st_mtime_ns, stat.st_size))
    return tuple(signature)


def load_profile(path: str | Path, *, base_dir: Path | None = None) -> Profile:
    """Load and validate one profile file; raises ProfileError with every problem found."""
    path = Path(path)
    base_dir = Path(base_dir) if base_dir is not None else PROFILES_DIR
    resolved = path.resolve()
    return _load_cached(resolved, _signature(resolved, base_dir), base_dir.resolve())


# --- the shipped profiles and their versions ---------------------------------------------------


def shipped_profile_paths(*, base_dir: Path | None = None) -> list[Path]:
    """Every province version file (the national baseline excluded), sorted."""
    base_dir = base_dir or PROFILES_DIR
    return sorted(
        path for path in base_dir.glob("*/*.toml") if not path.parent.name.startswith("_")
    )


def known_slugs(*, base_dir: Path | None = None) -> list[str]:
    return sorted({path.parent.name for path in shipped_profile_paths(base_dir=base_dir)})


def location_problems(
    path: Path, profile: Profile, *, base_dir: Path | None = None
) -> list[tuple[str, str]]:
    """A shipped file must sit at <slug>/<effective_from>.toml."""
    base_dir = (base_dir or PROFILES_DIR).resolve()
    problems = []
    if _DATE_NAME.match(path.stem) and path.stem != profile.effective_from.isoformat():
        problems.append(
            (
                "province.effective_from",
                f"{profile.effective_from} differs from the file name '{path.name}'",
            )
        )
    if path.resolve().parent.parent == base_dir and path.parent.name != profile.province.slug:
        problems.append(
            (
                "province.slug",
                f"'{profile.province.slug}' differs from the folder '{path.parent.name}'",
            )
        )
    return problems


def _check_slug(slug: str) -> None:
    if not re.match(SLUG_PATTERN, slug or ""):
        raise ProfileError([("province.slug", f"'{slug}' is not a province slug")])


def profile_versions(slug: str, *, base_dir: Path | None = None) -> list[Profile]:
    """Every version of a province's profile, oldest first (empty for an unknown slug)."""
    _check_slug(slug)
    base_dir = base_dir or PROFILES_DIR
    versions = []
    for path in sorted((base_dir / slug).glob("*.toml")):
        profile = load_profile(path, base_dir=base_dir)
        if problems := location_problems(path, profile, base_dir=base_dir):
            raise ProfileError(problems, path=path)
        versions.append(profile)
    return sorted(versions, key=lambda profile: profile.effective_from)


def profile_in_force(slug: str, on: date, *, base_dir: Path | None = None) -> Profile:
    """The latest version whose effective_from is on or before `on`."""
    versions = profile_versions(slug, base_dir=base_dir)
    if not versions:
        known = ", ".join(known_slugs(base_dir=base_dir)) or "none"
        raise ProfileError([("province.slug", f"no profile for '{slug}' (known: {known})")])
    in_force = [profile for profile in versions if profile.effective_from <= on]
    if not in_force:
        raise ProfileError(
            [
                (
                    "province.effective_from",
                    f"no version of '{slug}' in force on {on} "
                    f"(earliest takes effect {versions[0].effective_from})",
                )
            ]
        )
    return in_force[-1]


def resolve_profile(
    slug_or_path: str | Path, on: date | None = None, *, base_dir: Path | None = None
) -> Profile:
    """A path (ends with .toml, or is a file) is loaded as such; otherwise a slug, resolved to
    the version in force on `on` (default: today in Vietnam)."""
    candidate = Path(slug_or_path)
    if str(slug_or_path).endswith(".toml") or candidate.is_file():
        return load_profile(candidate, base_dir=base_dir)
    return profile_in_force(str(slug_or_path), on or today_in_vietnam(), base_dir=base_dir)


def validate_paths(
    paths: list[Path], *, base_dir: Path | None = None
) -> list[tuple[Path, ProfileError | None]]:
    """Validate each file (its place in the tree too); never raises for a bad file."""
    results: list[tuple[Path, ProfileError | None]] = []
    for path in paths:
        path = Path(path)
        try:
            profile = load_profile(path, base_dir=base_dir)
        except ProfileError as error:
            results.append((path, error))
            continue
        problems = location_problems(path, profile, base_dir=base_dir)
        results.append((path, ProfileError(problems, path=path) if problems else None))
    return results
