"""The portal's costs and who pays for them (issue 14, Must have 3): every line names the budget
owner of the profile in force with its article (Thái Nguyên Art. 16(2)(g), 23); where each agency
pays for its own site (Huế Art. 6(1)) a line needs its agency and totals are per agency; a
mistake is put right by a new line with the opposite amount, never by an edit."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.models import AuditEntry, User
from core.errors import ErrorKind
from organization.models import Agency
from reports.budget import (
    BudgetError,
    correct_cost,
    cost_add,
    cost_lines,
    cost_totals,
    may_record_cost,
    record_cost,
)
from reports.models import CostLine

THAI_NGUYEN_OWNER = "Trung tâm Thông tin tỉnh (Văn phòng Ủy ban nhân dân tỉnh)"
HUE_OWNER = "Từng Sở, Ban ngành (dự toán kinh phí sự nghiệp CNTT hằng năm)"


def _line(**overrides) -> CostLine:
    values = {
        "month": date(2026, 3, 17),
        "category": CostLine.Category.OPERATION,
        "description": "Thuê máy chủ tháng 3",
        "amount": 12_000_000,
    }
    values.update(overrides)
    return record_cost(**values)


def test_a_line_names_the_owner_of_the_profile_and_its_article(province_schema):
    # given Thái Nguyên, whose costs are the province information centre's
    _site, staff = province_schema("thainguyen")
    editor = staff.holding("editor_in_chief")

    # when a cost is recorded in the middle of a month
    line = _line(actor=editor, reference="HĐ 12/2026")

    # then it is charged to the first of that month, to the owner, citing the article
    line.refresh_from_db()
    assert line.month == date(2026, 3, 1)
    assert line.budget_owner == THAI_NGUYEN_OWNER
    assert line.budget_source == "QĐ 40/2012 Art. 16(2)(g), 23"
    assert line.agency is None
    entry = AuditEntry.objects.get(action="cost_recorded")
    assert entry.actor == editor
    assert entry.data["amount"] == 12_000_000
    assert entry.data["owner"] == THAI_NGUYEN_OWNER


def test_hue_needs_the_agency_that_pays_and_names_it_on_the_line(province_schema):
    # given Huế, where each agency pays for its own site (Art. 6(1))
    site, _staff = province_schema("thuathienhue")

    # when a line has no agency, then it is refused and nothing is stored
    with pytest.raises(BudgetError) as refused:
        _line()
    assert refused.value.code == "agency_required"
    assert refused.value.field == "agency"
    assert not CostLine.objects.exists()

    # when it has one, then the owner reads "<owner>: <agency>"
    line = _line(agency=site.agency)
    assert line.budget_owner == f"{HUE_OWNER}: {site.agency.name}"
    assert line.budget_source == "QĐ 2567/2007 Art. 6(1)"


def test_hue_totals_by_category_and_by_agency(province_schema):
    # given two agencies of Huế with costs in March and one in May
    site, _staff = province_schema("thuathienhue")
    first = site.agency
    second = Agency.objects.exclude(pk=first.pk).order_by("pk").first()
    _line(agency=first, amount=10_000_000)
    _line(agency=first, amount=2_500_000, category=CostLine.Category.SECURITY)
    _line(agency=second, amount=4_000_000, month=date(2026, 3, 31))
    _line(agency=second, amount=99_000_000, month=date(2026, 5, 2))

    # when March is totalled
    totals = cost_totals(start_month=date(2026, 3, 1), end_month=date(2026, 3, 1))

    # then the sums are the lines' of March only, by category and by agency
    assert totals.total == 16_500_000
    by_category = {t.key: t.amount for t in totals.by_category}
    assert by_category["operation"] == 14_000_000
    assert by_category["security"] == 2_500_000
    assert by_category["royalties"] == 0
    assert {t.label: t.amount for t in totals.by_agency} == {
        first.name: 12_500_000,
        second.name: 4_000_000,
    }
    assert cost_lines(start_month=date(2026, 3, 1), end_month=date(2026, 5, 1)).count() == 4


def test_thai_nguyen_totals_are_not_split_by_agency(province_schema):
    province_schema("thainguyen")
    _line(amount=7_000_000)

    totals = cost_totals(start_month=date(2026, 1, 1), end_month=date(2026, 12, 1))

    assert totals.total == 7_000_000
    assert totals.by_agency is None


def test_a_month_of_royalties_that_paid_nothing_is_charged_as_nothing(province_schema):
    # the royalty ledger charges each signed-off month's total, zero included
    province_schema("thainguyen")

    line = _line(
        category=CostLine.Category.ROYALTIES, description="Nhuận bút tháng 03/2026", amount=0
    )

    assert line.amount == 0
    assert line.budget_owner == THAI_NGUYEN_OWNER


def test_a_correction_is_a_new_line_with_the_opposite_amount(province_schema):
    # given a recorded line
    _site, staff = province_schema("thainguyen")
    editor = staff.holding("editor_in_chief")
    line = _line(actor=editor, amount=5_000_000)

    # when it is corrected
    correction = correct_cost(line=line, reason="Nhập trùng hoá đơn", actor=editor)

    # then the line is untouched, a new one cancels it, and the month totals zero
    line.refresh_from_db()
    assert line.amount == 5_000_000
    assert correction.pk != line.pk
    assert correction.amount == -5_000_000
    assert correction.corrects == line
    assert correction.month == line.month
    assert correction.budget_owner == THAI_NGUYEN_OWNER
    assert "Nhập trùng hoá đơn" in correction.description
    assert cost_totals(start_month=line.month, end_month=line.month).total == 0
    assert AuditEntry.objects.filter(action="cost_recorded").count() == 2

    # and neither can be corrected again
    for again in (line, correction):
        with pytest.raises(BudgetError) as refused:
            correct_cost(line=again, reason="Lần nữa", actor=editor)
        assert refused.value.kind == ErrorKind.CONFLICT
    assert CostLine.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"amount": 10**12 + 1}, "amount_out_of_range"),
        ({"amount": "12000"}, "amount_invalid"),
        ({"description": "   "}, "description_required"),
        ({"description": "x" * 301}, "description_too_long"),
        ({"reference": "x" * 121}, "reference_too_long"),
        ({"category": "party"}, "category_invalid"),
        ({"month": date(1999, 12, 1)}, "month_out_of_range"),
        ({"month": date(2400, 1, 1)}, "month_out_of_range"),
        ({"month": "2026-03"}, "month_invalid"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(province_schema, overrides, code):
    province_schema("thainguyen")

    with pytest.raises(BudgetError) as refused:
        _line(**overrides)

    assert refused.value.code == code
    assert refused.value.kind == ErrorKind.INVALID
    assert not CostLine.objects.exists()
    assert not AuditEntry.objects.filter(action="cost_recorded").exists()


def test_who_may_add_a_line_in_thai_nguyen(province_schema):
    # given Thái Nguyên (one owner for the whole portal)
    _site, staff = province_schema("thainguyen")
    administrator = User.objects.get(is_superuser=True)
    portal_updater = staff.holding("portal_updater")
    agency_updater = staff.holding("updater")

    # then the administrator and portal staff may, an agency's staff may not
    assert may_record_cost(administrator)
    assert may_record_cost(portal_updater)
    assert not may_record_cost(agency_updater)
    with pytest.raises(BudgetError) as refused:
        cost_add(
            actor=agency_updater,
            month=date(2026, 3, 1),
            category="operation",
            description="Tên miền",
            amount=500_000,
        )
    assert refused.value.kind == ErrorKind.FORBIDDEN
    assert not CostLine.objects.exists()

    with pytest.raises(BudgetError) as refused:
        cost_add(
            actor=portal_updater,
            month=date(2026, 3, 1),
            category="operation",
            description="Tên miền",
            amount=0,
        )
    assert refused.value.code == "amount_out_of_range"
    assert not CostLine.objects.exists()

    line = cost_add(
        actor=portal_updater,
        month=date(2026, 3, 1),
        category="operation",
        description="Tên miền",
        amount=500_000,
    )
    assert line.created_by == portal_updater


def test_in_hue_an_agencys_staff_charge_their_own_agency_only(province_schema):
    # given Huế and an IT officer of the first agency
    site, staff = province_schema("thuathienhue")
    other = Agency.objects.exclude(pk=site.agency.pk).order_by("pk").first()
    officer = staff.holding("it_officer")

    # when the officer charges the other agency, then it is refused
    with pytest.raises(BudgetError) as refused:
        cost_add(
            actor=officer,
            month=date(2026, 3, 1),
            category="operation",
            description="Duy trì trang",
            amount=1_000_000,
            agency=other,
        )
    assert refused.value.kind == ErrorKind.FORBIDDEN

    # and its own agency is accepted
    line = cost_add(
        actor=officer,
        month=date(2026, 3, 1),
        category="operation",
        description="Duy trì trang",
        amount=1_000_000,
        agency=site.agency,
    )
    assert line.agency == site.agency
    assert CostLine.objects.count() == 1

    # nor may the officer correct a line of the other agency
    foreign = _line(agency=other)
    with pytest.raises(BudgetError) as refused:
        correct_cost(line=foreign, reason="Sai", actor=officer)
    assert refused.value.kind == ErrorKind.FORBIDDEN
    assert CostLine.objects.count() == 2
