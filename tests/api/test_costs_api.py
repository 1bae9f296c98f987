"""GET /api/v1/costs/ (issue 14, Must have 3 and 6): the budget owner with its article, the cost
lines of a range of months naming who pays, and their totals (per agency where each agency pays
for its own site: Huế Art. 6(1)); read-only, for the province's staff signed in or their keys
with the `reports` scope; bad months are a 400 in the one error body."""

from __future__ import annotations

from datetime import date

import pytest

from organization.models import Agency
from reports.budget import correct_cost, record_cost
from reports.models import CostLine
from tests.conftest import host_client
from tests.factories.api import error_of
from tests.factories.integrations import api_key
from tests.factories.pages import signed_in

COSTS = "/api/v1/costs/"
TN_HOST = "thainguyen.localhost"
HUE_HOST = "thuathienhue.localhost"


def _keyed(host: str, user, scopes=("reports",)):
    return host_client(host, HTTP_AUTHORIZATION=f"Api-Key {api_key(user, scopes=scopes)}")


def test_lines_totals_and_owner_with_a_reports_key(province_schema):
    # given Thái Nguyên with a line in March, its correction, and a line in 2025
    _site, staff = province_schema("thainguyen")
    editor = staff.holding("editor_in_chief")
    line = record_cost(
        month=date(2026, 3, 9),
        category="operation",
        description="Thuê máy chủ",
        amount=12_000_000,
        reference="HĐ 12/2026",
    )
    correction = correct_cost(line=line, reason="Nhập trùng", actor=editor)
    record_cost(month=date(2026, 4, 1), category="security", description="Kiểm tra", amount=700)
    record_cost(month=date(2025, 3, 1), category="content", description="Số hoá", amount=5)

    # when a key with the reports scope asks for March to April 2026
    response = _keyed(TN_HOST, editor).get(COSTS, {"from": "2026-03", "to": "2026-04"})

    # then the owner is named with its article, and the lines of those months only
    assert response.status_code == 200
    body = response.json()
    owner = "Trung tâm Thông tin tỉnh (Văn phòng Ủy ban nhân dân tỉnh)"
    assert body["owner"] == {
        "name": owner,
        "source": "QĐ 40/2012 Art. 16(2)(g), 23",
        "citation": "Điều 16 khoản 2 điểm g, Điều 23 Quyết định số 40/2012/QĐ-UBND",
        "split_by_agency": False,
    }
    assert (body["start_month"], body["end_month"]) == ("2026-03-01", "2026-04-01")
    assert [row["id"] for row in body["lines"]] == [
        CostLine.objects.get(category="security").pk,
        correction.pk,
        line.pk,
    ]
    assert all(row["budget_owner"] == owner for row in body["lines"])
    first = next(row for row in body["lines"] if row["id"] == line.pk)
    assert first["amount"] == 12_000_000
    assert first["category_label"] == "Quản lý, duy trì, vận hành"
    assert first["reference"] == "HĐ 12/2026"
    assert first["month"] == "2026-03-01"
    assert next(r for r in body["lines"] if r["id"] == correction.pk)["corrects"] == line.pk
    assert body["lines_complete"] is True
    # and the totals are the sums of those lines
    assert body["totals"]["total"] == 700
    by_category = {row["key"]: row["amount"] for row in body["totals"]["by_category"]}
    assert by_category["operation"] == 0
    assert by_category["security"] == 700
    assert body["totals"]["by_agency"] is None


def test_hue_lines_carry_their_agency_and_totals_are_per_agency(province_schema):
    site, staff = province_schema("thuathienhue")
    other = Agency.objects.exclude(pk=site.agency.pk).order_by("pk").first()
    record_cost(
        month=date(2026, 3, 1),
        category="operation",
        description="A",
        amount=100,
        agency=site.agency,
    )
    record_cost(
        month=date(2026, 3, 1), category="operation", description="B", amount=40, agency=other
    )
    head = staff.holding("agency_head")

    body = signed_in(HUE_HOST, head).get(COSTS, {"from": "2026-03", "to": "2026-03"}).json()

    assert body["owner"]["split_by_agency"] is True
    assert {row["agency"] for row in body["lines"]} == {site.agency.name, other.name}
    assert {row["label"]: row["amount"] for row in body["totals"]["by_agency"]} == {
        site.agency.name: 100,
        other.name: 40,
    }
    assert body["totals"]["total"] == 140


def test_who_may_read(province_schema):
    _site, staff = province_schema("thainguyen")
    editor = staff.holding("editor_in_chief")

    assert host_client(TN_HOST).get(COSTS).status_code in (401, 403)
    read_only = _keyed(TN_HOST, editor, scopes=("read",)).get(COSTS)
    assert read_only.status_code == 403
    assert signed_in(TN_HOST, editor).get(COSTS).status_code == 200
    # read-only: no method writes
    assert _keyed(TN_HOST, editor).post(COSTS, {}).status_code == 405


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-13"},
        {"from": "26-03"},
        {"to": "2026-03-01"},
        {"from": "1999-12"},
        {"to": "2999-01"},
        {"from": "2026-05", "to": "2026-01"},
        {"from": "2001-01", "to": "2026-01"},
        {"from": "x" * 5000},
    ],
)
def test_bad_months_are_a_400(province_schema, query):
    _site, staff = province_schema("thainguyen")
    editor = staff.holding("editor_in_chief")

    response = _keyed(TN_HOST, editor).get(COSTS, query)

    error_of(response, 400)


def test_the_answer_costs_the_same_queries_for_one_line_or_many(province_schema):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    site, staff = province_schema("thuathienhue")
    client = _keyed(HUE_HOST, staff.holding("agency_head"))
    record_cost(
        month=date(2026, 1, 1), category="operation", description="1", amount=1, agency=site.agency
    )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(COSTS, {"from": "2026-01", "to": "2026-12"}).status_code == 200
        return len(captured)

    queries()
    one = queries()
    for agency in Agency.objects.all():
        for month in range(1, 6):
            record_cost(
                month=date(2026, month, 1),
                category="content",
                description="x",
                amount=month,
                agency=agency,
            )

    assert queries() == one
