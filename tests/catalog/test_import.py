"""Bulk import of procedures (issue 11, docs/catalogue.md): every row is checked before anything
is stored; a file with a bad row imports nothing and names each bad row by its line; an
unchanged file changes nothing; what is imported waits in the portal's workflow."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog import importing
from catalog.importing import RowProblem, join_entries, split_entries
from catalog.services import CatalogError, procedures_import
from core.errors import ErrorKind
from editorial.models import Item, Kind, Revision
from editorial.services import item_transition
from provinces.calendar import TZ

HEADER = (
    "code", "name", "agency", "field", "level", "methods", "steps", "dossier",
    "processing_days", "processing_unit", "processing_from", "fees", "legal_basis", "result",
    "online_level", "effective_on", "issued_on", "announced_in",
)  # fmt: skip


def row(n: int, agency: str, **overrides) -> dict:
    """Procedure n as a spreadsheet row: labels for the coded columns, two steps and two dossier
    components in the "|" sub-format (so a record spans three physical lines of CSV)."""
    return {
        "code": f"2.{n:06d}",
        "name": f"Thủ tục số {n}: cấp giấy phép hoạt động",
        "agency": agency,
        "field": "Hoạt động xây dựng" if n % 2 else "Đất đai",
        "level": "Cấp tỉnh",
        "methods": "Trực tiếp; Qua dịch vụ bưu chính",
        "steps": "Nộp hồ sơ | Bộ phận một cửa\nThẩm định hồ sơ | Phòng chuyên môn",
        "dossier": f"Đơn đề nghị | 1 | 0 | Mẫu số {n:02d}\nBản sao giấy tờ tuỳ thân | 0 | 1",
        "processing_days": "15" if n % 3 else "0,5",
        "processing_unit": "ngày làm việc",
        "processing_from": "kể từ ngày nhận đủ hồ sơ hợp lệ",
        "fees": "Không",
        "legal_basis": "Luật Xây dựng số 50/2014/QH13",
        "result": "Giấy phép",
        "online_level": "",
        "effective_on": "01/03/2026",
        "issued_on": "2026-02-20",
        "announced_in": "123/QĐ-UBND",
        **overrides,
    }


def as_csv(rows: list[dict], header=HEADER, *, bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for values in rows:
        writer.writerow([values.get(column, "") for column in header])
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def as_xlsx(rows: list[dict], header=HEADER) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for values in rows:
        sheet.append([values.get(column, "") for column in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def procedures():
    return Item.objects.filter(kind=Kind.PROCEDURE)


def first_line_of(index: int) -> int:
    """The CSV line where record `index` (0-based) of `row()`s starts: the header is line 1 and
    each record spans three lines (its steps and its dossier cells each hold a line break)."""
    return 2 + 3 * index


# --- the acceptance -----------------------------------------------------------------


def test_2000_procedures_with_3_bad_rows_refused_then_fixed_imported_then_unchanged(
    catalogue_desk,
):
    # given a file of 2,000 procedures, three of them bad
    desk = catalogue_desk("thainguyen")
    name = desk.agency.name
    rows = [row(n, name) for n in range(1, 2001)]
    rows[99]["processing_days"] = "mười lăm"  # not a number
    rows[999]["agency"] = "Sở Không Tồn Tại"
    rows[1998]["code"] = rows[1]["code"]  # the code of the second row again
    # when it is imported
    started = time.monotonic()
    refused = procedures_import(actor=desk.importer, data=as_csv(rows), format="csv")
    # then nothing is stored and each bad row is named by its line, column and reason
    assert refused.refused
    assert refused.created == refused.changed == 0
    assert [(p.line, p.field) for p in refused.problems] == [
        (first_line_of(99), "processing_days"),
        (first_line_of(999), "agency"),
        (first_line_of(1998), "code"),
    ]
    assert str(refused.problems[0]) == f"line {first_line_of(99)}: processing_days: " + (
        "Phải là một số (ví dụ 15 hoặc 0,5)."
    )
    assert "Sở Không Tồn Tại" in refused.problems[1].reason
    assert f"dòng {first_line_of(1)}" in refused.problems[2].reason
    assert not procedures().exists()

    # when the rows are fixed and the file imported again
    rows[99]["processing_days"] = "15"
    rows[999]["agency"] = name
    rows[1998]["code"] = "2.999999"
    imported = procedures_import(actor=desk.importer, data=as_csv(rows), format="csv")
    # then every procedure is created, and waits for approval in the workflow
    assert (imported.created, imported.changed, imported.unchanged) == (2000, 0, 0)
    assert not imported.refused
    assert imported.problems == []
    assert imported.waiting == 2000
    assert procedures().count() == 2000
    assert not procedures().exclude(status=Item.Status.IN_WORKFLOW).exists()
    assert not procedures().filter(published_revision__isnull=False).exists()
    one = procedures().get(code="2.000003")
    assert one.agency == desk.agency
    assert one.current_revision.fields["processing_days"] == 0.5
    assert one.current_revision.fields["methods"] == ["in_person", "post"]
    assert one.current_revision.fields["effective_on"] == "2026-03-01"
    assert one.current_revision.fields["steps"][1] == {
        "description": "Thẩm định hồ sơ",
        "responsible": "Phòng chuyên môn",
    }
    revisions = Revision.objects.filter(item__kind=Kind.PROCEDURE).count()

    # when the same file is imported a second time
    again = procedures_import(actor=desk.importer, data=as_csv(rows), format="csv")
    elapsed = time.monotonic() - started
    # then nothing changes: no new revision either
    assert (again.created, again.changed, again.unchanged) == (0, 0, 2000)
    assert again.summary() == "0 created, 0 changed, 2000 unchanged"
    assert Revision.objects.filter(item__kind=Kind.PROCEDURE).count() == revisions
    print(f"\n2,000 procedures: refused, imported and re-imported in {elapsed:.1f} s")


def test_good_rows_only_imports_the_rest_and_reports_the_bad_ones(catalogue_desk):
    desk = catalogue_desk("thainguyen")
    rows = [row(n, desk.agency.name) for n in range(1, 11)]
    rows[2]["fees"] = ""  # Thái Nguyên requires fees (QĐ 40/2012)
    rows[5]["effective_on"] = "31/02/2026"
    result = procedures_import(
        actor=desk.importer, data=as_csv(rows), format="csv", good_rows_only=True
    )
    assert (result.created, result.skipped, result.refused) == (8, 2, False)
    assert [(p.line, p.field) for p in result.problems] == [
        (first_line_of(2), "fees"),
        (first_line_of(5), "effective_on"),
    ]
    assert "Phí, lệ phí" in result.problems[0].reason
    assert sorted(procedures().values_list("code", flat=True)) == [
        f"2.{n:06d}" for n in (1, 2, 4, 5, 7, 8, 9, 10)
    ]


def test_a_changed_row_makes_a_new_revision_waiting_for_approval(catalogue_desk):
    desk = catalogue_desk("thainguyen")
    no_form = "Bản sao giấy tờ tuỳ thân | 0 | 1"  # a form named would need its file to publish
    rows = [row(n, desk.agency.name, dossier=no_form) for n in (1, 2)]
    procedures_import(actor=desk.importer, data=as_csv(rows), format="csv")
    # the first is approved and published through the whole workflow
    from tests.factories.editorial import run_to_the_end

    published = run_to_the_end(procedures().get(code="2.000001"), staff=desk.staff)
    published.refresh_from_db()
    assert published.status == Item.Status.PUBLISHED
    before = published.published_revision_id
    # when a new version of it is imported
    rows[0]["fees"] = "Lệ phí 100.000 đồng"
    rows[0]["effective_on"] = "2026-07-01"
    result = procedures_import(actor=desk.importer, data=as_csv(rows), format="csv")
    # then it gets a new working copy waiting for approval; citizens still read the old one
    assert (result.created, result.changed, result.unchanged, result.waiting) == (0, 1, 1, 1)
    published.refresh_from_db()
    assert published.published_revision_id == before
    assert published.current_revision.fields["fees"] == "Lệ phí 100.000 đồng"
    assert published.status == Item.Status.PUBLISHED
    assert published.workflow_states.filter(status="active").exists()
    # and while it waits, another change of it is refused by name
    rows[0]["fees"] = "Lệ phí 120.000 đồng"
    waiting = procedures_import(actor=desk.importer, data=as_csv(rows), format="csv")
    assert waiting.refused
    assert waiting.problems[0].field == "code"
    assert "đang chờ duyệt" in waiting.problems[0].reason


def test_an_importer_without_the_first_steps_role_is_refused(catalogue_desk):
    desk = catalogue_desk("thainguyen")
    approver = desk.staff.holding("portal_approver")
    with pytest.raises(CatalogError) as refused:
        procedures_import(actor=approver, data=as_csv([row(1, desk.agency.name)]), format="csv")
    assert refused.value.code == "not_allowed"
    assert refused.value.kind == ErrorKind.FORBIDDEN
    assert "Cập nhật (Trung tâm Thông tin tỉnh)" in refused.value.message
    assert not procedures().exists()


def test_an_agency_scoped_importer_imports_only_its_own_agencys_procedures(catalogue_desk):
    # Hà Giang: the portal's first step is the agency's focal point (an agency-scoped role)
    desk = catalogue_desk("hagiang")
    from organization.models import Agency

    other = Agency.objects.exclude(pk=desk.agency.pk).order_by("pk").first()
    rows = [row(1, desk.agency.name), row(2, other.name)]
    result = procedures_import(actor=desk.importer, data=as_csv(rows), format="csv")
    assert result.refused
    assert [(p.line, p.field) for p in result.problems] == [(first_line_of(1), "agency")]
    assert other.name in result.problems[0].reason


def test_codes_and_labels_without_accents_are_both_read(catalogue_desk):
    desk = catalogue_desk("thuathienhue")
    values = row(
        1,
        desk.agency.name.upper(),
        level="commune",
        methods="truc tuyen;IN_PERSON",
        online_level="muc do 3",
        processing_unit="days",
    )
    result = procedures_import(actor=desk.importer, data=as_csv([values]), format="csv")
    assert result.created == 1, result.problems
    fields = procedures().get().current_revision.fields
    assert (fields["level"], fields["methods"], fields["online_level"]) == (
        "commune",
        ["online", "in_person"],
        "level3",
    )
    assert fields["processing_unit"] == "days"


def test_an_online_level_the_regulation_does_not_use_is_a_bad_row(catalogue_desk):
    desk = catalogue_desk("thainguyen")  # levels 1–4, not "Toàn trình"
    result = procedures_import(
        actor=desk.importer,
        data=as_csv([row(1, desk.agency.name, online_level="Toàn trình")]),
        format="csv",
    )
    assert result.refused
    assert result.problems[0].field == "online_level"
    assert "Mức độ 1" in result.problems[0].reason


def test_bad_cells_are_named_in_vietnamese_with_the_step_or_component(catalogue_desk):
    desk = catalogue_desk("thainguyen")
    one_line = {"steps": "Nộp hồ sơ | Một cửa", "dossier": "Đơn | 1 | 0"}  # a record a line
    rows = [
        row(1, desk.agency.name, **{**one_line, "code": "mã có dấu"}),
        row(2, desk.agency.name, **{**one_line, "dossier": "Đơn | nhiều | 0"}),
        row(3, desk.agency.name, **{**one_line, "level": "Cấp huyện"}),
        row(4, desk.agency.name, **{**one_line, "name": ""}),
        row(5, desk.agency.name, **{**one_line, "steps": "a | b | c"}),
    ]
    problems = procedures_import(actor=desk.importer, data=as_csv(rows), format="csv").problems
    by_line = {p.line: p for p in problems}
    assert sorted(by_line) == [2, 3, 4, 5, 6]
    assert by_line[2].field == "code"
    assert "chữ cái không dấu" in by_line[2].reason
    assert by_line[3].reason == "thành phần hồ sơ 1, Bản chính: Phải là số nguyên."
    assert by_line[4].field == "level"
    assert "Cấp tỉnh" in by_line[4].reason
    assert by_line[5].field == "name"
    assert by_line[6].field == "steps"


# --- the three formats ------------------------------------------------------------------------


def test_json_rows_are_numbered_by_position_and_take_native_lists(catalogue_desk):
    desk = catalogue_desk("thainguyen")
    records = [
        {
            "code": "1.000001",
            "name": "Cấp phép",
            "agency": desk.agency.name,
            "field": "Đất đai",
            "methods": ["online"],
            "steps": [{"description": "Nộp", "responsible": "Một cửa"}],
            "dossier": [{"name": "Đơn", "originals": 1}],
            "processing_days": 3,
            "fees": "Không",
            "effective_on": "2026-03-01",
        },
        {"code": "1.000002", "name": "X", "agency": desk.agency.name, "effective_on": "2026-03-01"},
    ]
    # the fields' own checks first (a field is required), then the profile's required parts
    result = procedures_import(
        actor=desk.importer, data=json.dumps(records).encode(), format="json"
    )
    assert [(p.line, p.field) for p in result.problems] == [(2, "field")]
    records[1]["field"] = "Đất đai"
    result = procedures_import(
        actor=desk.importer, data=json.dumps({"procedures": records}).encode(), format="json"
    )
    assert result.refused
    assert {p.line for p in result.problems} == {2}
    assert {p.field for p in result.problems} == {"dossier", "processing_days", "fees"}
    ok = procedures_import(
        actor=desk.importer, data=json.dumps(records[:1]).encode(), format="json"
    )
    assert ok.created == 1
    assert procedures().get().current_revision.fields["dossier"][0]["originals"] == 1


def test_xlsx_rows_are_numbered_by_sheet_row(catalogue_desk):
    desk = catalogue_desk("thainguyen")
    rows = [row(n, desk.agency.name) for n in range(1, 4)]
    rows[2]["fees"] = ""
    result = procedures_import(actor=desk.importer, data=as_xlsx(rows), format="xlsx")
    assert [(p.line, p.field) for p in result.problems] == [(4, "fees")]
    rows[2]["fees"] = "Không"
    assert procedures_import(actor=desk.importer, data=as_xlsx(rows), format="xlsx").created == 3


def test_a_csv_with_a_byte_order_mark_and_vietnamese_headers_is_read(catalogue_desk):
    desk = catalogue_desk("thainguyen")
    header = [importing.column_label(column) for column in HEADER]
    values = row(1, desk.agency.name)
    data = as_csv([{importing.column_label(k): v for k, v in values.items()}], header, bom=True)
    assert procedures_import(actor=desk.importer, data=data, format="csv").created == 1


# --- malformed files and bounds -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "format", "line", "words"),
    [
        (b"code,name,agency,effective_on\n1.1,T\xe1,X,2026-01-01\n", "csv", 2, "UTF-8"),
        (b"code,name,effective_on\n", "csv", 1, "agency"),
        (b"code,name,agency,effective_on,colour\n", "csv", 1, "Cột không có"),
        (b"code,name,agency,effective_on,code\n", "csv", 1, "hai lần"),
        (b" \n", "csv", 1, "rỗng"),
        (b'code,name,agency,effective_on\n"1,2\n', "csv", 2, "CSV"),
        (b'[{"code": "1"', "json", 1, "JSON"),
        (b'{"rows": []}', "json", 1, "mảng"),
        (b"[1, 2]", "json", 1, "đối tượng"),
        (b'[{"code": "1", "name": "T", "agency": "A", "effective_on": "x", "x": 1}]', "json", 1,
         "Cột không có"),
        (b"[" * 100_000 + b"]" * 100_000, "json", 1, "sâu"),
        (b"PK\x03\x04 not really a zip", "xlsx", 1, "Excel"),
        (b"code,name\n", "xlsx", 1, "Excel"),
    ],
)  # fmt: skip
def test_a_malformed_file_is_one_clear_problem_and_nothing_stored(
    catalogue_desk, data, format, line, words
):
    desk = catalogue_desk("thainguyen")
    result = procedures_import(actor=desk.importer, data=data, format=format)
    assert result.refused
    assert len(result.problems) == 1
    assert result.problems[0].line == line
    assert words in result.problems[0].reason
    assert not procedures().exists()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(catalogue_desk, monkeypatch):
    desk = catalogue_desk("thainguyen")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)
    monkeypatch.setattr(importing, "MAX_XLSX_UNPACKED", 1_000_000)  # the real one is 200 MB
    assert len(out.getvalue()) < 20_000
    result = procedures_import(actor=desk.importer, data=out.getvalue(), format="xlsx")
    assert result.refused
    assert "giải nén" in result.problems[0].reason


def test_bounds_file_size_rows_and_format(catalogue_desk):
    desk = catalogue_desk("thainguyen")
    with pytest.raises(CatalogError) as large:
        procedures_import(
            actor=desk.importer, data=b"x" * (importing.MAX_FILE_BYTES + 1), format="csv"
        )
    assert large.value.code == "file_too_large"
    assert large.value.kind == ErrorKind.TOO_LARGE
    with pytest.raises(CatalogError) as unknown:
        procedures_import(actor=desk.importer, data=b"a", format="docx")
    assert unknown.value.code == "unknown_format"
    many = b"code,name,agency,effective_on\n" + b"1,T,A,2026-01-01\n" * (importing.MAX_ROWS + 1)
    result = procedures_import(actor=desk.importer, data=many, format="csv")
    assert result.refused
    assert result.problems[0].line == importing.MAX_ROWS + 2
    assert "20.000" in result.problems[0].reason
    huge_cell = as_csv([row(1, desk.agency.name, legal_basis="x" * (importing.MAX_CELL + 1))])
    result = procedures_import(actor=desk.importer, data=huge_cell, format="csv")
    assert result.refused
    assert len(result.problems) == 1


def test_the_sub_format_round_trips_bars_backslashes_and_line_breaks():
    entries = [["a | b", "c\\d"], ["line\nbreak", ""], ["only"]]
    assert split_entries(join_entries(entries)) == [["a | b", "c\\d"], ["line\nbreak"], ["only"]]
    assert str(RowProblem(7, "fees", "Chưa có.")) == "line 7: fees: Chưa có."


# --- the command -----------------------------------------------------------------------------


def run(*args) -> tuple[str, str, BaseException | None]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("procedures", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def test_the_command_prints_bad_rows_exits_non_zero_then_imports(catalogue_desk, tmp_path: Path):
    desk = catalogue_desk("thainguyen")
    rows = [row(n, desk.agency.name) for n in range(1, 6)]
    rows[3]["fees"] = ""
    path = tmp_path / "thu-tuc.csv"
    path.write_bytes(as_csv(rows))

    out, err, error = run("import", "--province", "thainguyen", str(path))
    assert error is not None
    assert error.returncode == 1
    assert f"acting as {desk.importer.username}" in err
    assert f"line {first_line_of(3)}: fees: " in err
    assert not procedures().exists()

    out, err, error = run("import", "--province", "thainguyen", "--good-rows-only", str(path))
    assert error is None
    assert "4 created, 0 changed, 0 unchanged, 1 skipped" in out

    rows[3]["fees"] = "Không"
    path.write_bytes(as_csv(rows))
    out, err, error = run(
        "import", "--province", "thainguyen", "--actor", desk.importer.username, str(path)
    )
    assert error is None
    assert "1 created, 0 changed, 4 unchanged" in out
    out, err, error = run("import", "--province", "thainguyen", str(path))
    assert "0 created, 0 changed" in out


def test_the_command_refuses_an_unknown_province_actor_or_file(catalogue_desk, tmp_path):
    desk = catalogue_desk("thainguyen")
    path = tmp_path / "a.csv"
    path.write_bytes(as_csv([row(1, desk.agency.name)]))
    assert "unknown province" in str(run("import", "--province", "atlantis", str(path))[2])
    assert "no active staff" in str(
        run("import", "--province", "thainguyen", "--actor", "nobody", str(path))[2]
    )
    assert "no such file" in str(run("import", "--province", "thainguyen", "missing.csv")[2])
    approver = desk.staff.holding("portal_approver")
    _out, _err, error = run(
        "import", "--province", "thainguyen", "--actor", approver.username, str(path)
    )
    assert error is not None
    assert "not_allowed" in str(error)


def test_imported_procedures_are_published_only_through_the_workflow(catalogue_desk):
    desk = catalogue_desk("thainguyen")
    procedures_import(actor=desk.importer, data=as_csv([row(1, desk.agency.name)]), format="csv")
    item = procedures().get()
    # the next step's holder approves; it is not yet public
    approver = desk.staff.holding("portal_approver")
    item = item_transition(item=item, actor=approver, decision="forward")
    assert not item.is_public


def test_a_json_object_or_list_where_text_goes_is_a_bad_row(catalogue_desk):
    desk = catalogue_desk("thainguyen")
    record = {
        "code": "1.000001",
        "name": "Cấp phép",
        "agency": desk.agency.name,
        "field": ["Đất đai"],
        "fees": {"amount": 0},
        "effective_on": "2026-03-01",
    }
    result = procedures_import(
        actor=desk.importer, data=json.dumps([record]).encode(), format="json"
    )
    assert result.refused
    assert [(p.line, p.field, p.reason) for p in result.problems][:2] == [
        (1, "fees", "Sai kiểu dữ liệu."),
        (1, "field", "Sai kiểu dữ liệu."),
    ]


def test_progress_is_reported_up_to_the_last_row(catalogue_desk):
    desk = catalogue_desk("thainguyen")
    seen: list[tuple[int, int]] = []
    rows = [row(n, desk.agency.name) for n in range(1, 4)]
    procedures_import(
        actor=desk.importer,
        data=as_csv(rows),
        format="csv",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (3, 3)


@pytest.mark.parametrize(("slug", "owes"), [("thainguyen", True), ("dongnai", False)])
def test_the_update_deadline_runs_from_the_files_effective_date(catalogue_desk, slug, owes):
    # Thái Nguyên: 2 working days from the effective date (QĐ 40/2012 Art. 10(3), 13(3));
    # Đồng Nai's regulation sets no deadline for procedure changes.
    desk = catalogue_desk(slug)
    values = row(1, desk.agency.name, effective_on="2026-03-02", steps="Nộp hồ sơ | Một cửa")
    assert procedures_import(actor=desk.importer, data=as_csv([values]), format="csv").created
    item = procedures().get()
    if owes:
        assert item.sla_anchor_at.astimezone(TZ).date() == date(2026, 3, 2)
        assert item.sla_due_at.astimezone(TZ).date() == date(2026, 3, 4)
        assert "Art. 10(3)" in item.sla_source or "Điều 10" in item.sla_source
    else:
        assert item.sla_due_at is None
