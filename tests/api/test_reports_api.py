"""The reports' API (issue 14, Must have 6): read-only, for staff signed in on the province's
host or a key with the `reports` scope; each caller sees the reports it may see; the files
come as DOCX and XLSX; bad input is a 4xx, never a 500."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from organization.models import Agency
from reports.models import Report
from reports.services import sign_off
from tests.conftest import host_client
from tests.factories.api import error_of
from tests.factories.integrations import api_key
from tests.factories.pages import signed_in
from tests.factories.reports import drafted

HOST = "thuathienhue.localhost"
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def hue(province_schema):
    site, staff = province_schema("thuathienhue")
    other = Agency.objects.exclude(pk=site.agency_id).filter(site__isnull=False).first()
    mine = drafted(cadence="monthly", start=NOVEMBER[0], end=NOVEMBER[1], agency=site.agency)
    older = drafted(cadence="monthly", start=OCTOBER[0], end=OCTOBER[1], agency=site.agency)
    theirs = drafted(cadence="monthly", start=NOVEMBER[0], end=NOVEMBER[1], agency=other)
    head = staff.holding("agency_head")
    return {
        "site": site,
        "staff": staff,
        "mine": mine,
        "older": older,
        "theirs": theirs,
        "head": head,
    }


def keyed(user, scopes=("reports",)):
    return host_client(HOST, HTTP_AUTHORIZATION=f"Api-Key {api_key(user, scopes=scopes)}")


def test_a_key_with_the_reports_scope_lists_the_reports_its_user_sees(hue):
    client = keyed(hue["head"])
    response = client.get("/api/v1/reports/")
    assert response.status_code == 200
    body = response.json()
    rows = body["results"]
    assert [row["id"] for row in rows] == [hue["mine"].pk, hue["older"].pk]  # newest first
    first = rows[0]
    assert first["title"] == hue["mine"].title
    assert first["cadence_label"] == "Hằng tháng"
    assert first["agency"] == hue["site"].agency.name
    assert first["due_on"] == "2026-12-07"
    assert first["status_label"] == "Đã dự thảo, chờ ký duyệt"


def test_filters_by_status_and_period(hue):
    sign_off(report=hue["older"], actor=hue["head"])
    client = keyed(hue["head"])
    ids = lambda query: [r["id"] for r in client.get(f"/api/v1/reports/{query}").json()["results"]]  # noqa: E731
    assert ids("?status=signed_off") == [hue["older"].pk]
    assert ids("?status=drafted") == [hue["mine"].pk]
    assert ids("?from=2026-11-01") == [hue["mine"].pk]
    assert ids("?to=2026-10-31") == [hue["older"].pk]
    assert ids("?from=2026-10-15&to=2026-11-15") == [hue["mine"].pk, hue["older"].pk]


@pytest.mark.parametrize(
    "query",
    [
        "?status=archived",
        "?from=yesterday",
        "?to=2026-13-01",
        "?from=2026-12-01&to=2026-11-01",
        "?page_size=100000",
        "?cursor=" + "x" * 2000,
    ],
)
def test_bad_queries_are_400(hue, query):
    response = keyed(hue["head"]).get(f"/api/v1/reports/{query}")
    assert response.status_code == 400


def test_one_report_with_its_figures_due_day_and_sign_off(hue):
    report = hue["mine"]
    client = keyed(hue["head"])
    body = client.get(f"/api/v1/reports/{report.pk}/").json()
    assert body["figures"]["start"] == "2026-11-01"
    assert body["due_rule"] == "5 ngày làm việc sau ngày cuối kỳ báo cáo"
    assert body["due_source"] == "platform default"
    assert body["sign_off"] is None
    assert body["document"] == f"/api/v1/reports/{report.pk}/document/"

    sign_off(report=report, actor=hue["head"], note="Đồng ý")
    body = client.get(f"/api/v1/reports/{report.pk}/").json()
    assert body["status"] == "signed_off"
    assert body["sign_off"]["signed_off_by"] == hue["head"].full_name
    assert body["sign_off"]["note"] == "Đồng ý"
    assert body["sign_off"]["on_behalf_of"] is None


def test_the_files_download_as_docx_and_xlsx(hue):
    report = hue["mine"]
    client = keyed(hue["head"])
    document = client.get(f"/api/v1/reports/{report.pk}/document/")
    assert document.status_code == 200
    assert document["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.w")
    text = "\n".join(
        p.text for p in Document(io.BytesIO(b"".join(document.streaming_content))).paragraphs
    )
    assert report.title in text
    tables = client.get(f"/api/v1/reports/{report.pk}/tables/")
    assert tables.status_code == 200
    assert load_workbook(io.BytesIO(b"".join(tables.streaming_content))).sheetnames


def test_another_agencys_report_is_not_found(hue):
    client = keyed(hue["head"])
    for suffix in ("", "document/", "tables/"):
        response = client.get(f"/api/v1/reports/{hue['theirs'].pk}/{suffix}")
        assert error_of(response, 404)["code"] == "not_found"
    assert client.get("/api/v1/reports/99999999999999999999/").status_code == 404
    assert client.get(f"/api/v1/reports/{Report.objects.count() + 1000}/").status_code == 404


def test_a_key_without_the_reports_scope_and_anonymous_callers_are_refused(hue):
    assert keyed(hue["head"], scopes=("read",)).get("/api/v1/reports/").status_code == 403
    assert host_client(HOST).get("/api/v1/reports/").status_code in (401, 403)


def test_a_signed_in_staff_session_reads_the_reports(hue):
    client = signed_in(HOST, hue["head"])
    response = client.get("/api/v1/reports/")
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {
        hue["mine"].pk,
        hue["older"].pk,
    }


def test_the_api_is_read_only(hue):
    client = keyed(hue["head"])
    assert client.post("/api/v1/reports/", {}).status_code == 405
    assert client.delete(f"/api/v1/reports/{hue['mine'].pk}/").status_code == 405
