"""Bulk import of procedures: `procedures_import` (every row checked, each procedure created
through editorial.services and submitted into the workflow) against a bare bulk insert of the
same rows (`bulk_create` of the items and their revisions, nothing checked, no workflow).

    DATABASE_URL=postgres://… REDIS_URL=redis://…/10 python ops/bench/catalogue_import.py \\
        [--rows 2000] [--rounds 3]

Works on a scratch database `portal_bench_catalogue_import` that it drops and re-creates, with
Thái Nguyên's profile onboarded in it; give REDIS_URL a database of its own. Each round imports
a new file of `--rows` procedures (new codes), then re-imports it unchanged (the check path:
"0 created, 0 changed"), then bulk-inserts the same rows under other codes; the ways alternate.
Prints Markdown tables (procedures per second, medians and min–max) and the ratios, for
docs/benchmarks.md."""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import time

from _django import scratch_province

DATABASE = "portal_bench_catalogue_import"

COLUMNS = (
    "code", "name", "agency", "field", "level", "methods", "steps", "dossier",
    "processing_days", "processing_unit", "processing_from", "fees", "legal_basis", "result",
    "effective_on", "announced_in",
)  # fmt: skip


def rows(round_: int, n: int, agency: str) -> list[dict]:
    return [
        {
            "code": f"{round_}.{i:06d}",
            "name": f"Thủ tục {round_}-{i}: cấp giấy phép hoạt động",
            "agency": agency,
            "field": ("Hoạt động xây dựng", "Đất đai", "Giáo dục", "Y tế")[i % 4],
            "level": "Cấp tỉnh" if i % 3 else "Cấp xã",
            "methods": "Trực tiếp; Qua dịch vụ bưu chính",
            "steps": "Nộp hồ sơ | Bộ phận một cửa\nThẩm định hồ sơ | Phòng chuyên môn",
            "dossier": "Đơn đề nghị | 1 | 0\nBản sao giấy tờ tuỳ thân | 0 | 1",
            "processing_days": "15",
            "processing_unit": "ngày làm việc",
            "processing_from": "kể từ ngày nhận đủ hồ sơ hợp lệ",
            "fees": "Không",
            "legal_basis": "Luật Xây dựng số 50/2014/QH13",
            "result": "Giấy phép",
            "effective_on": "2026-03-01",
            "announced_in": "123/QĐ-UBND",
        }
        for i in range(1, n + 1)
    ]


def as_csv(values: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, COLUMNS)
    writer.writeheader()
    writer.writerows(values)
    return out.getvalue().encode()


def bare_insert(values: list[dict], *, round_: int, author, agency) -> None:
    """The same rows as items and revisions in three statements: parsed as the import parses
    them (its sub-formats and labels), then bulk_create, no check, no workflow, no audit."""
    from django.db import transaction

    from catalog import importing
    from editorial.models import Item, Kind, Revision

    choices = importing.Choices()
    parsed = []
    for index, value in enumerate(values, start=2):
        procedure = importing.to_procedure(importing.Row(index, value), choices=choices)
        procedure.fields["code"] = f"bare{procedure.fields['code']}"
        parsed.append(procedure)
    with transaction.atomic():
        items = Item.objects.bulk_create(
            Item(
                kind=Kind.PROCEDURE,
                agency=agency,
                slug=f"bare-{round_}-{index}",
                code=procedure.fields["code"],
                author=author,
            )
            for index, procedure in enumerate(parsed)
        )
        revisions = Revision.objects.bulk_create(
            Revision(
                item=item,
                number=1,
                title=procedure.title,
                fields=procedure.fields,
                author=author,
            )
            for item, procedure in zip(items, parsed, strict=True)
        )
        for item, revision in zip(items, revisions, strict=True):
            item.current_revision = revision
        Item.objects.bulk_update(items, ["current_revision"], batch_size=1000)


def rate(n: int, seconds: list[float]) -> str:
    per_second = [n / s for s in seconds]
    low, high = min(per_second), max(per_second)
    return f"{statistics.median(per_second):,.0f}/s ({low:,.0f}–{high:,.0f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000, help="procedures per file")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    began = time.perf_counter()
    province = scratch_province(DATABASE)
    from django_tenants.utils import schema_context

    from accounts.models import User
    from catalog.services import procedures_import
    from core.profiles import current_profile
    from organization.models import Agency, Role, RoleAssignment

    times: dict[str, list[float]] = {"import": [], "unchanged": [], "bare": []}
    with schema_context(province.schema_name):
        role = Role.objects.get(code=current_profile().governance.workflows.portal.steps[0].role)
        importer = User.objects.create(username="bench_importer", full_name="Cán bộ nhập")
        agency = Agency.objects.order_by("pk").first()
        RoleAssignment.objects.create(
            user=importer, role=role, agency=agency if role.scope == Role.Scope.AGENCY else None
        )
        for round_ in range(1, args.rounds + 1):
            values = rows(round_, args.rows, agency.name)
            data = as_csv(values)
            start = time.perf_counter()
            result = procedures_import(actor=importer, data=data, format="csv")
            times["import"].append(time.perf_counter() - start)
            assert result.created == args.rows, result.problems[:3]
            start = time.perf_counter()
            again = procedures_import(actor=importer, data=data, format="csv")
            times["unchanged"].append(time.perf_counter() - start)
            assert again.unchanged == args.rows
            start = time.perf_counter()
            bare_insert(values, round_=round_, author=importer, agency=agency)
            times["bare"].append(time.perf_counter() - start)

    n = args.rows
    print(f"## import of {n} procedures ({args.rounds} rounds; procedures per second)\n")
    print("| way | throughput | time per file | ratio to bare insert |")
    print("|---|---|---|---|")
    bare = statistics.median(times["bare"])
    for name, label in (
        ("bare", "bare `bulk_create` of items + revisions (parsed, nothing checked)"),
        ("import", "`procedures_import`, new procedures (checked, workflow, audit)"),
        ("unchanged", "`procedures_import`, the same file again (0 created, 0 changed)"),
    ):
        median = statistics.median(times[name])
        print(f"| {label} | {rate(n, times[name])} | {median:.2f} s | {median / bare:.1f}× |")
    print(f"\ntotal run: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
