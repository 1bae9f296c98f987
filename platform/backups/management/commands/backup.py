"""`backup create|list|verify|restore|drop-kept`: one province's backups from the server's
command line, through the same services as the operator API and console (ADR 0020).

Each subcommand prints what it did and exits non-zero with the reason when it failed; an
unknown province, backup or restore, or a schema name PostgreSQL would not take, is refused
before anything is stored."""

from __future__ import annotations

import json
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from backups.models import Backup, Restore, Verification
from backups.selectors import backup_get, backup_list, restore_get
from backups.services import (
    BackupError,
    backup_create,
    backup_restore,
    backup_verify,
    kept_schema_drop,
)
from tenants.selectors import province_list

SLUG = re.compile(r"^[a-z][a-z0-9]{1,39}$")
# A new schema: a lower-case PostgreSQL identifier (at most 63 bytes), never a system one.
SCHEMA = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
RESERVED_SCHEMAS = frozenset({"public", "information_schema"})
MAX_ID = 2**63 - 1
MAX_LINES = 200  # of one list in a restore's report


def schema_problem(name: str) -> str | None:
    """Why `name` cannot be a new schema, or None (the engine checks again, against the
    database)."""
    if not SCHEMA.match(name):
        return (
            "a schema name is 1 to 63 lower-case letters, digits or underscores, "
            "starting with a letter"
        )
    if name in RESERVED_SCHEMAS or name.startswith("pg_"):
        return f"'{name}' is reserved by PostgreSQL or the platform"
    return None


def _record_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 0 < value <= MAX_ID:
        raise CommandError(f"'{text}' is not an id (a positive whole number)")
    return value


def _size(size: int | None) -> str:
    if size is None:
        return "-"
    amount = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if amount < 1024 or unit == "GB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{size} B"  # pragma: no cover


def _seconds(backup_or_restore) -> str:
    started = getattr(backup_or_restore, "started_at", None)
    finished = getattr(backup_or_restore, "finished_at", None)
    if not (started and finished):
        return "-"
    return f"{(finished - started).total_seconds():.1f} s"


def _row(backup: Backup) -> dict:
    return {
        "id": backup.pk,
        "province": backup.province_slug,
        # Vietnam time with its offset, as the console shows it.
        "created": timezone.localtime(backup.created_at).isoformat(timespec="seconds"),
        "size": backup.size_bytes,
        "storage": backup.storage,
        "key": backup.storage_key,
        "verified": backup.verification,
        "status": backup.status,
    }


class Command(BaseCommand):
    help = (
        "Back up, list, verify and restore one province's data and files. "
        "`backup create SLUG` (then verified), `backup list [SLUG] [--json]`, "
        "`backup verify ID`, `backup restore ID (--into SCHEMA | --in-place) [--dry-run]`, "
        "`backup drop-kept RESTORE_ID` (the schema a restore left: the one an in-place restore "
        "kept, or a copy restored into a new schema)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="back up a province now, then verify the copy")
        create.add_argument("slug", help="the province's slug (e.g. hagiang)")
        listing = sub.add_parser("list", help="the backups, newest first")
        listing.add_argument("slug", nargs="?", help="only this province")
        listing.add_argument("--json", action="store_true", help="a JSON array")
        listing.add_argument("--limit", type=int, default=200, help="at most (1-1000)")
        verify = sub.add_parser(
            "verify", help="restore a backup into a scratch database and compare"
        )
        verify.add_argument("id")
        restore = sub.add_parser("restore", help="restore a backup")
        restore.add_argument("id")
        where = restore.add_mutually_exclusive_group(required=True)
        where.add_argument("--into", metavar="SCHEMA", help="into a new schema, for inspection")
        where.add_argument(
            "--in-place",
            action="store_true",
            help="over the province's schema and files (the current ones are kept aside)",
        )
        restore.add_argument(
            "--dry-run", action="store_true", help="change nothing; print what would change"
        )
        drop = sub.add_parser(
            "drop-kept",
            help="drop the schema and files a restore left (replaced, or copied for inspection)",
        )
        drop.add_argument("restore_id")

    def handle(self, *args, **options):
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"_{action}")(options)
        except BackupError as error:
            raise CommandError(f"{error.code}: {error.message}") from error

    # --- subcommands -------------------------------------------------------------------

    def _create(self, options) -> None:
        province = self._province(options["slug"])
        progress = self._progress()
        self.stdout.write(f"backing up {province.slug} (schema {province.schema_name})")
        backup = backup_create(province=province, kind=Backup.Kind.MANUAL, progress=progress)
        self.stdout.write(
            f"backup {backup.pk}: {_size(backup.size_bytes)} in {_seconds(backup)}, "
            f"stored as {backup.storage_key} ({backup.storage})"
        )
        # A manual backup is always proven at once.
        self.stdout.write(f"verifying backup {backup.pk}")
        verification = backup_verify(backup=backup, progress=progress)
        self._verification(verification)

    def _list(self, options) -> None:
        slug = options["slug"]
        if slug is not None and not SLUG.match(slug):
            raise CommandError(f"unknown province '{slug}'")
        limit = options["limit"]
        if not 1 <= limit <= 1000:
            raise CommandError("--limit is between 1 and 1000")
        rows = [_row(b) for b in backup_list(province_slug=slug, limit=limit)]
        # The records of a province offboarded stay listable; a slug nobody knows is refused.
        if slug is not None and not rows:
            self._province(slug)
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("no backups" + (f" of {slug}" if slug else ""))
            return
        header = ("id", "province", "created", "size", "path or object key", "verified", "status")
        table = [
            (
                str(r["id"]),
                r["province"],
                r["created"].replace("T", " "),
                _size(r["size"]),
                r["key"] or "-",
                r["verified"],
                r["status"],
            )
            for r in rows
        ]
        widths = [max(len(line[i]) for line in (header, *table)) for i in range(len(header))]
        for line in (header, *table):
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
            )

    def _verify(self, options) -> None:
        backup = backup_get(_record_id(options["id"]))
        self.stdout.write(f"verifying backup {backup.pk} of {backup.province_slug}")
        self._verification(backup_verify(backup=backup, progress=self._progress()))

    def _restore(self, options) -> None:
        backup = backup_get(_record_id(options["id"]))
        target = options["into"]
        if target is not None and (problem := schema_problem(target)):
            raise CommandError(f"invalid schema name: {problem}")
        mode = Restore.Mode.IN_PLACE if options["in_place"] else Restore.Mode.INTO
        dry_run = options["dry_run"]
        restore = backup_restore(
            backup=backup,
            mode=mode,
            target_schema=target,
            dry_run=dry_run,
            progress=self._progress(),
        )
        if restore.status == Restore.Status.FAILED:
            raise CommandError(f"restore {restore.pk} failed: {restore.error}")
        where = f"into schema {target}" if target else f"in place ({restore.target_schema})"
        if dry_run:
            self.stdout.write(f"dry run of restoring backup {backup.pk} {where}: nothing changed")
            for line in report_lines(restore.report):
                self.stdout.write(f"  {line}")
            return
        self.stdout.write(f"restore {restore.pk}: backup {backup.pk} restored {where}")
        for line in report_lines(restore.report):
            self.stdout.write(f"  {line}")
        if restore.kept_schema:
            what = "the copy" if target else "the replaced schema"
            self.stdout.write(
                f"{what} is kept as {restore.kept_schema}; drop it when no longer "
                f"needed: python manage.py backup drop-kept {restore.pk}"
            )

    def _drop_kept(self, options) -> None:
        restore_id = _record_id(options["restore_id"])
        try:
            restore = restore_get(restore_id)
        except BackupError as error:
            raise CommandError(f"no restore {restore_id}") from error
        kept = restore.kept_schema
        if not kept:
            raise CommandError(f"restore {restore_id} keeps no schema (none, or already dropped)")
        kept_schema_drop(restore=restore)
        self.stdout.write(f"dropped schema {kept} and its files (kept by restore {restore_id})")

    # --- helpers -----------------------------------------------------------------------

    def _progress(self):
        stages: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            # One line when a stage starts and one when it ends (not one per table or file).
            if stage not in stages or (done == total and stages[stage] != total):
                stages[stage] = done
                self.stderr.write(f"  {stage}: {done}/{total}")

        return progress

    def _province(self, slug: str):
        province = province_list().filter(slug=slug).first() if SLUG.match(slug) else None
        if province is None:
            raise CommandError(f"unknown province '{slug}'")
        return province

    def _verification(self, verification: Verification) -> None:
        summary = verification.summary or {}
        counted = ", ".join(f"{k} {v}" for k, v in summary.items() if isinstance(v, int | float))
        result = "passed" if verification.status == Verification.Status.PASSED else "FAILED"
        self.stdout.write(
            f"verification {verification.pk}: {result}" + (f" ({counted})" if counted else "")
        )
        for problem in verification.problems or []:
            self.stdout.write(f"  - {problem_line(problem)}")
        if verification.status != Verification.Status.PASSED:
            raise CommandError(
                f"backup {verification.backup_id} failed verification: "
                f"{len(verification.problems or [])} problem(s) above"
            )


def problem_line(problem) -> str:
    if not isinstance(problem, dict):
        return str(problem)
    what, name, reason = problem.get("what"), problem.get("name"), problem.get("reason")
    return ": ".join(str(part) for part in (what, name, reason) if part)


def report_lines(report: dict) -> list[str]:
    """A restore's report as lines: tables whose rows change, files added, removed or
    changed, migrations, the kept schema (a restore into a new schema: what it holds)."""
    report = report or {}
    lines: list[str] = []
    tables = report.get("tables")
    if isinstance(tables, list):
        changed = [t for t in tables if isinstance(t, dict) and not t.get("same")]
        lines.append(f"tables that change: {len(changed)} of {len(tables)}")
        lines.extend(
            f"  {t.get('table')}: {_rows(t.get('rows_now'))} rows now, "
            f"{_rows(t.get('rows_in_backup'))} in the backup"
            for t in changed
        )
    elif tables is not None:
        lines.append(
            f"the backup holds {tables} tables, {report.get('rows', 0)} rows, "
            f"{report.get('files', 0)} files"
        )
    for key, label in (
        ("files_added", "files added"),
        ("files_removed", "files removed"),
        ("files_changed", "files changed"),
        ("migrations_to_apply", "migrations to apply after the restore"),
        ("migrations_applied", "migrations applied"),
    ):
        values = report.get(key)
        if values is None:
            continue
        lines.append(f"{label}: {len(values)}")
        lines.extend(f"  {value}" for value in values[:MAX_LINES])
        if len(values) > MAX_LINES:
            lines.append(f"  … and {len(values) - MAX_LINES} more")
    for key, label in (
        ("target_schema", "target schema"),
        ("files_folder", "files folder"),
        ("kept_schema", "the current schema is kept as"),
        ("archive_present", "archive present in storage"),
        ("matches_manifest", "matches its manifest"),
    ):
        if report.get(key) not in (None, ""):
            value = report[key]
            lines.append(
                f"{label}: {'yes' if value is True else 'no' if value is False else value}"
            )
    return lines


def _rows(count) -> str:
    return "no table" if count is None else str(count)
