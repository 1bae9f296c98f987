"""The royalty ledger through the API (read, `reports` scope): the months with status, total and
sign-off; a month's lines and totals; nothing where the profile pays no royalty (Huế)."""

from __future__ import annotations

import pytest

from royalties.services import sign_off_month
from tests.conftest import host_client
from tests.factories.api import error_of
from tests.factories.integrations import api_key
from tests.factories.royalties import (
    approver_of,
    assigned,
    last_month,
    published_on,
    share,
    signer,
)

HOST = "thainguyen.localhost"


@pytest.fixture
def ledger(province_schema):
    """Last month's ledger of Thái Nguyên: one item, two shares, signed off."""
    site, staff = province_schema("thainguyen")
    item = published_on(staff, site=site, day=last_month(), title="Hội nghị xúc tiến đầu tư")
    assigned(
        item,
        by=approver_of(staff, item),
        coefficient="5",
        shares=[share("Nguyễn Văn An", "70"), share("Trần Thị Bình", "30", "photographer")],
    )
    the_signer = signer(staff)
    sign_off_month(month=last_month(), actor=the_signer)
    return staff, the_signer


def test_the_months_list_status_total_and_sign_off(ledger):
    _staff, the_signer = ledger
    key = api_key(the_signer, scopes=("reports",))

    response = host_client(HOST, HTTP_AUTHORIZATION=f"Api-Key {key}").get(
        "/api/v1/royalties/ledger/"
    )

    assert response.status_code == 200, response.content
    months = response.json()
    assert months[0]["month"] == f"{last_month():%Y-%m}"
    assert months[0]["status"] == "signed_off"
    assert months[0]["total"] == 1_170_000
    assert months[0]["signed_off_by"] == the_signer.full_name
    assert months[0]["signed_off_at"]


def test_a_month_has_its_lines_and_totals_equal_to_their_sum(ledger):
    staff, _signer = ledger
    key = api_key(staff.holding("updater"), scopes=("reports",))
    client = host_client(HOST, HTTP_AUTHORIZATION=f"Api-Key {key}")

    body = client.get(f"/api/v1/royalties/ledger/{last_month():%Y-%m}/").json()

    amounts = [line["amount"] for line in body["entries"]]
    assert amounts == [819_000, 351_000]
    assert body["total"] == sum(amounts)
    assert {row["label"]: row["amount"] for row in body["by_person"]} == {
        "Nguyễn Văn An": 819_000,
        "Trần Thị Bình": 351_000,
    }
    assert body["by_category"] == [{"label": "Tin", "lines": 2, "amount": 1_170_000}]
    assert body["entries"][1]["contribution"] == "Tác giả ảnh"
    assert body["entries"][0]["title"] == "Hội nghị xúc tiến đầu tư"


def test_a_key_without_the_reports_scope_or_no_key_is_refused(ledger):
    _staff, the_signer = ledger
    read = api_key(the_signer, scopes=("read",))

    assert host_client(HOST).get("/api/v1/royalties/ledger/").status_code in (401, 403)
    refused = host_client(HOST, HTTP_AUTHORIZATION=f"Api-Key {read}").get(
        "/api/v1/royalties/ledger/"
    )
    assert refused.status_code == 403


@pytest.mark.parametrize("month", ["2024-13", "1999-01", "2030-01"])
def test_an_unknown_month_is_a_404(ledger, month):
    _staff, the_signer = ledger
    key = api_key(the_signer, scopes=("reports",))
    response = host_client(HOST, HTTP_AUTHORIZATION=f"Api-Key {key}").get(
        f"/api/v1/royalties/ledger/{month}/"
    )
    assert error_of(response, 404)["code"] == "not_found"


def test_a_province_without_royalties_has_no_api(province_schema):
    _site, staff = province_schema("thuathienhue")
    key = api_key(staff.holding("agency_head"), scopes=("reports",))
    client = host_client("thuathienhue.localhost", HTTP_AUTHORIZATION=f"Api-Key {key}")

    for path in ("/api/v1/royalties/ledger/", f"/api/v1/royalties/ledger/{last_month():%Y-%m}/"):
        assert error_of(client.get(path), 404)["code"] == "royalties_disabled"


def test_a_month_reads_a_fixed_number_of_queries_whatever_its_lines(province_schema):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    site, staff = province_schema("thainguyen")
    reader = staff.holding("updater")
    client = host_client(HOST, HTTP_AUTHORIZATION=f"Api-Key {api_key(reader, scopes=('reports',))}")
    url = f"/api/v1/royalties/ledger/{last_month():%Y-%m}/"
    client.get(url)  # the key is looked up and remembered once
    counts = []
    for n in range(2):
        for m in range(1 + 3 * n):
            item = published_on(staff, site=site, day=last_month(), title=f"Bài {n}-{m}")
            assigned(item, by=approver_of(staff, item), shares=[share("A", "40"), share("B", "60")])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
