"""A month's ledger as XLSX and CSV, and one person's statement as XLSX, in Vietnamese (ADR
0029). Amounts in whole đồng as numbers, so the finance office sums them again itself."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _
from openpyxl import Workbook

from royalties.models import LedgerLine, LedgerMonth
from royalties.selectors import Statement, item_title, month_totals


def _header() -> list[str]:
    return [
        _("Số dòng"),
        _("Loại dòng"),
        _("Bài"),
        _("Người hưởng"),
        _("Đóng góp"),
        _("Thể loại"),
        _("Hệ số"),
        _("Giá trị một đơn vị hệ số (đồng)"),
        _("Tỷ lệ (%)"),
        _("Số tiền (đồng)"),
        _("Điều chỉnh dòng"),
        _("Lý do"),
    ]


def _row(line: LedgerLine) -> list:
    return [
        line.pk,
        str(line.get_kind_display()),
        item_title(line.item),
        line.person_name,
        str(line.get_contribution_display()),
        line.category_name,
        float(line.coefficient),
        line.unit_value,
        float(line.percent),
        line.amount,
        line.corrects_id or "",
        line.reason,
    ]


def _title(ledger: LedgerMonth) -> str:
    return _("Sổ nhuận bút tháng %(month)s — %(owner)s") % {
        "month": f"{ledger.month:%m/%Y}",
        "owner": ledger.budget_owner,
    }


def month_xlsx(ledger: LedgerMonth, lines: list[LedgerLine]) -> bytes:
    """The month's lines, then its totals by person and by category."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Sổ nhuận bút"))
    sheet.append([_title(ledger)])
    sheet.append([str(ledger.get_status_display())])
    sheet.append(_header())
    for line in lines:
        sheet.append(_row(line))
    totals = month_totals(lines)
    sheet.append([])
    sheet.append([_("Tổng cộng"), "", "", "", "", "", "", "", "", totals.total])
    people = book.create_sheet(_("Theo người hưởng"))
    people.append([_("Người hưởng"), _("Số dòng"), _("Số tiền (đồng)")])
    for row in totals.by_person:
        people.append([row.label, row.lines, row.amount])
    categories = book.create_sheet(_("Theo thể loại"))
    categories.append([_("Thể loại"), _("Số dòng"), _("Số tiền (đồng)")])
    for row in totals.by_category:
        categories.append([row.label, row.lines, row.amount])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _Echo:
    def write(self, value: str) -> str:
        return value


def month_csv(ledger: LedgerMonth, lines: list[LedgerLine]) -> Iterator[str]:
    """The month's lines as CSV rows (UTF-8 with a byte-order mark, for spreadsheets)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(_header())
    for line in lines:
        yield writer.writerow(_row(line))
    yield writer.writerow(
        [_("Tổng cộng"), "", "", "", "", "", "", "", "", sum(line.amount for line in lines)]
    )


def statement_xlsx(ledger: LedgerMonth, statement: Statement) -> bytes:
    """What one person is owed in the month, item by item."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Bảng kê nhuận bút"))
    sheet.append([_title(ledger)])
    sheet.append([_("Người hưởng"), statement.person_name])
    sheet.append(_header())
    for line in statement.lines:
        sheet.append(_row(line))
    sheet.append([])
    sheet.append([_("Tổng cộng"), "", "", "", "", "", "", "", "", statement.total])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
