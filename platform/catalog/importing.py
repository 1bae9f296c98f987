"""Reading a file of procedures (CSV, JSON or XLSX; docs/catalogue.md) into rows, and each row
into a procedure's parts (name, summary, agency, fields), with every problem found named by its
line and column. No database here: the services look agencies and existing items up.

Line numbers are what a person finds the row by: in CSV the physical line where the record
starts (the header is line 1; a record with line breaks in a quoted cell spans several lines);
in XLSX the sheet's row number; in JSON the record's 1-based position in the array (a file that
is not JSON at all gets the physical line of the syntax error)."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationError

from core.text import fold, from_spreadsheet_text, nfc
from editorial.content import COLUMN_LABELS, FIELD_LABELS, FIELDS_OF_KIND, PROCEDURE_LABELS

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
# A cell holds at most one column's value; the longest is a procedure's steps (50 steps of
# 5,000 characters and their responsible units): 300,000 characters bounds every one of them.
MAX_CELL = 300_000
MAX_SUMMARY = 2000
MAX_NAME = 500  # editorial.content.MAX_TITLE
# An XLSX is a zip: what it unpacks to is bounded (a zip bomb of a few kilobytes can unpack to
# gigabytes) before openpyxl reads a byte of it.
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
MAX_XLSX_MEMBERS = 2000

FORMATS = ("csv", "json", "xlsx")

COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "agency",
    "field",
    "level",
    "methods",
    "subjects",
    "steps",
    "dossier",
    "dossier_sets",
    "processing_days",
    "processing_unit",
    "processing_from",
    "processing_note",
    "fees",
    "conditions",
    "legal_basis",
    "result",
    "online_level",
    "effective_on",
    "issued_on",
    "announced_in",
    "summary",
)
# Without these a file cannot say which procedure a row is, nor from when it applies.
REQUIRED_COLUMNS = ("code", "name", "agency", "effective_on")
# Columns whose value is a code people may also write as its Vietnamese label.
CODED = ("level", "methods", "online_level", "processing_unit")
# Columns that are not fields of the revision (ProcedureFields) but of the item or revision.
NOT_FIELDS = ("name", "agency", "summary")


def column_label(column: str) -> str:
    """The Vietnamese name of a column, as docs/catalogue.md and the staff page show it."""
    own = {
        "name": _("Tên thủ tục"),
        "agency": _("Cơ quan thực hiện"),
        "summary": _("Tóm tắt"),
    }
    return str(own.get(column) or FIELD_LABELS.get(column, column))


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one row (or, at line 1, with the header): the column and why."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "reason": self.reason}


class MalformedFile(Exception):
    """A file that cannot be read as rows at all: one problem says why; nothing is imported."""

    def __init__(self, problem: RowProblem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Row:
    line: int
    values: dict[str, Any]


@dataclass
class ProcedureRow:
    """A row turned into a procedure's parts; `problems` empty when every part is valid.
    `agency` is the reference the row gives (a name, short name or site label), resolved by
    the services."""

    line: int
    code: str
    title: str = ""
    summary: str = ""
    agency: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)

    def problem(self, column: str, reason: str) -> None:
        self.problems.append(RowProblem(self.line, column, reason))


# --- reading the three formats ---------------------------------------------------------------


def read_rows(data: bytes, *, format: str) -> list[Row]:
    """The file's rows (empty rows left out), or MalformedFile. The caller checks the size."""
    if format == "csv":
        return _bounded(_csv_rows(data))
    if format == "json":
        return _bounded(_json_rows(data))
    if format == "xlsx":
        return _bounded(_xlsx_rows(data))
    raise ValueError(format)


def _bounded(rows: Iterable[Row]) -> list[Row]:
    kept: list[Row] = []
    for row in rows:
        if len(kept) == MAX_ROWS:
            raise MalformedFile(
                RowProblem(
                    row.line,
                    "file",
                    _("Tệp có quá %(limit)s dòng thủ tục: hãy chia thành nhiều tệp.")
                    % {"limit": f"{MAX_ROWS:,}".replace(",", ".")},
                )
            )
        kept.append(row)
    return kept


def _header(cells: list[Any]) -> list[str]:
    """The columns the header names, in order, or MalformedFile (line 1) naming what is wrong:
    a header cell that is no column, a column named twice, a required column missing."""
    by_name = {fold(column): column for column in COLUMNS}
    by_name.update({fold(column_label(column)): column for column in COLUMNS})
    columns: list[str] = []
    for cell in cells:
        text = nfc(str(cell)) if cell is not None else ""
        column = by_name.get(fold(text))
        if column is None:
            if not text:
                columns.append("")  # an empty header cell: its column must stay empty
                continue
            raise MalformedFile(
                RowProblem(
                    1,
                    text[:100],
                    _("Cột không có trong danh mục cột (docs/catalogue.md): %(columns)s.")
                    % {"columns": ", ".join(COLUMNS)},
                )
            )
        if column in columns:
            raise MalformedFile(RowProblem(1, column, _("Cột này có hai lần trong dòng tiêu đề.")))
        columns.append(column)
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise MalformedFile(
            RowProblem(
                1,
                missing[0],
                _("Thiếu cột bắt buộc: %(columns)s.") % {"columns": ", ".join(missing)},
            )
        )
    return columns


def _row(line: int, columns: list[str], cells: list[Any]) -> Row | None:
    if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
        return None
    values: dict[str, Any] = {}
    for index, cell in enumerate(cells):
        column = columns[index] if index < len(columns) else ""
        empty = cell is None or (isinstance(cell, str) and not cell.strip())
        if not column:
            if not empty:
                raise MalformedFile(
                    RowProblem(line, "file", _("Có giá trị ở cột không có tên trong dòng tiêu đề."))
                )
            continue
        values[column] = cell
    return Row(line, values)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise MalformedFile(
            RowProblem(
                line,
                "file",
                _(
                    "Tệp không phải văn bản UTF-8 (byte lỗi ở vị trí %(offset)s): lưu lại tệp "
                    "với bảng mã UTF-8."
                )
                % {"offset": error.start},
            )
        ) from None


def _csv_rows(data: bytes) -> Iterator[Row]:
    text = _text(data)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise MalformedFile(RowProblem(line, "file", _("Tệp chứa ký tự NUL: không phải tệp CSV.")))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_end = 0
    columns: list[str] | None = None
    old_limit = csv.field_size_limit(MAX_CELL)
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                raise MalformedFile(
                    RowProblem(
                        previous_end + 1,
                        "file",
                        _(
                            "Dòng CSV không đọc được (%(error)s): kiểm tra dấu ngoặc kép và dấu "
                            "phẩy."
                        )
                        % {"error": error},
                    )
                ) from None
            start, previous_end = previous_end + 1, reader.line_num
            if columns is None:
                if not any(cell.strip() for cell in cells):
                    continue
                if start != 1:
                    raise MalformedFile(
                        RowProblem(start, "file", _("Dòng tiêu đề phải là dòng đầu tiên."))
                    )
                columns = _header(cells)
                continue
            row = _row(start, columns, cells)
            if row is not None:
                yield row
    finally:
        csv.field_size_limit(old_limit)
    if columns is None:
        raise MalformedFile(RowProblem(1, "file", _("Tệp rỗng: không có dòng tiêu đề.")))


def _json_rows(data: bytes) -> Iterator[Row]:
    text = _text(data)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise MalformedFile(
            RowProblem(
                error.lineno,
                "file",
                _("Tệp không phải JSON hợp lệ: %(error)s.") % {"error": error.msg},
            )
        ) from None
    except RecursionError:
        raise MalformedFile(RowProblem(1, "file", _("Tệp JSON lồng nhau quá sâu."))) from None
    if isinstance(document, dict) and set(document) == {"procedures"}:
        document = document["procedures"]
    if not isinstance(document, list):
        raise MalformedFile(
            RowProblem(
                1,
                "file",
                _('Tệp JSON phải là một mảng thủ tục, hoặc {"procedures": [...]}.'),
            )
        )
    known = set(COLUMNS)
    for position, record in enumerate(document, start=1):
        if not isinstance(record, dict):
            raise MalformedFile(
                RowProblem(position, "file", _("Mỗi thủ tục phải là một đối tượng JSON."))
            )
        unknown = sorted(str(key) for key in record if key not in known)
        if unknown:
            raise MalformedFile(
                RowProblem(
                    position,
                    unknown[0][:100],
                    _("Cột không có trong danh mục cột (docs/catalogue.md): %(columns)s.")
                    % {"columns": ", ".join(COLUMNS)},
                )
            )
        missing = [column for column in REQUIRED_COLUMNS if column not in record]
        if missing:
            raise MalformedFile(
                RowProblem(
                    position,
                    missing[0],
                    _("Thiếu cột bắt buộc: %(columns)s.") % {"columns": ", ".join(missing)},
                )
            )
        yield Row(position, dict(record))


def _xlsx_rows(data: bytes) -> Iterator[Row]:
    import openpyxl

    not_xlsx = RowProblem(1, "file", _("Tệp không phải bảng tính Excel (.xlsx) đọc được."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise MalformedFile(not_xlsx) from None
    if "xl/workbook.xml" not in names:
        raise MalformedFile(not_xlsx)
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_XLSX_MEMBERS or unpacked > MAX_XLSX_UNPACKED:
        raise MalformedFile(
            RowProblem(
                1,
                "file",
                _("Bảng tính giải nén ra quá lớn (tối đa %(size)s MB).")
                % {"size": MAX_XLSX_UNPACKED // 1024 // 1024},
            )
        )
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except Exception:  # openpyxl raises whatever its parts raise on a damaged file
        raise MalformedFile(not_xlsx) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise MalformedFile(not_xlsx)
        columns: list[str] | None = None
        try:
            first = sheet.min_row or 1
            for line, cells in enumerate(sheet.iter_rows(values_only=True), start=first):
                cells = list(cells)
                if columns is None:
                    if all(cell is None for cell in cells):
                        continue
                    if line != 1:
                        raise MalformedFile(
                            RowProblem(
                                line, "file", _("Dòng tiêu đề phải là dòng 1 của trang tính.")
                            )
                        )
                    while cells and cells[-1] is None:
                        cells.pop()
                    columns = _header(cells)
                    continue
                row = _row(line, columns, cells)
                if row is not None:
                    yield row
        except MalformedFile:
            raise
        except Exception:  # a damaged sheet inside a valid zip
            raise MalformedFile(not_xlsx) from None
        if columns is None:
            raise MalformedFile(RowProblem(1, "file", _("Trang tính rỗng: không có dòng tiêu đề.")))
    finally:
        workbook.close()


# --- a row's cells into a procedure --------------------------------------------------------


def split_entries(text: str) -> list[list[str]]:
    """A cell of repeated entries: one entry a line, its parts separated by "|"; inside a part
    "\\|" is a "|", "\\n" a line break, "\\r" a carriage return, "\\\\" a backslash."""
    entries = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        parts, current, escaped = [], [], False
        for char in line:
            if escaped:
                current.append({"n": "\n", "r": "\r", "|": "|", "\\": "\\"}.get(char, "\\" + char))
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == "|":
                parts.append("".join(current).strip())
                current = []
            else:
                current.append(char)
        if escaped:
            current.append("\\")
        parts.append("".join(current).strip())
        entries.append(parts)
    return entries


def join_entries(entries: Iterable[Iterable[Any]]) -> str:
    """The inverse of split_entries (export): trailing empty parts left out."""

    def escaped(value: Any) -> str:
        text = "" if value is None else str(value)
        return (
            text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "\\r").replace("\n", "\\n")
        )

    lines = []
    for entry in entries:
        parts = [escaped(part) for part in entry]
        while len(parts) > 1 and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return from_spreadsheet_text(unicodedata.normalize("NFC", str(value)).strip())


def _number(value: Any) -> Any:
    """A number as people write it ("15", "0,5", 15.0); anything else as it is, for the field's
    own check to name."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    text = _cell_text(value)
    if _NUMBER.match(text):
        return text.replace(",", ".")
    return text


def _date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _cell_text(value)
    match = _VN_DATE.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return text
    return text


class Choices:
    """Codes and their Vietnamese labels (editorial.content.PROCEDURE_LABELS), matched without
    accents or case: "Trực tuyến", "truc tuyen" and "online" are the same method."""

    def __init__(self) -> None:
        self.by_column: dict[str, dict[str, str]] = {}
        for column in CODED:
            labels = PROCEDURE_LABELS[column]
            mapping = {fold(code): code for code in labels if code}
            mapping.update({fold(str(label)): code for code, label in labels.items()})
            self.by_column[column] = mapping

    def code(self, column: str, value: str) -> str | None:
        if column == "online_level" and not value:
            return ""
        return self.by_column[column].get(fold(value))

    def known(self, column: str) -> str:
        labels = PROCEDURE_LABELS[column]
        return "; ".join(f"“{label}”" for code, label in labels.items() if code)


def _too_long(row: ProcedureRow, column: str, value: Any) -> bool:
    if isinstance(value, str) and len(value) > MAX_CELL:
        row.problem(column, _("Ô quá dài (tối đa %(limit)s ký tự).") % {"limit": MAX_CELL})
        return True
    return False


def to_procedure(row: Row, *, choices: Choices) -> ProcedureRow:
    """A row's cells as a procedure's parts: CSV and XLSX cells in their sub-formats, JSON in
    its native lists. The fields are not yet checked (check_fields does)."""
    values = row.values
    result = ProcedureRow(line=row.line, code=_cell_text(values.get("code")))
    raw: dict[str, Any] = {}
    for column, value in values.items():
        if _too_long(result, column, value):
            continue
        if isinstance(value, dict) or (isinstance(value, list) and column not in _LISTS):
            result.problem(column, _("Sai kiểu dữ liệu."))  # JSON: an object where text goes
            continue
        if column == "name":
            result.title = _cell_text(value)
        elif column == "summary":
            result.summary = _cell_text(value)
        elif column == "agency":
            result.agency = _cell_text(value)
        elif column in ("steps", "dossier"):
            parsed = _entries(result, column, value)
            if parsed is not None:
                raw[column] = parsed
        elif column == "methods":
            parsed = _methods(result, value, choices)
            if parsed is not None:
                raw[column] = parsed
        elif column in CODED:
            text = _cell_text(value)
            if not text and column != "online_level":
                continue  # the field's default
            code = choices.code(column, text)
            if code is None:
                result.problem(
                    column,
                    _("“%(value)s” không phải giá trị được nhận; nhận: %(known)s.")
                    % {"value": text[:100], "known": choices.known(column)},
                )
            else:
                raw[column] = code
        elif column in ("dossier_sets", "processing_days"):
            number = _number(value)
            if number == "":
                if column == "processing_days":
                    raw[column] = None
                continue
            raw[column] = number
        elif column in ("effective_on", "issued_on"):
            day = _date(value)
            if day == "" and column == "issued_on":
                raw[column] = None
            elif day != "":
                raw[column] = day
        else:
            raw[column] = _cell_text(value)
    if "code" in values:
        raw["code"] = result.code
    result.fields = raw
    if not result.title:
        result.problem("name", _("Chưa có tên thủ tục."))
    elif len(result.title) > MAX_NAME:
        result.problem("name", _("Tên thủ tục tối đa %(limit)s ký tự.") % {"limit": MAX_NAME})
    if len(result.summary) > MAX_SUMMARY:
        result.problem("summary", _("Tóm tắt tối đa %(limit)s ký tự.") % {"limit": MAX_SUMMARY})
    return result


_LISTS = ("steps", "dossier", "methods")  # the columns JSON gives as lists
_PARTS = {
    "steps": ("description", "responsible"),
    "dossier": ("name", "originals", "copies", "form", "form_file"),
}


def _entries(row: ProcedureRow, column: str, value: Any) -> list | None:
    names = _PARTS[column]
    if isinstance(value, list):  # JSON: the native list (of objects, or of strings)
        entries = []
        for entry in value:
            if isinstance(entry, str):
                split = split_entries(entry)
                entries.extend(_entry(names, parts) for parts in split)
            else:
                entries.append(entry)
        return entries
    if value is None:
        return []
    if not isinstance(value, str):
        row.problem(column, _("Phải là văn bản, mỗi dòng một mục."))
        return None
    entries = []
    for parts in split_entries(unicodedata.normalize("NFC", value)):
        if len(parts) > len(names):
            row.problem(
                column,
                _("Mục “%(entry)s” có quá %(count)s phần ngăn bởi “|”.")
                % {"entry": " | ".join(parts)[:100], "count": len(names)},
            )
            return None
        entries.append(_entry(names, parts))
    return entries


def _entry(names: tuple[str, ...], parts: list[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for name, part in zip(names, parts, strict=False):
        if name in ("originals", "copies"):
            if part:
                entry[name] = _number(part)
        else:
            entry[name] = part
    return entry


def _methods(row: ProcedureRow, value: Any, choices: Choices) -> list | None:
    if isinstance(value, list):
        items = [_cell_text(item) for item in value]
    else:
        text = _cell_text(value)
        if not text:
            return None  # the field's default
        items = [item.strip() for item in re.split(r"[;\n]", text)]
    codes = []
    for item in items:
        if not item:
            continue
        code = choices.code("methods", item)
        if code is None:
            row.problem(
                "methods",
                _("“%(value)s” không phải cách thức thực hiện được nhận; nhận: %(known)s.")
                % {"value": item[:100], "known": choices.known("methods")},
            )
            return None
        codes.append(code)
    return codes


# --- the fields' own checks, in Vietnamese --------------------------------------------------


def check_fields(row: ProcedureRow) -> dict | None:
    """The row's fields as editorial.content.clean_fields("procedure", …) stores them, or None
    with a problem per bad field (Vietnamese; the position of a step or dossier component)."""
    from editorial.content import ContentError, clean_fields

    try:
        return clean_fields("procedure", row.fields)
    except ContentError as error:
        try:
            FIELDS_OF_KIND["procedure"].model_validate(row.fields)
        except ValidationError as detail:
            for problem in detail.errors():
                column, reason = _reason(problem)
                row.problem(column, reason)
        else:  # a refusal before the model (a NUL byte)
            for path, messages in error.field_errors().items():
                row.problem(path.removeprefix("fields.").split(".")[0], "; ".join(messages))
        return None


_ENTRY_NAMES = {"steps": gettext_lazy("bước"), "dossier": gettext_lazy("thành phần hồ sơ")}


def _reason(problem: dict) -> tuple[str, str]:
    location = [str(part) for part in problem["loc"]]
    column = location[0] if location else "file"
    prefix = ""
    if column in ("steps", "dossier") and len(location) >= 2 and location[1].isdigit():
        prefix = f"{_ENTRY_NAMES[column]} {int(location[1]) + 1}"
        if len(location) >= 3:
            prefix += f", {COLUMN_LABELS.get(location[2], location[2])}"
        prefix += ": "
    return column, prefix + _message(problem, column)


def _message(problem: dict, column: str) -> str:
    kind, context = problem["type"], problem.get("ctx") or {}
    if kind == "missing":
        return _("Bắt buộc, chưa có giá trị.")
    if kind == "string_too_short":
        return _("Không được để trống.")
    if kind == "string_too_long":
        return _("Tối đa %(limit)s ký tự.") % {"limit": context.get("max_length")}
    if kind == "too_long":
        return _("Tối đa %(limit)s mục.") % {"limit": context.get("max_length")}
    if kind == "string_pattern_mismatch":
        if column == "code":
            return _(
                "Mã thủ tục chỉ gồm chữ cái không dấu, chữ số và các dấu “.”, “-”, “_”, bắt "
                "đầu bằng chữ hoặc số (ví dụ 1.009994)."
            )
        return _("Giá trị không đúng định dạng.")
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return _("Phải là số nguyên.")
    if kind in ("float_parsing", "float_type", "finite_number"):
        return _("Phải là một số (ví dụ 15 hoặc 0,5).")
    if kind == "greater_than":
        return _("Phải lớn hơn %(limit)s.") % {"limit": context.get("gt")}
    if kind == "greater_than_equal":
        return _("Phải từ %(limit)s trở lên.") % {"limit": context.get("ge")}
    if kind in ("less_than_equal", "less_than"):
        return _("Tối đa %(limit)s.") % {"limit": context.get("le", context.get("lt"))}
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Ngày không hợp lệ: viết theo dạng 2025-07-01 hoặc 01/07/2025.")
    if kind == "extra_forbidden":
        return _("Không có trường này.")
    if kind == "literal_error":
        return _("Giá trị không được nhận.")
    if kind == "value_error":
        text = str(problem.get("msg", ""))
        if "listed twice" in text:
            return _("Một cách thức thực hiện được ghi hai lần.")
        if "form file without" in text:
            number = re.search(r"component (\d+)", text)
            return _("thành phần hồ sơ %(number)s: có tệp mẫu nhưng chưa ghi tên mẫu.") % {
                "number": number.group(1) if number else "?"
            }
        if "year must be between" in text:
            return _("Năm phải trong khoảng 1900–2100.")
        return _("Giá trị không hợp lệ.")
    return _("Sai kiểu dữ liệu.")
