"""The activity figures page of the back office (/staff/so-lieu/): any period up to 366 days,
for the whole province or one agency or site, as the reports are drafted from; agency staff
see only their own agencies; bad input is a 400 with the field's error."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from organization.models import Agency
from reports.models import PageViewDay
from tests.factories.pages import page_text, signed_in

HOST = "thainguyen.localhost"


def test_the_overseer_reads_any_scope_and_the_counts_are_the_records(province_schema):
    site, staff = province_schema("thainguyen")
    today = timezone.localdate()
    PageViewDay.objects.create(day=today - timedelta(days=2), site=None, kind="home", views=41)
    PageViewDay.objects.create(day=today - timedelta(days=2), site=site, kind="item", views=7)
    client = signed_in(HOST, staff.holding("editor_in_chief"))
    start, end = (today - timedelta(days=10)).isoformat(), today.isoformat()

    whole = page_text(client.get(f"/staff/so-lieu/?start={start}&end={end}&scope=tinh"))
    own_site = page_text(
        client.get(f"/staff/so-lieu/?start={start}&end={end}&scope=cong-{site.pk}")
    )

    assert "Toàn tỉnh" in whole
    assert '<th scope="row">Tổng số lượt xem trang</th><td>48</td>' in whole
    assert '<th scope="row">Tổng số lượt xem trang</th><td>7</td>' in own_site


def test_agency_staff_see_only_their_agencies(province_schema):
    site, staff = province_schema("thainguyen")
    other = Agency.objects.exclude(pk=site.agency_id).first()
    client = signed_in(HOST, staff.holding("updater"))

    page = client.get("/staff/so-lieu/")
    refused = client.get(
        f"/staff/so-lieu/?start=2026-11-01&end=2026-11-30&scope=co-quan-{other.pk}"
    )
    whole = client.get("/staff/so-lieu/?start=2026-11-01&end=2026-11-30&scope=tinh")

    assert page.status_code == 200
    assert site.agency.name in page_text(page)
    assert f'value="co-quan-{other.pk}"' not in page.content.decode()
    assert refused.status_code == whole.status_code == 400


def test_bad_periods_are_named(province_schema):
    _site, staff = province_schema("thainguyen")
    client = signed_in(HOST, staff.holding("editor_in_chief"))
    cases = {
        "start=2026-11-30&end=2026-11-01": "Ngày cuối kỳ trước ngày đầu kỳ.",
        "start=2024-01-01&end=2026-11-01": "Một kỳ dài tối đa 366 ngày.",
        "start=abc&end=2026-11-01": "Lỗi:",
    }
    for query, message in cases.items():
        response = client.get(f"/staff/so-lieu/?{query}&scope=tinh")
        assert response.status_code == 400, query
        assert message in page_text(response), query
