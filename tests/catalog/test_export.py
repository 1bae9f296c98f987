"""Export of the catalogue (issue 11): every procedure's working copy in the import's columns, so
that importing an export back changes nothing, in each of the three formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from catalog.services import CatalogError, procedures_export, procedures_import
from editorial.models import Item, Revision
from editorial.services import item_withdraw
from tests.catalog.test_import import as_csv, row
from tests.factories.catalog import procedure_published


def tricky(n: int, agency: str) -> dict:
    """A row whose text needs the sub-format's escapes and the CSV's quoting."""
    return row(
        n,
        agency,
        steps='Nộp hồ sơ "trực tiếp" | Bộ phận một cửa, tầng 1\nThẩm định \\| ký duyệt | ',
        dossier="Đơn đề nghị | 1 | 0 | Mẫu số 01 | mau-01.pdf",
        legal_basis="Luật Xây dựng 2014\nNghị định 15/2021/NĐ-CP",
        fees="=SUM(A1:A2)",  # stays text, never a formula
        processing_days="0,5",
        online_level="Mức độ 2",
        issued_on="",
    )


@pytest.mark.parametrize("format", ["csv", "json", "xlsx"])
def test_an_export_imported_back_changes_nothing(catalogue_desk, format):
    # given procedures imported from a file, one of them published through the workflow
    desk = catalogue_desk("thainguyen")
    rows = [tricky(1, desk.agency.name), *(row(n, desk.agency.name) for n in range(2, 6))]
    assert procedures_import(actor=desk.importer, data=as_csv(rows), format="csv").created == 5
    procedure_published(desk.staff, code="9.000001", title="Đăng ký khai sinh", agency=desk.agency)
    revisions = Revision.objects.count()
    # when the catalogue is exported and the export imported
    data, content_type, name = procedures_export(format=format)
    result = procedures_import(actor=desk.importer, data=data, format=format)
    # then nothing is created or changed
    assert result.problems == []
    assert not result.refused
    assert result.summary() == "0 created, 0 changed, 6 unchanged"
    assert Revision.objects.count() == revisions
    assert name.startswith("thu-tuc-thainguyen-")
    assert name.endswith(f".{format}")
    assert content_type.split(";")[0] in {
        "text/csv",
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


def test_csv_and_xlsx_exports_show_labels_json_the_codes(catalogue_desk):
    desk = catalogue_desk("thainguyen")
    procedures_import(actor=desk.importer, data=as_csv([tricky(1, desk.agency.name)]), format="csv")
    data, _type, _name = procedures_export(format="csv")
    assert data.startswith(b"\xef\xbb\xbf")  # a byte-order mark: spreadsheets read UTF-8
    record = next(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert record["level"] == "Cấp tỉnh"
    assert record["online_level"] == "Mức độ 2"
    assert record["methods"] == "Trực tiếp; Qua dịch vụ bưu chính"
    assert record["processing_days"] == "0.5"
    assert record["agency"] == desk.agency.name
    assert record["steps"].splitlines()[1] == "Thẩm định \\| ký duyệt"
    assert record["fees"] == "'=SUM(A1:A2)"  # a spreadsheet opening the CSV shows text

    sheet = load_workbook(io.BytesIO(procedures_export(format="xlsx")[0]), read_only=True).active
    header, values = list(sheet.iter_rows(values_only=True))[:2]
    cells = dict(zip(header, values, strict=True))
    assert cells["fees"] == "=SUM(A1:A2)"
    assert cells["processing_days"] == 0.5

    document = json.loads(procedures_export(format="json")[0])
    (only,) = document["procedures"]
    assert only["level"] == "province"
    assert only["methods"] == ["in_person", "post"]
    assert only["dossier"][0]["form_file"] == "mau-01.pdf"
    assert only["issued_on"] is None


def test_withdrawn_procedures_are_left_out_and_an_unknown_format_refused(catalogue_desk):
    desk = catalogue_desk("thainguyen")
    item = procedure_published(desk.staff, code="9.000001", title="Khai sinh", agency=desk.agency)
    publisher = desk.staff.holding("editor_in_chief")
    item_withdraw(item=item, actor=publisher, reason="Thủ tục đã bị bãi bỏ.")
    assert Item.objects.get(pk=item.pk).status == Item.Status.WITHDRAWN
    assert json.loads(procedures_export(format="json")[0]) == {"procedures": []}
    with pytest.raises(CatalogError) as refused:
        procedures_export(format="pdf")
    assert refused.value.code == "unknown_format"


def test_the_export_command_writes_a_file_or_standard_output(catalogue_desk, tmp_path: Path):
    desk = catalogue_desk("thainguyen")
    procedures_import(actor=desk.importer, data=as_csv([row(1, desk.agency.name)]), format="csv")
    path = tmp_path / "out.xlsx"
    err = io.StringIO()
    call_command(
        "procedures", "export", "--province", "thainguyen", "--format", "xlsx",
        "--output", str(path), stderr=err,
    )  # fmt: skip
    assert path.read_bytes().startswith(b"PK")
    assert "written" in err.getvalue()
    out = io.StringIO()
    call_command("procedures", "export", "--province", "thainguyen", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["procedures"][0]["code"] == "2.000001"
