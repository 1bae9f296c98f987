"""`manage.py profiles validate [PATH|version:ID ...]`, `manage.py profiles show SLUG [--on DATE]`,
`manage.py profiles awaiting` (the profile fields that wait for a module, ADR 0014), and the
profile store's review (ADR 0031), each acting as a named operator (`--operator USERNAME`):
`profiles submit PATH [--past-reason TEXT]`, `profiles approve ID`, `profiles reject ID
--reason TEXT`; and `profiles history SLUG`, `profiles export ID [--output FILE]`."""

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
from provinces.management.commands._profile import is_stored_reference, stored_version
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
        validate.add_argument(
            "paths", nargs="*", help="profile files or version:ID (default: all shipped)"
        )
        show = actions.add_parser("show", help="the version of a province's profile in force")
        show.add_argument("slug", help="province slug, e.g. thainguyen")
        show.add_argument("--on", help="date (YYYY-MM-DD); default: today in Vietnam")
        actions.add_parser(
            "awaiting",
            help="the profile fields validated today that wait for a module to act on them",
        )
        submit = actions.add_parser("submit", help="submit a profile file for review")
        submit.add_argument("path", help="the profile .toml file")
        submit.add_argument("--operator", required=True, help="the submitting operator")
        submit.add_argument(
            "--past-reason", default="", help="why an effective date already past applies"
        )
        approve = actions.add_parser("approve", help="approve a submitted version (four eyes)")
        approve.add_argument("id", help="the version's number")
        approve.add_argument("--operator", required=True, help="the reviewing operator")
        reject = actions.add_parser("reject", help="reject a submitted version with a reason")
        reject.add_argument("id", help="the version's number")
        reject.add_argument("--reason", required=True, help="why (1 to 2,000 characters)")
        reject.add_argument("--operator", required=True, help="the reviewing operator")
        history = actions.add_parser("history", help="every stored version of a province")
        history.add_argument("slug", help="province slug, e.g. thainguyen")
        export = actions.add_parser("export", help="a stored version's text, as stored")
        export.add_argument("id", help="the version's number")
        export.add_argument("--output", help="write to this file (default: standard output)")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "validate":
            self._validate(options["paths"])
        elif action == "awaiting":
            self._awaiting()
        elif action in ("submit", "approve", "reject", "history", "export"):
            from tenants.profile_versions import ProfileVersionError

            try:
                getattr(self, f"_{action}")(options)
            except ProfileVersionError as error:
                self._problems(error)
                raise CommandError(str(error.message)) from error
        else:
            self._show(options["slug"], options.get("on"))

    def _problems(self, error) -> None:
        for field, messages in error.field_errors().items():
            for message in messages:
                self.stdout.write(f"  {field}: {message}")

    def _validate(self, references: list[str]) -> None:
        stored = [ref for ref in references if is_stored_reference(ref)]
        paths = [Path(ref) for ref in references if not is_stored_reference(ref)]
        invalid = self._validate_stored(stored)
        if stored and not paths:
            if invalid:
                raise CommandError(f"{invalid} of {len(stored)} stored version(s) invalid")
            return
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
        invalid += sum(error is not None for _, error in results)
        if invalid:
            raise CommandError(f"{invalid} of {len(results) + len(stored)} profile(s) invalid")

    def _validate_stored(self, references: list[str]) -> int:
        """Each stored version validated again as the store checks an upload."""
        from tenants.profile_versions import validation_problems

        invalid = 0
        for reference in references:
            version = stored_version(reference)
            problems = validation_problems(version.text)
            shown = f"{reference} ({version.slug}/{version.effective_from})"
            if not problems:
                self.stdout.write(f"ok  {shown}")
                continue
            invalid += 1
            self.stdout.write(f"INVALID {shown}")
            for field, reason in problems:
                self.stdout.write(f"    {field or '(file)'}: {reason}")
        return invalid

    # --- the profile store (ADR 0031) ---------------------------------------------------------

    def _operator(self, username: str):
        from django_tenants.utils import get_public_schema_name, schema_context

        from accounts.models import User
        from tenants.profile_versions import is_operator

        with schema_context(get_public_schema_name()):
            user = User.objects.filter(username=username).first()
        if not is_operator(user):
            raise CommandError(f"--operator: '{username}' is not an active operator")
        return user

    def _submit(self, options) -> None:
        from tenants.profile_versions import MAX_TEXT_BYTES, validation_problems, version_submit

        operator = self._operator(options["operator"])
        path = Path(options["path"])
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_TEXT_BYTES + 1)
            if len(raw) > MAX_TEXT_BYTES:
                raise CommandError(f"{path}: over {MAX_TEXT_BYTES} bytes (256 KiB): not submitted")
            text = raw.decode("utf-8")
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file: {error}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path}: not UTF-8 text ({error})") from error
        problems = validation_problems(text)
        if problems:
            self.stdout.write(f"INVALID {_shown(path)}")
            for field, reason in problems:
                self.stdout.write(f"  {field or '(file)'}: {reason}")
            raise CommandError(f"{len(problems)} problem(s): nothing submitted")
        version = version_submit(
            text=text, operator=operator, past_reason=options.get("past_reason") or ""
        )
        self.stdout.write(str(version.pk))
        self.stdout.write(
            f"version {version.pk}: {version.slug} from {version.effective_from}, submitted by "
            f"{version.author_name}; {len(version.diff)} change(s):"
        )
        for entry in version.diff:
            if not entry["path"]:  # no version before it
                self.stdout.write(f"  {entry['after']} ({entry['source_after'] or 'no source'})")
                continue
            source = entry["source_after"] or entry["source_before"] or "no source"
            self.stdout.write(
                f"  {entry['path'] or '(profile)'}: {entry['before']!r} -> {entry['after']!r} "
                f"({source})"
            )

    def _approve(self, options) -> None:
        from tenants.profile_versions import version_approve, version_get

        operator = self._operator(options["operator"])
        version = version_approve(version=version_get(options["id"]), operator=operator)
        self.stdout.write(
            f"version {version.pk} approved: {version.slug} from {version.effective_from} "
            f"(submitted by {version.author_name}, approved by {version.reviewer_name})"
        )
        onboarding = getattr(version, "onboarding", None)
        if onboarding is not None:
            self.stdout.write(f"province {version.slug} onboarded: {'; '.join(onboarding.changes)}")
            if onboarding.admin_secret:
                self.stdout.write(
                    f"administrator: {onboarding.admin_username}  "
                    f"one-time secret: {onboarding.admin_secret}"
                )

    def _reject(self, options) -> None:
        from tenants.profile_versions import version_get, version_reject

        operator = self._operator(options["operator"])
        version = version_reject(
            version=version_get(options["id"]), operator=operator, reason=options["reason"]
        )
        self.stdout.write(f"version {version.pk} rejected: {version.decision_reason}")

    def _history(self, options) -> None:
        from tenants.profile_versions import version_history

        versions = list(version_history(options["slug"]))
        if not versions:
            raise CommandError(f"no stored version of '{options['slug']}'")
        self.stdout.write("id\tdate\tstatus\tauthor\treviewer\tdecided")
        for version in versions:
            decided = version.decided_at.isoformat() if version.decided_at else "-"
            self.stdout.write(
                f"{version.pk}\t{version.effective_from}\t{version.status}\t"
                f"{version.author_name or '-'}\t{version.reviewer_name or '-'}\t{decided}"
            )

    def _export(self, options) -> None:
        from tenants.profile_versions import version_export, version_get

        name, text = version_export(version=version_get(options["id"]))
        if not options.get("output"):
            self.stdout.write(text, ending="")
            return
        output = Path(options["output"])
        try:
            output.write_bytes(text.encode("utf-8"))
        except OSError as error:
            raise CommandError(f"--output: cannot write {output}: {error}") from error
        self.stderr.write(f"{name} written to {output}")

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
