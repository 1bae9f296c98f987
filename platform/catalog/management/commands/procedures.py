"""`procedures import` and `procedures export`: a province's catalogue of procedures to and from
a CSV, JSON or XLSX file (docs/catalogue.md), through the same services as the staff page."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from catalog.importing import FORMATS, MAX_FILE_BYTES
from catalog.services import CatalogError, procedures_export, procedures_import
from core.profiles import current_profile
from tenants.models import Province


class Command(BaseCommand):
    help = (
        "Import or export a province's procedures. `procedures import --province SLUG FILE` "
        "checks every row first and imports nothing when one is bad (each printed as "
        "`line N: <field>: <reason>`, exit status 1) unless --good-rows-only; "
        "`procedures export --province SLUG --format csv|json|xlsx [--output PATH]`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imports = sub.add_parser("import", help="import a CSV, JSON or XLSX file of procedures")
        imports.add_argument("--province", required=True)
        imports.add_argument("file", help="a .csv, .json or .xlsx file")
        imports.add_argument(
            "--good-rows-only",
            action="store_true",
            help="import the good rows and leave the bad ones out (each still printed)",
        )
        imports.add_argument(
            "--actor",
            help="the staff account the import acts as (default: the province's first active "
            "account holding the first step's role of the portal workflow)",
        )
        imports.add_argument("--format", choices=FORMATS, help="default: the file's extension")
        exports = sub.add_parser("export", help="export every procedure of the province")
        exports.add_argument("--province", required=True)
        exports.add_argument("--format", required=True, choices=FORMATS)
        exports.add_argument("--output", help="a file to write (default: standard output)")

    def handle(self, *args, **options):
        province = Province.objects.filter(slug=options["province"], is_template=False).first()
        if province is None or province.schema_name == "public":
            raise CommandError(f"unknown province '{options['province']}'")
        with schema_context(province.schema_name):
            if options["action"] == "export":
                self._export(options)
            else:
                self._import(options)

    def _export(self, options) -> None:
        try:
            data, _content_type, _name = procedures_export(format=options["format"])
        except CatalogError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        if options["output"]:
            Path(options["output"]).write_bytes(data)
            self.stderr.write(f"written {options['output']} ({len(data)} bytes)")
        elif options["format"] == "xlsx" and self.stdout.isatty():
            raise CommandError("an XLSX file is not for a terminal: give --output PATH")
        else:
            out = getattr(self.stdout, "_out", sys.stdout)  # the stream behind OutputWrapper
            buffer = getattr(out, "buffer", None)
            if buffer is not None:
                buffer.write(data)
                buffer.flush()
            else:  # a text stream (call_command(stdout=StringIO)): CSV and JSON as text
                out.write(data.decode("utf-8-sig") if options["format"] != "xlsx" else "")

    def _import(self, options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(
                f"file_too_large: the file is over {MAX_FILE_BYTES // 1024 // 1024} MB"
            )
        format = options["format"] or path.suffix.lower().lstrip(".")
        actor = self._actor(options["actor"])
        self.stderr.write(f"acting as {actor.get_username()}")
        started = time.monotonic()
        reported = [0.0]

        def progress(done: int, total: int) -> None:
            # Large files: a line at most every two seconds, on stderr.
            now = time.monotonic()
            if done and total >= 500 and (now - reported[0] >= 2 or done == total):
                reported[0] = now
                self.stderr.write(f"{done}/{total} stored ({now - started:.0f} s)")

        try:
            result = procedures_import(
                actor=actor,
                data=path.read_bytes(),
                format=format,
                good_rows_only=options["good_rows_only"],
                progress=progress,
            )
        except CatalogError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        for problem in result.problems:
            self.stderr.write(str(problem))
        if result.refused:
            raise CommandError(
                f"nothing imported: {len(result.problems)} problem(s); fix the rows above or "
                "import the good rows with --good-rows-only"
            )
        self.stdout.write(result.summary())
        if result.waiting:
            self.stdout.write(f"{result.waiting} waiting for approval in the workflow")

    def _actor(self, username: str | None):
        from accounts.models import User
        from organization.models import RoleAssignment

        if username:
            user = User.objects.filter(username=username).first()
            if user is None or not user.is_active:
                raise CommandError(f"no active staff account '{username}' in this province")
            return user
        step = current_profile().governance.workflows.portal.steps[0]
        holders = RoleAssignment.objects.filter(role__code=step.role).values("user_id")
        user = User.objects.filter(is_active=True, pk__in=holders).order_by("pk").first()
        if user is None:
            raise CommandError(
                f"no active staff account holds the role '{step.role}' of the portal workflow's "
                "first step: create one (`staff create`) or give --actor"
            )
        return user
