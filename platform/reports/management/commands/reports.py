"""`reports draft --province SLUG --period YYYY-MM` drafts a month's reports for a province
(reports.services.draft_for_month, inside its schema) and prints the path of each file it
wrote; `reports list --province SLUG [--status drafted|signed_off]` lists its reports."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from core.errors import ServiceError
from reports.documents import file_path
from reports.models import Report
from reports.periods import parse_month
from reports.services import draft_for_month
from tenants.models import Province

SLUG_MAX = 63


class Command(BaseCommand):
    help = (
        "A province's reports (docs/reports.md). `reports draft --province SLUG --period "
        "YYYY-MM` drafts the month's reports and prints the path of each file; `reports list "
        "--province SLUG [--status drafted|signed_off]`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        draft = sub.add_parser("draft", help="draft a month's reports of a province")
        draft.add_argument("--province", required=True)
        draft.add_argument("--period", required=True, help="the month, YYYY-MM")
        listing = sub.add_parser("list", help="list a province's reports")
        listing.add_argument("--province", required=True)
        listing.add_argument("--status", choices=[s.value for s in Report.Status])

    def handle(self, *args, **options):
        province = self._province(options["province"])
        with schema_context(province.schema_name):
            if options["action"] == "draft":
                self._draft(options)
            else:
                self._list(options)

    def _province(self, slug: str):
        slug = (slug or "").strip()
        province = None
        if 0 < len(slug) <= SLUG_MAX:
            province = Province.objects.filter(slug=slug, is_template=False).first()
        if province is None or province.schema_name == "public":
            raise CommandError(f"unknown province '{slug[:SLUG_MAX]}'")
        return province

    def _draft(self, options) -> None:
        try:
            year, month = parse_month(options["period"])
        except ValueError as error:
            raise CommandError(f"--period: {error}") from error
        try:
            reports = draft_for_month(year=year, month=month, actor=None)
        except ServiceError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        for report in reports:
            for stored in (report.document, report.tables):
                if stored.name:
                    self.stdout.write(file_path(stored.name))
        self.stderr.write(f"{len(reports)} report(s) for {options['period']}")

    def _list(self, options) -> None:
        reports = Report.objects.select_related("agency", "site").order_by("-period_end", "pk")
        if options["status"]:
            reports = reports.filter(status=options["status"])
        for report in reports:
            self.stdout.write(
                f"{report.pk}\t{report.period_start:%Y-%m-%d}..{report.period_end:%Y-%m-%d}\t"
                f"{report.get_status_display()}\t{report.due_on:%Y-%m-%d}\t{report.title}"
            )
