"""The demo paperwork `manage.py seed_demo` leaves in every province (tenants.demo.paperwork):
last month's reports drafted, and a royalty given by the approver to published items where the
profile pays royalties; run twice, it adds nothing."""

from __future__ import annotations

from accounts.models import User
from reports.models import Report
from royalties.models import Assignment, LedgerLine
from tenants.demo.paperwork import DEMO_ROYALTIES, paperwork_ensure
from tests.factories.royalties import approver_of, last_month, published_on


def test_last_months_reports_and_a_few_royalties_once(province_schema):
    _site, staff = province_schema("thainguyen")
    items = [
        published_on(staff, site=None, day=last_month(), title=f"Tin hoạt động {n}")
        for n in range(DEMO_ROYALTIES + 1)
    ]
    approver = approver_of(staff, items[0])
    User.objects.filter(pk=approver.pk).update(username="demo_tong_bien_tap")

    first = paperwork_ensure()
    reports = Report.objects.count()
    second = paperwork_ensure()

    assert first.reports == reports > 0
    assert {r.period_start for r in Report.objects.all()} == {last_month()}
    assert first.royalties == DEMO_ROYALTIES == Assignment.objects.count()
    assert LedgerLine.objects.count() == DEMO_ROYALTIES
    assert second.reports == reports == Report.objects.count()
    assert second.royalties == 0


def test_no_royalty_where_the_profile_pays_none(province_schema):
    site, staff = province_schema("thuathienhue")
    published_on(staff, site=site, day=last_month(), title="Tin của Sở")

    done = paperwork_ensure()

    assert done.royalties == 0
    assert not Assignment.objects.exists()
    assert done.reports == Report.objects.count() > 0
