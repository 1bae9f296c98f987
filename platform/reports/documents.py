"""A report's text and files: one description (`report_sections`) that the printable page
and the Word document both render, the DOCX (python-docx) and the XLSX of its tables
(openpyxl), stored through the default storage (the province's own area, config/storage.py)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from core.profiles import current_profile
from provinces.calendar import TZ
from provinces.citations import for_citizens
from reports.figures import Figures, Table
from reports.models import Report
from reports.selectors import person_name

NATIONAL_NAME = "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập – Tự do – Hạnh phúc"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class ReportText:
    """Everything a report says, in order, for any rendering of it."""

    managing_body: str
    national_name: str
    national_motto: str
    title: str
    sections: list[Section]
    sign_off: list[str]


def _figures_tables(report: Report) -> list[Table]:
    if not report.figures:
        return []
    return Figures.from_dict(report.figures).tables()


def sign_off_lines(report: Report) -> list[str]:
    if report.status != Report.Status.SIGNED_OFF or report.signed_off_at is None:
        return [
            _("Chưa ký duyệt."),
            _("Hạn ký duyệt: %(due)s") % {"due": f"{report.due_on:%d/%m/%Y}"},
        ]
    at = report.signed_off_at.astimezone(TZ)
    lines = [
        _("Đã ký duyệt lúc %(at)s") % {"at": f"{at:%H:%M} ngày {at:%d/%m/%Y}"},
        _("Người ký duyệt: %(name)s") % {"name": report.signed_off_name},
    ]
    if report.signed_off_on_behalf_of_id is not None:
        name = person_name(report.signed_off_on_behalf_of)
        lines.append(_("Ký thay (được uỷ quyền): %(name)s") % {"name": name})
    if report.sign_off_note:
        lines.append(_("Ghi chú: %(note)s") % {"note": report.sign_off_note})
    return lines


def report_sections(report: Report) -> ReportText:
    """The report's headings and paragraphs, its tables and its sign-off block: what the
    printable page (frontend) and the DOCX both show."""
    profile = current_profile()
    period = f"{report.period_start:%d/%m/%Y} – {report.period_end:%d/%m/%Y}"
    tables = _figures_tables(report)
    sections = [
        Section(
            heading=_("Thông tin chung"),
            paragraphs=[
                _("Đơn vị báo cáo: %(who)s") % {"who": report.who},
                _("Nơi nhận: %(to)s") % {"to": report.to},
                _("Căn cứ: %(source)s") % {"source": for_citizens(report.source) or report.source},
                _("Kỳ báo cáo: %(period)s") % {"period": period},
                _("Hạn gửi báo cáo: %(due)s (%(rule)s; %(source)s)")
                % {
                    "due": f"{report.due_on:%d/%m/%Y}",
                    "rule": report.due_rule,
                    "source": for_citizens(report.due_source) or _("mặc định của nền tảng"),
                },
                _("Quy chế áp dụng: phiên bản có hiệu lực từ ngày %(day)s")
                % {"day": f"{report.profile_effective_from:%d/%m/%Y}"},
            ],
        ),
        Section(
            heading=_("Số liệu hoạt động"),
            paragraphs=[] if tables else [_("Chưa có số liệu.")],
            tables=tables,
        ),
    ]
    return ReportText(
        managing_body=profile.portal.managing_body,
        national_name=NATIONAL_NAME,
        national_motto=NATIONAL_MOTTO,
        title=report.title,
        sections=sections,
        sign_off=sign_off_lines(report),
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    return str(value)


def docx_bytes(report: Report) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    text = report_sections(report)
    document = Document()
    header = document.add_table(rows=1, cols=2)
    left, right = header.rows[0].cells
    left.text = text.managing_body
    right.text = f"{text.national_name}\n{text.national_motto}"
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in paragraph.runs:
                run.bold = True
    title = document.add_heading(text.title, level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for section in text.sections:
        document.add_heading(section.heading, level=2)
        for paragraph in section.paragraphs:
            document.add_paragraph(paragraph)
        for table in section.tables:
            document.add_heading(table.title, level=3)
            grid = document.add_table(rows=1, cols=max(1, len(table.columns)))
            grid.style = "Table Grid"
            for cell, heading in zip(grid.rows[0].cells, table.columns, strict=False):
                cell.text = str(heading)
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in table.rows:
                cells = grid.add_row().cells
                for cell, value in zip(cells, row, strict=False):
                    cell.text = _cell(value)
    document.add_heading(_("Ký duyệt"), level=2)
    for line in text.sign_off:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    tables = _figures_tables(report) or [Table(title=_("Số liệu"), columns=[], rows=[])]
    used: set[str] = set()
    for index, table in enumerate(tables, start=1):
        # A sheet name: at most 31 characters, none of []:*?/\ , unique.
        name = "".join(c for c in table.title if c not in "[]:*?/\\")[:28].strip() or "Bảng"
        if name in used:
            name = f"{name[:25]} {index}"
        used.add(name)
        sheet = workbook.create_sheet(title=name)
        sheet.append([table.title])
        sheet.cell(row=1, column=1).font = Font(bold=True)
        sheet.append([str(c) for c in table.columns])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_xlsx_value(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, bool):
        return _cell(value)
    if isinstance(value, int | float) or value is None:
        return value  # numbers stay numbers
    return str(value)


def _file_stem(report: Report) -> str:
    return f"bao-cao-{report.pk}-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}"


def write_files(report: Report) -> None:
    """Write the DOCX and XLSX of `report` into the province's storage and save their names."""
    stem = _file_stem(report)
    report.document.save(f"{stem}.docx", ContentFile(docx_bytes(report)), save=False)
    report.tables.save(f"{stem}.xlsx", ContentFile(xlsx_bytes(report)), save=False)
    Report.objects.filter(pk=report.pk).update(
        document=report.document.name, tables=report.tables.name
    )


def delete_files(report: Report) -> None:
    """Remove a report's files before they are written anew (a redraft, the sign-off)."""
    for name in (report.document.name, report.tables.name):
        if name and default_storage.exists(name):
            default_storage.delete(name)


def file_path(name: str) -> str:
    """Where a stored file is: its absolute path when the storage is on disk, else its name."""
    try:
        return default_storage.path(name)
    except NotImplementedError:
        return name


FILES = {"document": ("docx", DOCX_TYPE), "tables": ("xlsx", XLSX_TYPE)}


def open_file(report: Report, which: str):
    """(an open binary handle, the download name, the content type) of a report's DOCX
    ("document") or XLSX ("tables"); FileNotFoundError when it was never written or is gone."""
    extension, content_type = FILES[which]
    stored = getattr(report, which)
    if not stored.name:
        raise FileNotFoundError(which)
    handle = stored.storage.open(stored.name, "rb")
    return handle, f"{_file_stem(report)}.{extension}", content_type
