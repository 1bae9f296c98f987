"""`manage.py profiles validate [PATH ...]`, `manage.py profiles show SLUG [--on DATE]` and
`manage.py profiles awaiting` (the profile fields that wait for a module, ADR 0014)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from provinces.loader import (
    PROFILES_DIR,
    ProfileError,
    describe_baseline,
    profile_in_force,
    profile_versions,
    shipped_profile_paths,
    today_in_vietnam,
    validate_paths,
)
from provinces.profile_fields import awaiting_by_module
from provinces.schema import AWAITED_MODULES


def _shown(path: Path) -> str:
    """A path as the operator would type it: relative to the working directory if inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--on: '{value}' is not a date (YYYY-MM-DD)") from error


class Command(BaseCommand):
    help = "Validate the rule profiles, or show the version of a province's profile in force."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        validate = actions.add_parser(
            "validate", help="validate every shipped profile, or the files given"
        )
        validate.add_argument("paths", nargs="*", help="profile files (default: all shipped)")
        show = actions.add_parser("show", help="the version of a province's profile in force")
        show.add_argument("slug", help="province slug, e.g. thainguyen")
        show.add_argument("--on", help="date (YYYY-MM-DD); default: today in Vietnam")
        actions.add_parser(
            "awaiting",
            help="the profile fields validated today that wait for a module to act on them",
        )

    def handle(self, *args, **options) -> None:
        if options["action"] == "validate":
            self._validate([Path(p) for p in options["paths"]])
        elif options["action"] == "awaiting":
            self._awaiting()
        else:
            self._show(options["slug"], options.get("on"))

    def _validate(self, paths: list[Path]) -> None:
        paths = paths or shipped_profile_paths()
        if not paths:
            raise CommandError("no profile files found")
        results = validate_paths(paths)
        for path, error in results:
            if error is None:
                self.stdout.write(f"ok  {_shown(path)}")
                continue
            self.stdout.write(f"INVALID {_shown(path)}")
            for field, reason in error.errors:
                self.stdout.write(f"    {field or '(file)'}: {reason}")
        invalid = sum(error is not None for _, error in results)
        if invalid:
            raise CommandError(f"{invalid} of {len(results)} profile file(s) invalid")

    def _show(self, slug: str, on_text: str | None) -> None:
        on = _iso_date(on_text) if on_text else today_in_vietnam()
        try:
            profile = profile_in_force(slug, on)
            versions = profile_versions(slug)
        except ProfileError as error:
            raise CommandError(str(error)) from error
        province = profile.province
        self.stdout.write(
            f"{province.name} ({province.slug}) on {on}: {province.instrument}, "
            f"signed {province.signed}, in force from {profile.effective_from} "
            f"({_shown(PROFILES_DIR / province.slug / f'{profile.effective_from}.toml')}, "
            f"profile schema {profile.schema_version})"
        )
        if province.replaces:
            self.stdout.write(f"  replaces {', '.join(province.replaces)}")
        # The baseline in force on that day, under the values the province takes from it.
        self.stdout.write(f"  {describe_baseline(profile)}")
        for version in versions:
            mark = "*" if version.effective_from == profile.effective_from else " "
            self.stdout.write(f"  {mark} {version.effective_from}  {version.province.instrument}")
        # The update deadlines of the version in force, with the profile's note on how each
        # was read from its article (for the operator; staff see the label).
        self.stdout.write("  update deadlines:")
        for sla in profile.update_slas:
            note = f" ({sla.note})" if sla.note else ""
            self.stdout.write(f"    {sla.content_type}: {sla.label}; {sla.source}{note}")

    def _awaiting(self) -> None:
        for module, paths in awaiting_by_module().items():
            self.stdout.write(f"{AWAITED_MODULES[module]} [{module}]")
            for path in paths:
                self.stdout.write(f"    {path}")
