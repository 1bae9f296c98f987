"""`manage.py merge_provinces --from A --into B --effective YYYY-MM-DD [--dry-run]
[--procedure CODE=target|source ...] [--role CODE=TARGET_CODE ...] [--operator USERNAME]
[--yes]`: merge province A into B (issue 16). Prints the dry run's plan, part by part; then,
unless --dry-run, asks for confirmation (--yes skips it), runs the stages with a line per step
and prints the counts before and after. A refusal or a failed stage exits non-zero with its
reason; a failed merge is resumed by running the command again."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import User
from tenants.merge_display import plan_sections, stage_label, verify_rows
from tenants.merging import MergeError, merge_plan, merge_resolve, merge_run
from tenants.models import MergeJob
from tenants.profile_versions import is_operator
from tenants.selectors import province_list

CHOICES = ("target", "source")
MAX_CODE_LENGTH = 60
COLUMN_WIDTH = 40  # a cell is cut past this in the printed tables


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--effective: '{value}' is not a date (YYYY-MM-DD)") from error


def _procedures(values: list[str]) -> dict[str, str]:
    answers: dict[str, str] = {}
    for value in values:
        code, _sep, choice = value.partition("=")
        code = code.strip()
        if not code or len(code) > MAX_CODE_LENGTH or choice not in CHOICES:
            raise CommandError(
                f"--procedure: '{value[:100]}' is not CODE=target or CODE=source "
                f"(a code of 1 to {MAX_CODE_LENGTH} characters)"
            )
        answers[code] = choice
    return answers


def _roles(values: list[str]) -> dict[str, str]:
    answers: dict[str, str] = {}
    for value in values:
        code, _sep, target = (part.strip() for part in value.partition("="))
        if not code or not target or max(len(code), len(target)) > MAX_CODE_LENGTH:
            raise CommandError(
                f"--role: '{value[:100]}' is not CODE=TARGET_CODE "
                f"(role codes of 1 to {MAX_CODE_LENGTH} characters)"
            )
        answers[code] = target
    return answers


def _cell(value: str) -> str:
    return value if len(value) <= COLUMN_WIDTH else value[: COLUMN_WIDTH - 1] + "…"


class Command(BaseCommand):
    help = "Merge a province into another: dry run, confirmation, the run, the counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source", required=True, help="the province merged")
        parser.add_argument("--into", dest="target", required=True, help="the province it joins")
        parser.add_argument(
            "--effective", required=True, help="the date the merge takes effect (YYYY-MM-DD)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print the plan only: nothing changes"
        )
        parser.add_argument(
            "--procedure",
            action="append",
            default=[],
            metavar="CODE=target|source",
            help="for a procedure both provinces hold: keep the joined province's (target) "
            "or take the merged province's (source); repeat for each code",
        )
        parser.add_argument(
            "--all-procedures",
            choices=CHOICES,
            help="the same answer for every procedure both provinces hold that --procedure "
            "does not name",
        )
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            metavar="CODE=TARGET_CODE",
            help="carry the holders of the merged province's role CODE as the receiving "
            "province's role TARGET_CODE (one held per agency there); repeat for each role",
        )
        parser.add_argument("--operator", help="the operator acting (recorded on the job)")
        parser.add_argument("--yes", action="store_true", help="run without asking")

    def handle(self, *args, **options):
        # What the plan says is Vietnamese, as the console shows it.
        translation.activate("vi")
        effective = _date(options["effective"])
        answers = _procedures(options["procedure"])
        roles = _roles(options["role"])
        with schema_context(get_public_schema_name()):
            actor = self._operator(options.get("operator"))
            source = self._province(options["source"], "--from")
            target = self._province(options["target"], "--into")
            try:
                job = merge_plan(
                    source=source, target=target, effective_from=effective, actor=actor
                )
                if options.get("all_procedures"):
                    answers = {
                        conflict["code"]: options["all_procedures"]
                        for conflict in job.plan.get("procedure_conflicts", [])
                    } | answers
                if answers or roles:
                    job = merge_resolve(job=job, procedures=answers, roles=roles, actor=actor)
            except MergeError as error:
                raise CommandError(f"{error.code}: {error.message}") from error
            self._print_plan(job)
            if options["dry_run"]:
                self.stdout.write("\nChạy thử: chưa có gì thay đổi.")
                return
            if job.plan.get("problems"):
                raise CommandError("plan_problems: kế hoạch còn vấn đề cần xử lý, chưa chạy.")
            if not options["yes"] and not self._confirmed(job):
                raise CommandError("Không chạy: chưa được xác nhận.")
            try:
                job = merge_run(job=job, actor=actor, progress=self._progress)
            except MergeError as error:
                job.refresh_from_db()
                where = f" ({stage_label(job.stage)})" if job.stage else ""
                raise CommandError(
                    f"{error.code}{where}: {error.message}\n"
                    "Tỉnh được hợp nhất vẫn hoạt động như trước; chạy lại lệnh để chạy tiếp."
                ) from error
            self._print_counts(job)

    # --- input -------------------------------------------------------------------------------

    def _operator(self, username: str | None):
        if not username:
            return None  # the command line, as the audit names it
        user = User.objects.filter(username=username).first()
        if not is_operator(user):
            raise CommandError(f"--operator: '{username}' is not an active operator")
        return user

    def _province(self, slug: str, option: str):
        province = province_list().filter(slug=slug[:40]).first()
        if province is None:
            raise CommandError(f"{option}: no province '{slug[:40]}' on the platform")
        return province

    def _confirmed(self, job: MergeJob) -> bool:
        question = (
            f"\nHợp nhất {job.source.name} vào {job.target.name} từ "
            f"{job.effective_from:%d/%m/%Y}? Gõ 'yes' để chạy: "
        )
        try:
            return input(question).strip().lower() in ("yes", "y", "có", "co")
        except EOFError:  # no terminal to answer on
            return False

    # --- output ------------------------------------------------------------------------------

    def _print_plan(self, job: MergeJob) -> None:
        self.stdout.write(
            f"Kế hoạch hợp nhất {job.source.name} ({job.source.slug}) vào {job.target.name} "
            f"({job.target.slug}) từ {job.effective_from:%d/%m/%Y} — lượt số {job.pk}, "
            f"{job.get_status_display()}"
        )
        for section in plan_sections(job.plan):
            self.stdout.write(f"\n== {section.title} ==")
            for note in section.notes:
                self.stdout.write(f"  {'!' if section.blocking else '-'} {note}")
            if section.headers and section.rows:
                self._table([str(h) for h in section.headers], section.rows)
            elif not section.notes:
                self.stdout.write(f"  {section.empty}")

    def _table(self, headers: list[str], rows: list[list[str]]) -> None:
        cells = [[_cell(value) for value in row] for row in [headers, *rows]]
        widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
        for index, row in enumerate(cells):
            line = "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True))
            self.stdout.write(("  " + line).rstrip())
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.stdout.write(f"  {stage_label(stage)}: {done}/{total}")

    def _print_counts(self, job: MergeJob) -> None:
        self.stdout.write(f"\n{job.get_status_display()}: {job.source.name} → {job.target.name}")
        rows = verify_rows(job.stages)
        if not rows:
            return
        self.stdout.write("\n== Số lượng trước và sau hợp nhất ==")
        self._table(
            ["Loại", "Ở tỉnh được hợp nhất", "Đã đến tỉnh nhận", "Không chuyển", "Kết quả"],
            [
                [
                    r["label"],
                    r["source"],
                    r["arrived"],
                    r["not_moved"],
                    "khớp" if r["match"] else "KHÔNG KHỚP",
                ]
                for r in rows
            ],
        )
