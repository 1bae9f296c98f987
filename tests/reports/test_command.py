"""`manage.py reports`: bad input refused with a clear message and nothing drafted; `list`
filtered by status; a rerun of `draft` prints the same files and drafts nothing new. (The
acceptance test of `reports draft` printing files that open: tests/reports/test_acceptance.py.)"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from organization.models import Agency
from reports.models import Report
from reports.services import sign_off
from tests.factories.organization import Staff
from tests.factories.reports import drafted


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--province", "atlantis", "--period", "2026-11"], "unknown province 'atlantis'"),
        (["--province", "x" * 5000, "--period", "2026-11"], "unknown province"),
        (["--province", "public", "--period", "2026-11"], "unknown province"),
        (["--province", "thainguyen", "--period", "2026-13"], "--period"),
        (["--province", "thainguyen", "--period", "11/2026"], "--period"),
        (["--province", "thainguyen", "--period", "1999-12"], "--period"),
        (["--province", "thainguyen", "--period", "2099-11"], "period_not_ended"),
    ],
)
def test_a_bad_province_or_period_is_refused_and_nothing_drafted(
    tenant_db, in_province, args, message
):
    with pytest.raises(CommandError, match=message):
        call_command("reports", "draft", *args)
    with in_province("thainguyen"):
        assert not Report.objects.exists()


def test_a_rerun_prints_the_same_files_and_drafts_nothing_new(tenant_db, in_province, capsys):
    call_command("reports", "draft", "--province", "thuathienhue", "--period", "2026-09")
    first = capsys.readouterr().out.splitlines()
    with in_province("thuathienhue"):
        count = Report.objects.count()
        # September 2026 ends a quarter: weekly, monthly and quarterly reports per agency.
        assert set(Report.objects.values_list("cadence", flat=True)) == {
            "weekly",
            "monthly",
            "quarterly",
        }
    call_command("reports", "draft", "--province", "thuathienhue", "--period", "2026-09")
    assert capsys.readouterr().out.splitlines() == first
    with in_province("thuathienhue"):
        assert Report.objects.count() == count


def test_list_filters_by_status(tenant_db, in_province, capsys):
    with in_province("thuathienhue"):
        agency = Agency.objects.filter(site__isnull=False).order_by("pk").first()
        signed = drafted(
            cadence="monthly", start=date(2026, 10, 1), end=date(2026, 10, 31), agency=agency
        )
        waiting = drafted(
            cadence="monthly", start=date(2026, 11, 1), end=date(2026, 11, 30), agency=agency
        )
        sign_off(report=signed, actor=Staff(agency).holding("agency_head"))
    call_command("reports", "list", "--province", "thuathienhue", "--status", "signed_off")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == [str(signed.pk)]
    assert "Đã ký duyệt, lưu trữ" in lines[0]
    call_command("reports", "list", "--province", "thuathienhue")
    listed = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == [str(waiting.pk), str(signed.pk)]
    with pytest.raises(CommandError):
        call_command("reports", "list", "--province", "thuathienhue", "--status", "lost")
