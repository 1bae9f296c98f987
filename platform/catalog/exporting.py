"""Writing procedures in the import's columns (docs/catalogue.md): what procedures_export
returns reads back through the import as "0 created, 0 changed".

CSV and XLSX carry what staff read and edit in a spreadsheet: coded values as their Vietnamese
labels, steps and dossier components one a line in the "|" sub-format; JSON carries the native
lists and the codes."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from catalog.importing import COLUMNS, join_entries
from core.text import CELL_CONTROL, spreadsheet_text
from editorial.content import PROCEDURE_LABELS
from editorial.models import Item


def record(item: Item) -> dict[str, Any]:
    """One procedure's working copy as a JSON record of the import's columns."""
    revision = item.current_revision
    fields = dict(revision.fields) if revision is not None else {}
    values: dict[str, Any] = {}
    for column in COLUMNS:
        if column == "name":
            values[column] = revision.title if revision is not None else ""
        elif column == "summary":
            values[column] = revision.summary if revision is not None else ""
        elif column == "agency":
            values[column] = item.agency.name if item.agency_id else ""
        else:
            values[column] = fields.get(column)
    values["code"] = item.code or fields.get("code", "")
    return values


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _label(column: str, code: Any) -> str:
    labels = PROCEDURE_LABELS[column]
    return str(labels.get(code, code)) if code is not None else ""


def _cells(values: dict[str, Any]) -> dict[str, Any]:
    """A record as spreadsheet cells (CSV and XLSX)."""
    cells: dict[str, Any] = {}
    for column in COLUMNS:
        value = values.get(column)
        if column == "methods":
            cells[column] = "; ".join(_label("methods", code) for code in value or [])
        elif column in ("level", "online_level", "processing_unit"):
            cells[column] = _label(column, value if value is not None else "")
        elif column == "steps":
            cells[column] = join_entries(
                (step.get("description", ""), step.get("responsible", "")) for step in value or []
            )
        elif column == "dossier":
            cells[column] = join_entries(
                (
                    part.get("name", ""),
                    part.get("originals", 0),
                    part.get("copies", 0),
                    part.get("form", ""),
                    part.get("form_file", ""),
                )
                for part in value or []
            )
        elif column in ("processing_days", "dossier_sets"):
            cells[column] = "" if value is None else _number(value)
        else:
            cells[column] = "" if value is None else value
    return cells


def render(records: list[dict[str, Any]], *, format: str) -> bytes:
    if format == "json":
        return json.dumps({"procedures": records}, ensure_ascii=False, indent=1).encode()
    if format == "csv":
        return _csv(records)
    return _xlsx(records)


def _csv(records: list[dict[str, Any]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for values in records:
        cells = _cells(values)
        writer.writerow(
            [
                spreadsheet_text(cells[column]) if isinstance(cells[column], str) else cells[column]
                for column in COLUMNS
            ]
        )
    # With a byte-order mark: spreadsheet programs then read the Vietnamese as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def _xlsx(records: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Thủ tục")
    sheet.append(list(COLUMNS))
    for values in records:
        cells = _cells(values)
        row = []
        for column in COLUMNS:
            value = cells[column]
            if isinstance(value, str):
                # Control characters an XLSX cannot hold are dropped; a text starting with
                # "=" stays text (a string cell), never a formula the spreadsheet would run.
                cell = WriteOnlyCell(sheet, CELL_CONTROL.sub("", value))
                cell.data_type = "s"
                row.append(cell)
            else:
                row.append(value)
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
