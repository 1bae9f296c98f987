"""The royalty ledger's rules (issue 14, Must have 4; Thái Nguyên Art. 24; Decree 18/2014):
amounts from the base in force on the publication day, the approver, the bounds, the monthly
lock kept by the services and by the database, corrections as new lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import AuditEntry
from core.errors import ErrorKind
from core.profiles import current_profile
from royalties import selectors
from royalties.models import Assignment, LedgerLine, LedgerMonth, Share
from royalties.services import RoyaltyError, correct, line_amount, sign_off_month
from tests.factories.royalties import (
    approver_of,
    assigned,
    last_month,
    publish_step_role,
    published_on,
    share,
    signer,
)


@pytest.fixture
def tn(province_schema):
    site, staff = province_schema("thainguyen")
    return site, staff


def _item(tn, day, title="Khai mạc Hội chợ xúc tiến thương mại"):
    site, staff = tn
    return published_on(staff, site=site, day=day, title=title)


def _nothing_stored():
    return (
        Assignment.objects.count() == 0
        and Share.objects.count() == 0
        and LedgerLine.objects.count() == 0
    )


def test_amounts_come_from_the_base_in_force_on_the_publication_day(tn):
    # given two items published either side of Decree 73/2024's new base (2024-07-01)
    _site, staff = tn
    june = _item(tn, date(2024, 6, 30), "Tin ngày 30/6")
    july = _item(tn, date(2024, 7, 1), "Tin ngày 1/7")

    # when the approver gives both the same category and coefficient
    first = assigned(june, by=approver_of(staff, june), coefficient="5")
    second = assigned(july, by=approver_of(staff, july), coefficient="5")

    # then the base, the unit value (10%) and the amounts differ, each in its own month
    assert (first.base_amount, first.unit_value) == (1_800_000, 180_000)
    assert (second.base_amount, second.unit_value) == (2_340_000, 234_000)
    assert first.lines.get().amount == 900_000
    assert second.lines.get().amount == 1_170_000
    assert first.lines.get().ledger.month == date(2024, 6, 1)
    assert second.lines.get().ledger.month == date(2024, 7, 1)
    assert first.published_on == date(2024, 6, 30)
    assert "73/2024" in second.base_source


def test_a_month_total_is_the_sum_of_its_lines_rounded_half_up(tn):
    # given one item shared three ways with a coefficient that leaves fractions of a đồng
    _site, staff = tn
    item = _item(tn, last_month())
    shares = [
        share("Nguyễn Văn An", "33.33"),
        share("Trần Thị Bình", "33.33", "photographer"),
        share("Lê Văn Cường", "33.34", "editor"),
    ]

    # when it is assigned
    assignment = assigned(item, by=approver_of(staff, item), coefficient="3.5", shares=shares)

    # then each line is rounded half up to whole đồng and the month's total is their sum
    unit = assignment.unit_value
    amounts = [line.amount for line in assignment.lines.order_by("pk")]
    expected = [
        int((Decimal("3.5") * unit * Decimal(p) / 100).quantize(Decimal(1), "ROUND_HALF_UP"))
        for p in ("33.33", "33.33", "33.34")
    ]
    assert amounts == expected
    assert line_amount(coefficient=Decimal("1"), unit=3, percent=Decimal("50")) == 2  # 1.5 → 2
    ledger = selectors.month_get(last_month())
    totals = selectors.month_totals(list(selectors.month_lines(ledger)))
    assert totals.total == sum(amounts) == ledger.line_total
    assert sum(row.amount for row in totals.by_person) == totals.total
    assert [row.label for row in totals.by_category] == ["Tin"]

    # when the signer signs the month off
    signed = sign_off_month(month=last_month(), actor=signer(staff))

    # then the total recorded is the sum of the lines, with who and when
    assert signed.status == LedgerMonth.Status.SIGNED_OFF
    assert signed.total == sum(amounts)
    assert signed.signed_off_by is not None
    assert signed.signed_off_at is not None
    assert signed.signed_off_name
    assert AuditEntry.objects.filter(action="royalty_month_signed_off").exists()


def test_the_signed_off_total_is_charged_to_the_budget_owner(tn):
    cost_line = pytest.importorskip("reports.models").CostLine
    _site, staff = tn
    item = _item(tn, last_month())
    assignment = assigned(item, by=approver_of(staff, item))

    sign_off_month(month=last_month(), actor=signer(staff))

    line = cost_line.objects.get(category=cost_line.Category.ROYALTIES)
    assert line.amount == assignment.lines.get().amount
    assert line.month == last_month()


def test_a_locked_month_cannot_change_through_the_services(tn):
    # given a month signed off
    _site, staff = tn
    item = _item(tn, last_month())
    assigned(item, by=approver_of(staff, item))
    the_signer = signer(staff)
    sign_off_month(month=last_month(), actor=the_signer)

    # when it is signed off again
    with pytest.raises(RoyaltyError) as refused:
        sign_off_month(month=last_month(), actor=the_signer)

    # then it is refused as locked
    assert refused.value.code == "month_locked"
    assert refused.value.kind == ErrorKind.CONFLICT

    # and an item published in that month goes to the first open month after it
    late = _item(tn, last_month(), "Bài chấm sau khi khoá sổ")
    lines = assigned(late, by=approver_of(staff, late)).lines.all()
    assert {line.ledger.month for line in lines} == {selectors.current_month()}
    assert LedgerMonth.objects.get(month=last_month()).lines.count() == 1


def test_a_locked_month_cannot_change_in_the_database_either(tn):
    # given a month signed off with one line
    _site, staff = tn
    item = _item(tn, last_month())
    line = assigned(item, by=approver_of(staff, item)).lines.get()
    sign_off_month(month=last_month(), actor=signer(staff))
    ledger = LedgerMonth.objects.get(month=last_month())

    # then a raw update, delete or insert of its lines, or a change of the month, is refused
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerLine.objects.filter(pk=line.pk).update(amount=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerLine.objects.filter(pk=line.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerLine.objects.filter(pk=line.pk).update(
            ledger=LedgerMonth.objects.create(
                month=date(2001, 1, 1), budget_owner="x", budget_source="x"
            )
        )
    copy = LedgerLine.objects.get(pk=line.pk)
    copy.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerMonth.objects.filter(pk=ledger.pk).update(total=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerMonth.objects.filter(pk=ledger.pk).delete()

    # and nothing changed
    ledger.refresh_from_db()
    assert ledger.lines.get().amount == line.amount != 1
    assert ledger.total == line.amount


def test_an_open_month_line_can_still_be_written_by_the_database(tn):
    # The trigger only guards signed-off months: the services' own writes of an open month pass.
    _site, staff = tn
    item = _item(tn, last_month())
    line = assigned(item, by=approver_of(staff, item)).lines.get()
    with transaction.atomic():
        LedgerLine.objects.filter(pk=line.pk).update(reason="")
    assert LedgerMonth.objects.filter(month=last_month(), status="open").exists()


def test_a_correction_after_the_lock_is_new_lines_in_the_next_month(tn):
    # given an item assigned last month, and last month signed off
    _site, staff = tn
    item = _item(tn, last_month())
    approver = approver_of(staff, item)
    old = assigned(item, by=approver, coefficient="5")
    old_line = old.lines.get()
    sign_off_month(month=last_month(), actor=signer(staff))

    # when the approver corrects it (another category, two people)
    new = correct(
        item=item,
        category_code="bai_phan_anh",
        coefficient="4",
        shares=[share("Nguyễn Văn An", "50"), share("Trần Thị Bình", "50", "contributor")],
        reason="Nhầm thể loại: bài phản ánh, không phải tin",
        actor=approver,
    )

    # then the old line is untouched, taken back by a correction line in this month (the next
    # one), and the new lines are there too
    old_line.refresh_from_db()
    this_month = LedgerMonth.objects.get(month=selectors.current_month())
    assert this_month.month > last_month()
    taken_back = this_month.lines.get(kind=LedgerLine.Kind.CORRECTION)
    assert taken_back.corrects == old_line
    assert taken_back.amount == -old_line.amount
    assert taken_back.reason == "Nhầm thể loại: bài phản ánh, không phải tin"
    added = this_month.lines.filter(kind=LedgerLine.Kind.ROYALTY)
    assert [line.amount for line in added] == [
        line_amount(coefficient=Decimal(4), unit=new.unit_value, percent=Decimal(50))
    ] * 2
    assert LedgerMonth.objects.get(month=last_month()).lines.get() == old_line
    old.refresh_from_db()
    assert old.replaced_by == new
    assert selectors.current_assignment(item) == new
    assert AuditEntry.objects.filter(action="royalty_corrected").exists()


def test_assigning_again_is_a_correction_and_needs_a_reason(tn):
    _site, staff = tn
    item = _item(tn, last_month())
    approver = approver_of(staff, item)
    assigned(item, by=approver)

    with pytest.raises(RoyaltyError) as refused:
        assigned(item, by=approver, coefficient="6")

    assert refused.value.code == "reason_required"
    assert Assignment.objects.filter(item=item).count() == 1
    assert LedgerLine.objects.filter(item=item).count() == 1


def test_an_updater_may_not_assign(tn):
    # given an item of a component site and a holder of its first step (who enters items)
    _site, staff = tn
    item = _item(tn, last_month())
    updater = staff.holding("updater")

    with pytest.raises(RoyaltyError) as refused:
        assigned(item, by=updater)

    assert refused.value.kind == ErrorKind.FORBIDDEN
    # the refusal names the approver's role as the profile names it, never its code
    approver_role = current_profile().governance.role(publish_step_role(on_portal=False))
    assert approver_role.name in str(refused.value.message)
    assert _nothing_stored()


def test_the_approver_of_another_agency_may_not_assign(tn):
    from organization.models import Agency

    _site, staff = tn
    item = _item(tn, last_month())
    other = Agency.objects.exclude(pk=item.agency_id).order_by("pk").first()
    with pytest.raises(RoyaltyError):
        assigned(item, by=staff.holding("approver", agency=other))
    assert _nothing_stored()


@pytest.mark.parametrize(
    ("category", "coefficient", "shares", "code"),
    [
        ("tin", "10.01", [share()], "coefficient_out_of_range"),
        ("bai_phan_anh", "2", [share()], "coefficient_out_of_range"),
        ("tin", "1.005", [share()], "invalid_number"),
        ("tin", "NaN", [share()], "invalid_number"),
        ("khong_co", "5", [share()], "unknown_category"),
        ("tin", "5", [share("A", "60"), share("B", "39.99")], "shares_total"),
        ("tin", "5", [share("A", "100"), share("B", "1")], "shares_total"),
        ("tin", "5", [], "shares_count"),
        ("tin", "5", [share(f"Người {n}", "4.76") for n in range(21)], "shares_count"),
        ("tin", "5", [share("x" * 201)], "invalid_share"),
        ("tin", "5", [share("   ")], "invalid_share"),
        ("tin", "5", [share("A", "0"), share("B", "100")], "invalid_share"),
        ("tin", "5", [share("A", "100", "chief")], "invalid_share"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(tn, category, coefficient, shares, code):
    _site, staff = tn
    item = _item(tn, last_month())

    with pytest.raises(RoyaltyError) as refused:
        assigned(
            item,
            by=approver_of(staff, item),
            category=category,
            coefficient=coefficient,
            shares=shares,
        )

    assert refused.value.code == code
    assert refused.value.kind == ErrorKind.INVALID
    assert _nothing_stored()
    assert not LedgerMonth.objects.exists()


def test_only_published_items_are_assigned(tn):
    from editorial.services import item_create

    site, staff = tn
    draft = item_create(actor=staff.holding("updater"), site=site, kind="news", title="Nháp")
    with pytest.raises(RoyaltyError) as refused:
        assigned(draft, by=approver_of(staff, draft))
    assert refused.value.code == "not_published"
    assert _nothing_stored()


def test_who_signs_off(tn):
    from accounts.models import User

    _site, staff = tn
    item = _item(tn, last_month())
    approver = approver_of(staff, item)
    assigned(item, by=approver)
    superuser = User.objects.create(username="sieu", is_superuser=True, is_staff=True)

    # an item's approver, a superuser: not the signer
    for who in (approver, superuser):
        with pytest.raises(RoyaltyError) as refused:
            sign_off_month(month=last_month(), actor=who)
        assert refused.value.kind == ErrorKind.FORBIDDEN
    # this month has not ended yet
    this_item = _item(tn, selectors.current_month())
    assigned(this_item, by=approver)
    with pytest.raises(RoyaltyError) as refused:
        sign_off_month(month=selectors.current_month(), actor=signer(staff))
    assert refused.value.code == "month_not_ended"
    assert not LedgerMonth.objects.filter(status="signed_off").exists()


def test_a_province_without_royalties_refuses(province_schema):
    # Huế's regulation pays no royalty (its profile: royalties.enabled = false)
    site, staff = province_schema("thuathienhue")
    item = published_on(staff, site=site, day=last_month(), title="Tin Huế")

    with pytest.raises(RoyaltyError) as refused:
        assigned(item, by=approver_of(staff, item))

    assert refused.value.code == "royalties_disabled"
    assert _nothing_stored()
    assert not selectors.royalties_on()


def test_a_portal_item_is_assigned_by_the_portal_publisher_only(tn):
    # Thái Nguyên's portal: updater → approver → editor-in-chief, who publishes
    _site, staff = tn
    item = published_on(staff, site=None, day=last_month(), title="Tin của Cổng tỉnh")

    with pytest.raises(RoyaltyError) as refused:
        assigned(item, by=staff.holding("portal_approver"))
    assert refused.value.kind == ErrorKind.FORBIDDEN
    assert _nothing_stored()

    assignment = assigned(item, by=staff.holding(publish_step_role(on_portal=True)))
    assert assignment.lines.get().ledger.month == last_month()
