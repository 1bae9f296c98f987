"""Loading rule profiles: `provinces/profiles/<slug>/<effective-date>.toml`.

The national baseline is versioned like a province: `profiles/_national/<date>.toml`, one file
per national text (Decree 43/2011 from 2011-06-13, Decree 42/2022 from 2022-08-15). A rule a
province takes from it is the one in force AT THE INSTANT BEING COMPUTED (ADR 0009): the profile
in force on a day is the province version in force that day composed with the baseline version
in force that day (before every baseline: the oldest). Values the province's own file sets
never change with the baseline.

A province takes values from the baseline in two ways:
- `extends = "national"`: the baseline is deep-merged under the whole file (tables merge key by
  key, the province's values win, lists replace);
- a deferral, with or without `extends`: a `source` (of a table or a list item) or a
  `field_sources` entry written "national", or "<its own article> → national", takes the
  baseline's value(s) there and the baseline's source, e.g. "QĐ 19/2015 Art. 11 → national"
  becomes "QĐ 19/2015 Art. 11 → Decree 43/2011 Art. 17" in 2020. A list item is matched by
  its `content_type` or `code`; a table takes every field it does not set; a `field_sources`
  entry takes that one field.

A required section may stand for the national list (ADR 0016): an entry with `expand = "national"`
and a source "<its own article> → national" (Hà Giang Art. 5(1): "khoản 1 Điều 10, Điều 11,
Điều 12 Nghị định số 43/2011/NĐ-CP") is replaced, in place, by the baseline's concrete sections
in force, each sourced "<own article> → <the baseline section's article>". A section the
province lists itself wins: a national one with the same code, slug or built-in page is left
out; so is the English section where the province publishes no English version.

The composed data is validated by `provinces.schema.Profile`; every problem is reported as
(field path, reason), e.g. ("governance.workflows.portal.steps[1].role", "unknown workflow
role 'x' ..."). Pure Python: no Django here.

The approved versions of a province may come from a registered version source rather than
the files (ADR 0031: the profile store in the public schema, registered by the tenants app):
`register_version_source(versions, slugs=...)`. When the shipped folder is read, the source's
versions [(effective date, key, TOML text)] answer; where it knows none of a province (None),
the files under profiles/<slug>/ do. The national baseline is always the shipped files.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from provinces.schema import SLUG_PATTERN, Profile

PROFILES_DIR: Path = Path(__file__).resolve().parent / "profiles"
# The folder shipped with the code: the version source (a store of approved versions, ADR
# 0031) answers for it only; a caller reading another folder (a copy, a test's) reads files.
_SHIPPED_DIR: Path = PROFILES_DIR
NATIONAL_FOLDER = "_national"
BASES = {"national": NATIONAL_FOLDER}
# The working days of Vietnamese state agencies: "today" is the date in Vietnam.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

_DATE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BASE_META = "baseline"  # the national file's own description; set on the composed profile
# A source that defers to the national baseline: exactly "national" or "<article> → national".
DEFERRAL = "national"
_ITEM_KEYS = ("content_type", "code")  # how a list item is matched with the baseline's


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


def describe_baseline(profile: Profile) -> str:
    """One line naming the national baseline version a profile was composed with, for the
    commands that explain a profile (`deadline`, `workflow explain`, `profiles show`)."""
    baseline = profile.baseline
    if baseline is None:
        return "national baseline: none (a self-contained profile takes nothing from it)"
    replaces = f"; replaces {', '.join(baseline.replaces)}" if baseline.replaces else ""
    return f"national baseline: {baseline.name}, in force from {baseline.effective_from}{replaces}"


def baseline_versions(*, base_dir: Path | None = None) -> list[tuple[date, Path]]:
    """The national baseline files, oldest first: [(effective date, path)]."""
    return _base_versions((base_dir or PROFILES_DIR) / NATIONAL_FOLDER)


def _base_for(name: Any, on: Any, *, base_dir: Path) -> Path:
    if not isinstance(name, str) or name not in BASES:
        raise ProfileError(
            [("extends", f"unknown base profile {name!r}; known: {', '.join(sorted(BASES))}")]
        )
    path = _in_force_file(base_dir / BASES[name], on)
    if path is None:
        raise ProfileError([("extends", f"no '{name}' baseline in {base_dir / BASES[name]}")])
    return path


def _in_force_file(folder: Path, on: Any) -> Path | None:
    """The baseline file of `folder` in force on `on`; None when the folder holds none."""
    versions = _base_versions(folder)
    if not versions:
        return None
    in_force = [path for effective, path in versions if isinstance(on, date) and effective <= on]
    # An instant (or a province text) older than every baseline gets the oldest baseline.
    return in_force[-1] if in_force else versions[0][1]


def _defers(source: Any) -> bool:
    return isinstance(source, str) and (
        source.strip() == DEFERRAL or source.rstrip().endswith(f"→ {DEFERRAL}")
    )


def _deferred_source(own: str, baseline: Any) -> Any:
    """ "QĐ 19/2015 Art. 11 → national" + "Decree 43/2011 Art. 17" →
    "QĐ 19/2015 Art. 11 → Decree 43/2011 Art. 17"; "national" alone → the baseline's source."""
    own = own.strip()
    if own == DEFERRAL or not isinstance(baseline, str):
        return baseline
    return f"{own.removesuffix(DEFERRAL).rstrip()} {baseline}"


_EXPAND = "expand"  # a required section that stands for the baseline's (ADR 0016)
_SECTIONS = "required_sections"


def _section_keys(section: dict[str, Any]) -> set[tuple[str, Any]]:
    """What makes two sections the same: their code, their address, the built-in page shown."""
    content = section.get("content")
    builtin = content.get("builtin") if isinstance(content, dict) else None
    keys = {("code", section.get("code")), ("slug", section.get("slug")), ("builtin", builtin)}
    return {(name, value) for name, value in keys if value is not None}


def _expand_sections(
    own: Any, base: Any, *, english: bool, version: str
) -> tuple[Any, list[tuple[str, str]]]:
    """The province's required sections with each composite entry (`expand = "national"`)
    replaced by the baseline's concrete sections (see the module's docstring); problems as
    (path, reason)."""
    if not isinstance(own, list) or not any(
        isinstance(item, dict) and _EXPAND in item for item in own
    ):
        return own, []
    problems: list[tuple[str, str]] = []
    taken = {
        key
        for item in own
        if isinstance(item, dict) and _EXPAND not in item
        for key in _section_keys(item)
    }
    expanded: list[Any] = []
    for index, item in enumerate(own):
        if not isinstance(item, dict) or _EXPAND not in item:
            expanded.append(item)
            continue
        where = f"{_SECTIONS}[{index}]"
        if item[_EXPAND] != DEFERRAL:
            problems.append((f"{where}.{_EXPAND}", f"only '{DEFERRAL}' can be expanded"))
            continue
        if not _defers(item.get("source")):
            problems.append(
                (f"{where}.source", f"write the province's article as '<article> → {DEFERRAL}'")
            )
            continue
        if not isinstance(base, list) or not base:
            problems.append(
                (where, f"expands to the national sections, but the baseline of {version} has none")
            )
            continue
        for section in base:
            if not isinstance(section, dict):
                continue
            content = section.get("content") or {}
            if not english and content.get("builtin") == "english":
                continue  # Decree 42/2022 Art. 7's English pages: only where English is offered
            if _section_keys(section) & taken:
                continue
            expanded.append(
                {**section, "source": _deferred_source(item["source"], section.get("source"))}
            )
    return expanded, problems


def _uses_baseline(data: Any) -> bool:
    if isinstance(data, dict):
        if "extends" in data or _defers(data.get("source")):
            return True
        sources = data.get("field_sources")
        if isinstance(sources, dict) and any(_defers(value) for value in sources.values()):
            return True
        return any(_uses_baseline(value) for value in data.values())
    if isinstance(data, list):
        return any(_uses_baseline(item) for item in data)
    return False


def _item_key(item: dict[str, Any]) -> tuple[str, Any] | None:
    return next(((key, item[key]) for key in _ITEM_KEYS if key in item), None)


class _Deferrals:
    """Resolves the deferrals of a province's data against one baseline version; collects a
    problem for each deferral the baseline cannot answer."""

    def __init__(self, base_path: Path):
        self.version = base_path.stem
        self.problems: list[tuple[str, str]] = []

    def _missing(self, path: str, what: str) -> None:
        self.problems.append(
            (
                path,
                f"defers to the national baseline, but the baseline of {self.version} has {what}",
            )
        )

    def value(self, own: Any, base: Any, path: str) -> Any:
        if isinstance(own, dict):
            return self.table(own, base if isinstance(base, dict) else None, path)
        if isinstance(own, list):
            return self.items(own, base if isinstance(base, list) else [], path)
        return own

    def table(self, own: dict[str, Any], base: dict[str, Any] | None, path: str) -> dict[str, Any]:
        result = dict(own)
        if _defers(own.get("source")):
            if base is None:
                self._missing(f"{path}.source", f"no table '{path}'")
            else:
                # The table takes every field it does not set from the baseline's.
                result = deep_merge(base, own)
                result["source"] = _deferred_source(own["source"], base.get("source"))
        own_sources = own.get("field_sources")
        if isinstance(own_sources, dict) and any(map(_defers, own_sources.values())):
            base_table = base or {}
            base_sources = base_table.get("field_sources")
            base_sources = base_sources if isinstance(base_sources, dict) else {}
            sources = dict(result.get("field_sources") or {})
            for name, source in own_sources.items():
                if not _defers(source):
                    continue
                if name not in base_table:
                    self._missing(f"{path}.field_sources.{name}", f"no field '{path}.{name}'")
                    continue
                result.setdefault(name, base_table[name])
                sources[name] = _deferred_source(
                    source, base_sources.get(name, base_table.get("source"))
                )
            result["field_sources"] = sources
        for key, value in own.items():
            if key in ("source", "field_sources"):
                continue
            done = self.value(value, (base or {}).get(key), f"{path}.{key}")
            merged = result.get(key)
            result[key] = (
                deep_merge(merged, done)
                if isinstance(merged, dict) and isinstance(done, dict)
                else done
            )
        return result

    def items(self, own: list[Any], base: list[Any], path: str) -> list[Any]:
        base_items = {
            _item_key(item): item for item in base if isinstance(item, dict) and _item_key(item)
        }
        result = []
        for index, item in enumerate(own):
            where = f"{path}[{index}]"
            if not (isinstance(item, dict) and _defers(item.get("source"))):
                result.append(self.value(item, None, where))
                continue
            key = _item_key(item)
            base_item = base_items.get(key) if key else None
            if key is None or base_item is None:
                named = f"{key[0]} '{key[1]}'" if key else "an item without content_type or code"
                self._missing(where, f"no {path} item with {named}")
                result.append(item)
                continue
            # The item takes every field it does not set from the baseline's item.
            merged = deep_merge(base_item, item)
            merged["source"] = _deferred_source(item["source"], base_item.get("source"))
            result.append(merged)
        return result


def _compose(data: dict[str, Any], *, on: date | None, base_dir: Path) -> dict[str, Any]:
    """A province's data with the baseline in force on `on` (default: the province's effective
    date) merged under it (`extends`) and its deferrals resolved."""
    own = dict(data)
    if _BASE_META in own:
        raise ProfileError(
            [
                (
                    _BASE_META,
                    "set from profiles/_national by the loader; a province does not write it",
                )
            ]
        )
    if not _uses_baseline(own):
        return own
    name = own.pop("extends", None)
    if on is None:
        province = own.get("province")
        on = province.get("effective_from") if isinstance(province, dict) else None
    base_path = _base_for(DEFERRAL if name is None else name, on, base_dir=base_dir)
    base = _read_toml(base_path)
    meta = base.pop(_BASE_META, None)
    if "extends" in base:
        raise ProfileError([("extends", f"{base_path} may not extend another profile")])
    if not isinstance(meta, dict) or meta.get("effective_from") != date.fromisoformat(
        base_path.stem
    ):
        raise ProfileError(
            [(_BASE_META, f"{base_path} needs [baseline] with effective_from = {base_path.stem}")]
        )
    language = own.get("language")
    english = isinstance(language, dict) and language.get("english") is True
    own[_SECTIONS], expansion_problems = _expand_sections(
        own.get(_SECTIONS), base.get(_SECTIONS), english=english, version=base_path.stem
    )
    if own[_SECTIONS] is None:
        del own[_SECTIONS]
    deferrals = _Deferrals(base_path)
    own = {key: deferrals.value(value, base.get(key), key) for key, value in own.items()}
    if expansion_problems or deferrals.problems:
        raise ProfileError(expansion_problems + deferrals.problems)
    composed = deep_merge(base, own) if name is not None else own
    composed[_BASE_META] = meta
    return composed


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
    text: str, *, name: str = "profile.toml", base_dir: Path | None = None, on: date | None = None
) -> Profile:
    """A profile from TOML text (e.g. an operator's upload), composed with the baseline in
    force on `on` (default: the province's effective date)."""
    base_dir = base_dir or PROFILES_DIR
    data = _parse_toml(text, path=Path(name))
    try:
        data = _compose(data, on=on, base_dir=base_dir)
    except ProfileError as error:
        raise ProfileError(error.errors, path=name) from None
    return profile_from_data(data, path=name)


def _file_signature(path: Path | None) -> tuple[Any, ...]:
    if path is None:
        return ()
    try:
        stat = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=512)
def _own_effective_from(path: Path, signature: tuple[Any, ...]) -> date | None:
    """The province's effective date as its file states it (None if unreadable: the
    composition then reports why)."""
    try:
        province = _read_toml(path).get("province")
    except ProfileError:
        return None
    effective = province.get("effective_from") if isinstance(province, dict) else None
    return effective if isinstance(effective, date) else None


@functools.lru_cache(maxsize=256)
def _composed(
    path: Path,
    signature: tuple[Any, ...],
    baseline: Path | None,
    baseline_signature: tuple[Any, ...],
    base_dir: Path,
) -> Profile:
    """One province version composed with one baseline version: cached per (province version,
    baseline version), each keyed with its file's signature so an edited file is re-read."""
    data = _read_toml(path)
    try:
        # The baseline chosen by the caller is the one in force at its instant; `on` names it.
        on = date.fromisoformat(baseline.stem) if baseline is not None else None
        data = _compose(data, on=on, base_dir=base_dir)
    except ProfileError as error:
        raise ProfileError(error.errors, path=path) from None
    return profile_from_data(data, path=path)


def load_profile(
    path: str | Path, *, base_dir: Path | None = None, on: date | None = None
) -> Profile:
    """Load and validate one profile file, composed with the national baseline in force on
    `on` (default: the province's own effective date); raises ProfileError with every problem
    found."""
    path = Path(path).resolve()
    base_dir = (Path(base_dir) if base_dir is not None else PROFILES_DIR).resolve()
    signature = _file_signature(path)
    if on is None:
        on = _own_effective_from(path, signature)
    # None without a baseline folder: a self-contained profile still loads.
    baseline = _in_force_file(base_dir / NATIONAL_FOLDER, on)
    return _composed(path, signature, baseline, _file_signature(baseline), base_dir)


# --- a source of approved versions (ADR 0031) ----------------------------------------------------
# A version: (effective date, key, TOML text). The key names the text (e.g. a store row's id
# and sha256): composed profiles are cached per (key, baseline file and its signature).
StoredVersion = tuple[date, str, str]
VersionSource = Callable[[str], "list[StoredVersion] | None"]
SlugSource = Callable[[], "list[str]"]

_sources: dict[str, Any] = {"versions": None, "slugs": None}


def register_version_source(
    versions: VersionSource | None, *, slugs: SlugSource | None = None
) -> None:
    """Where the approved versions of a province come from when the shipped folder is read:
    `versions(slug)` returns them, or None when the source knows no version of the slug (the
    files under profiles/<slug>/ are read then). `slugs()` names the provinces it knows. None
    unregisters (files only)."""
    _sources["versions"] = versions
    _sources["slugs"] = slugs if versions is not None else None


def _stored_versions(slug: str, base_dir: Path) -> list[StoredVersion] | None:
    source = _sources["versions"]
    if source is None or (base_dir != _SHIPPED_DIR and base_dir.resolve() != _SHIPPED_DIR):
        return None
    versions = source(slug)
    return sorted(versions, key=lambda version: version[0]) if versions else None


@functools.lru_cache(maxsize=256)
def _composed_text(
    key: str,
    text: str,
    baseline: Path | None,
    baseline_signature: tuple[Any, ...],
    base_dir: Path,
) -> Profile:
    """A stored version composed with one baseline version, cached like `_composed`."""
    name = f"stored version {key}"
    data = _parse_toml(text, path=Path(name))
    try:
        on = date.fromisoformat(baseline.stem) if baseline is not None else None
        data = _compose(data, on=on, base_dir=base_dir)
    except ProfileError as error:
        raise ProfileError(error.errors, path=name) from None
    return profile_from_data(data, path=name)


def stored_profile(
    version: StoredVersion, *, slug: str, on: date | None = None, base_dir: Path | None = None
) -> Profile:
    """One stored version composed with the national baseline in force on `on` (default: its
    own effective date); refused when its text names another province or date."""
    effective, key, text = version
    base_dir = base_dir or PROFILES_DIR
    baseline = _in_force_file(base_dir / NATIONAL_FOLDER, on or effective)
    profile = _composed_text(key, text, baseline, _file_signature(baseline), base_dir)
    if profile.province.slug != slug or profile.effective_from != effective:
        raise ProfileError(
            [
                (
                    "province",
                    f"stored version {key} is '{profile.province.slug}' from "
                    f"{profile.effective_from}, filed as '{slug}' from {effective}",
                )
            ],
            path=f"stored version {key}",
        )
    return profile


# --- the shipped profiles and their versions ---------------------------------------------------


def shipped_profile_paths(*, base_dir: Path | None = None) -> list[Path]:
    """Every province version file (the national baseline excluded), sorted."""
    base_dir = base_dir or PROFILES_DIR
    return sorted(
        path for path in base_dir.glob("*/*.toml") if not path.parent.name.startswith("_")
    )


def known_slugs(*, base_dir: Path | None = None) -> list[str]:
    """The provinces with a shipped file, and those the version source knows."""
    base_dir = base_dir or PROFILES_DIR
    slugs = {path.parent.name for path in shipped_profile_paths(base_dir=base_dir)}
    stored = _sources["slugs"]
    if stored is not None and base_dir == _SHIPPED_DIR:
        slugs.update(stored())
    return sorted(slugs)


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


def _version_paths(slug: str, base_dir: Path) -> list[tuple[Profile, Path]]:
    _check_slug(slug)
    versions = []
    for path in sorted((base_dir / slug).glob("*.toml")):
        profile = load_profile(path, base_dir=base_dir)
        if problems := location_problems(path, profile, base_dir=base_dir):
            raise ProfileError(problems, path=path)
        versions.append((profile, path))
    return sorted(versions, key=lambda version: version[0].effective_from)


def profile_versions(slug: str, *, base_dir: Path | None = None) -> list[Profile]:
    """Every version of a province's profile, oldest first (empty for an unknown slug), each
    composed with the baseline in force on its own effective date: the version source's when
    it knows the province, else the files."""
    base_dir = base_dir or PROFILES_DIR
    _check_slug(slug)
    stored = _stored_versions(slug, base_dir)
    if stored is not None:
        return [stored_profile(version, slug=slug, base_dir=base_dir) for version in stored]
    return [profile for profile, _ in _version_paths(slug, base_dir)]


def shipped_version(profile: Profile, *, base_dir: Path | None = None) -> Profile | None:
    """The shipped file of `profile`'s province and version, composed with the same national
    baseline version as `profile` (None when that version is not shipped)."""
    base_dir = base_dir or PROFILES_DIR
    for version, path in _version_paths(profile.province.slug, base_dir):
        if version.effective_from == profile.effective_from:
            on = profile.baseline.effective_from if profile.baseline is not None else None
            return load_profile(path, base_dir=base_dir, on=on)
    return None


def profile_in_force(slug: str, on: date, *, base_dir: Path | None = None) -> Profile:
    """The profile in force on `on`: the province's latest version whose effective_from is on or
    before `on`, composed with the national baseline in force on `on` (ADR 0009). Every module
    reads the rules of an instant through this function."""
    base_dir = base_dir or PROFILES_DIR
    _check_slug(slug)
    stored = _stored_versions(slug, base_dir)
    if stored is not None:
        # The store's approved versions (ADR 0031); never empty here.
        current = [version for version in stored if version[0] <= on]
        if not current:
            raise ProfileError(
                [
                    (
                        "province.effective_from",
                        f"no version of '{slug}' in force on {on} "
                        f"(earliest takes effect {stored[0][0]})",
                    )
                ]
            )
        return stored_profile(current[-1], slug=slug, on=on, base_dir=base_dir)
    versions = _version_paths(slug, base_dir)
    if not versions:
        known = ", ".join(known_slugs(base_dir=base_dir)) or "none"
        raise ProfileError([("province.slug", f"no profile for '{slug}' (known: {known})")])
    in_force = [path for profile, path in versions if profile.effective_from <= on]
    if not in_force:
        raise ProfileError(
            [
                (
                    "province.effective_from",
                    f"no version of '{slug}' in force on {on} "
                    f"(earliest takes effect {versions[0][0].effective_from})",
                )
            ]
        )
    return load_profile(in_force[-1], base_dir=base_dir, on=on)


def resolve_profile(
    slug_or_path: str | Path, on: date | None = None, *, base_dir: Path | None = None
) -> Profile:
    """The profile in force on `on` (default: today in Vietnam). A path (ends with .toml, or
    is a file) is that version, composed with the baseline in force on `on`; otherwise a slug,
    resolved with `profile_in_force`."""
    on = on or today_in_vietnam()
    candidate = Path(slug_or_path)
    if str(slug_or_path).endswith(".toml") or candidate.is_file():
        return load_profile(candidate, base_dir=base_dir, on=on)
    return profile_in_force(str(slug_or_path), on, base_dir=base_dir)


def _later_baselines(profile: Profile, base_dir: Path) -> list[date]:
    """The baseline versions a version may yet be composed with, after its own date's."""
    if profile.baseline is None:
        return []
    return [
        effective
        for effective, _ in baseline_versions(base_dir=base_dir)
        if effective > profile.baseline.effective_from
    ]


def validate_paths(
    paths: list[Path], *, base_dir: Path | None = None
) -> list[tuple[Path, ProfileError | None]]:
    """Validate each file (its place in the tree too) with the baseline in force on its
    effective date and with every later baseline it can meet; never raises for a bad file."""
    base_dir = base_dir or PROFILES_DIR
    results: list[tuple[Path, ProfileError | None]] = []
    for path in paths:
        path = Path(path)
        try:
            profile = load_profile(path, base_dir=base_dir)
        except ProfileError as error:
            results.append((path, error))
            continue
        problems = location_problems(path, profile, base_dir=base_dir)
        for effective in _later_baselines(profile, base_dir):
            try:
                load_profile(path, base_dir=base_dir, on=effective)
            except ProfileError as error:
                problems += [
                    (field, f"{reason} (with the national baseline of {effective})")
                    for field, reason in error.errors
                ]
        results.append((path, ProfileError(problems, path=path) if problems else None))
    return results
