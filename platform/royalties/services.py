"""Every write of the royalty ledger (ADR 0029): an approver assigns an item's royalty, corrects
it, and the budget owner's signer signs a month off. One transaction each, audited.

Lines are never edited nor deleted: a correction takes an old line back with a line of the
opposite amount and adds the new lines, in the first open month. A signed-off month is locked
twice: these services refuse, and a trigger of the database refuses (migration 0002).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.services import audit_record
from core.errors import ErrorKind, ServiceError
from core.profiles import current_profile
from core.text import nfc
from editorial import rules
from editorial.models import Item
from organization.models import Role
from organization.selectors import acting_capacity, role_assignment_list
from provinces.calendar import TZ
from provinces.citations import in_parentheses
from provinces.loader import today_in_vietnam
from reports.budget import record_cost
from reports.models import CostLine
from royalties.models import Assignment, LedgerLine, LedgerMonth, Share

MAX_SHARES = 20
MAX_NAME = 200
MAX_REASON = 2000
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class RoyaltyError(ServiceError):
    pass


@dataclass(frozen=True)
class ShareInput:
    person: Any  # a user of this province, or None for someone named only
    person_name: str
    contribution: str
    percent: Decimal


# --- the rules read from the profile -----------------------------------------------------------


def _royalties_of(day: date):
    """The profile's royalties section in force on `day`, refused where royalties are off
    (Huế: no royalty in its regulation)."""
    section = current_profile(day).royalties
    if not section.enabled or section.rates is None:
        raise RoyaltyError(
            "royalties_disabled",
            _("Quy chế của tỉnh không quy định nhuận bút cho Cổng thông tin."),
            kind=ErrorKind.NOT_FOUND,
        )
    return section


def royalties_enabled() -> bool:
    """Whether the profile in force today pays royalties (Thái Nguyên Art. 24)."""
    return bool(current_profile().royalties.enabled)


def publication_day(item: Item) -> date | None:
    """The day (Vietnam's date) the item was first published: the day whose base amount and
    rate table apply (Decree 18/2014 Art. 8)."""
    if item.first_published_at is None:
        return None
    return item.first_published_at.astimezone(TZ).date()


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def unit_value(*, base_amount: int, unit_percent: Decimal) -> int:
    """The value of one coefficient unit in whole đồng, rounded half up (Decree 18/2014 Art. 8:
    10% of the base amount)."""
    value = Decimal(base_amount) * Decimal(unit_percent) / HUNDRED
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def line_amount(*, coefficient: Decimal, unit: int, percent: Decimal) -> int:
    """One share's royalty in whole đồng: coefficient × unit value × percent / 100, half up."""
    value = Decimal(coefficient) * Decimal(unit) * Decimal(percent) / HUNDRED
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _publish_role_capacity(actor, *, on_portal: bool, agency_id: int | None, profile):
    """(step, on_behalf_of) when `actor` holds the publish step's role of the workflow (or is
    a holder's delegate where the step allows it); refused otherwise."""
    spec = rules.workflow_for(profile, on_portal=on_portal)
    step = spec.steps[rules.publish_step_index(spec.steps)]
    allowed, on_behalf_of = (False, None)
    if actor is not None and actor.is_authenticated:
        allowed, on_behalf_of = acting_capacity(
            user=actor,
            role_code=step.role,
            agency_id=agency_id,
            delegation_allowed=step.delegation_allowed,
            at=timezone.now(),
        )
    if not allowed:
        role = profile.governance.role(step.role)
        raise RoyaltyError(
            "not_allowed",
            _("Chỉ người giữ vai trò “%(role)s” (bước “%(step)s”)%(basis)s mới được làm việc này.")
            % {
                "role": role.name if role is not None else step.role,
                "step": step.name,
                "basis": in_parentheses(step.source),
            },
            kind=ErrorKind.FORBIDDEN,
        )
    return step, on_behalf_of


def approver_capacity(*, item: Item, actor):
    """Who may assign an item's royalty: the approver, a holder of the role acting at the
    publish step of the item's workflow (portal or component site) for its agency, or their
    delegate where the step allows it (Thái Nguyên Art. 24; the workflow of the profile)."""
    return _publish_role_capacity(
        actor, on_portal=item.site_id is None, agency_id=item.agency_id, profile=current_profile()
    )


def signer_capacity(*, actor):
    """Who signs a month off for the budget owner: a holder of the role acting at the publish
    step of the portal's workflow (the head of the portal's editorial board, who answers for
    the portal's budget line: Thái Nguyên Art. 16(2)(g), 24), or their delegate where that step
    allows it. A superuser is not a signer by being one (ADR 0029)."""
    return _publish_role_capacity(actor, on_portal=True, agency_id=None, profile=current_profile())


def may_sign_off(*, user) -> bool:
    try:
        signer_capacity(actor=user)
    except RoyaltyError:
        return False
    return True


def may_read_ledger(*, user, held: list[tuple[str, str]] | None = None) -> bool:
    """Who reads the ledger (what named people are owed): superusers, holders of a portal-scope
    role, and the holders of the publish step's role of either workflow (the approvers who
    assign royalties and the signer). Other staff see neither amounts nor names. `held`: the
    (role scope, role code) pairs of the user's roles when the caller has them already."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    profile = current_profile()
    publish_roles = set()
    for on_portal in (True, False):
        spec = rules.workflow_for(profile, on_portal=on_portal)
        publish_roles.add(spec.steps[rules.publish_step_index(spec.steps)].role)
    if held is None:
        held = [(a.role.scope, a.role.code) for a in role_assignment_list(user=user)]
    return any(scope == Role.Scope.PORTAL or code in publish_roles for scope, code in held)


def may_assign(*, item: Item, user) -> bool:
    try:
        approver_capacity(item=item, actor=user)
    except RoyaltyError:
        return False
    return True


# --- input checks ------------------------------------------------------------------------------


def _decimal(value, *, field: str, label) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if number is None or not number.is_finite() or number != number.quantize(CENT):
        raise RoyaltyError(
            "invalid_number",
            _("%(label)s phải là một số, tối đa hai chữ số thập phân.") % {"label": label},
            field,
        )
    return number.quantize(CENT)


def _clean_shares(shares: list[dict]) -> list[ShareInput]:
    if not isinstance(shares, list | tuple) or not 1 <= len(shares) <= MAX_SHARES:
        raise RoyaltyError(
            "shares_count",
            _("Cần từ 1 đến %(n)s người hưởng nhuận bút.") % {"n": MAX_SHARES},
            "shares",
        )
    cleaned = []
    problems: dict[str, list] = {}
    contributions = set(Share.Contribution.values)
    for index, share in enumerate(shares):
        person = share.get("person")
        name = nfc(str(share.get("person_name") or "")).strip()
        if not name and person is not None:
            name = nfc(person.full_name or person.get_username()).strip()
        if not 1 <= len(name) <= MAX_NAME:
            problems.setdefault(f"shares[{index}].person_name", []).append(
                _("Họ tên người hưởng: từ 1 đến %(n)s ký tự.") % {"n": MAX_NAME}
            )
        contribution = str(share.get("contribution") or "")
        if contribution not in contributions:
            problems.setdefault(f"shares[{index}].contribution", []).append(
                _("Hãy chọn vai trò đóng góp trong danh sách.")
            )
        try:
            percent = _decimal(
                share.get("percent"), field=f"shares[{index}].percent", label=_("Tỷ lệ")
            )
        except RoyaltyError as error:
            problems.setdefault(f"shares[{index}].percent", []).append(error.message)
            continue
        if not Decimal(0) < percent <= HUNDRED:
            problems.setdefault(f"shares[{index}].percent", []).append(
                _("Tỷ lệ phải lớn hơn 0 và không quá 100%.")
            )
        cleaned.append(ShareInput(person, name, contribution, percent))
    if problems:
        first = next(iter(problems.values()))[0]
        raise RoyaltyError("invalid_share", first, fields=problems)
    total = sum((share.percent for share in cleaned), Decimal(0))
    if total != HUNDRED:
        raise RoyaltyError(
            "shares_total",
            _("Tổng tỷ lệ của những người hưởng phải đúng 100%% (đang là %(total)s%%).")
            % {"total": f"{total.normalize():f}".replace(".", ",")},
            "shares",
        )
    return cleaned


def _clean_reason(reason: str) -> str:
    text = nfc(reason or "").strip()
    if not text:
        raise RoyaltyError(
            "reason_required", _("Điều chỉnh nhuận bút phải ghi rõ lý do."), "reason"
        )
    if len(text) > MAX_REASON:
        raise RoyaltyError(
            "reason_too_long",
            _("Lý do điều chỉnh tối đa %(n)s ký tự.") % {"n": MAX_REASON},
            "reason",
        )
    return text


# --- ledger months -----------------------------------------------------------------------------


def _open_month_from(month: date) -> LedgerMonth:
    """The first month at or after `month` that is not signed off, created where it does not
    exist yet, locked for this transaction (a sign-off waits for the lines written here)."""
    while True:
        ledger = (
            LedgerMonth.objects.select_for_update().filter(month=month, former_province="").first()
        )
        if ledger is None:
            budget = current_profile(month).budget
            ledger, _created = LedgerMonth.objects.get_or_create(
                month=month,
                former_province="",
                defaults={"budget_owner": budget.owner, "budget_source": budget.source},
            )
            ledger = LedgerMonth.objects.select_for_update().get(pk=ledger.pk)
        if ledger.status == LedgerMonth.Status.OPEN:
            return ledger
        month = next_month(month)


def _write_lines(*, assignment: Assignment, ledger: LedgerMonth, actor) -> list[LedgerLine]:
    lines = [
        LedgerLine(
            ledger=ledger,
            kind=LedgerLine.Kind.ROYALTY,
            item_id=assignment.item_id,
            assignment=assignment,
            share=share,
            person=share.person,
            person_name=share.person_name,
            contribution=share.contribution,
            category_name=assignment.category_name,
            coefficient=assignment.coefficient,
            unit_value=assignment.unit_value,
            percent=share.percent,
            amount=line_amount(
                coefficient=assignment.coefficient,
                unit=assignment.unit_value,
                percent=share.percent,
            ),
            created_by=actor,
        )
        for share in assignment.shares.order_by("pk")
    ]
    return LedgerLine.objects.bulk_create(lines)


def _new_assignment(
    *, item: Item, category_code: str, coefficient, shares: list[dict], actor, on_behalf_of
) -> Assignment:
    day = publication_day(item)
    if item.status != Item.Status.PUBLISHED or day is None:
        raise RoyaltyError(
            "not_published",
            _("Chỉ chấm nhuận bút cho bài đã đăng."),
            kind=ErrorKind.CONFLICT,
        )
    # The rate table, the base amount and the category of the day of publication (Decree
    # 18/2014 Art. 8: the base amount in force when the work is published).
    section = _royalties_of(day)
    rates = section.rates
    category = rates.category(str(category_code or ""))
    if category is None:
        raise RoyaltyError(
            "unknown_category",
            _("Hãy chọn thể loại trong bảng nhuận bút."),
            "category_code",
        )
    number = _decimal(coefficient, field="coefficient", label=_("Hệ số"))
    if not category.min_coefficient <= number <= category.max_coefficient:
        raise RoyaltyError(
            "coefficient_out_of_range",
            _("Hệ số của thể loại “%(name)s” phải từ %(min)s đến %(max)s%(basis)s.")
            % {
                "name": category.name,
                "min": f"{category.min_coefficient.normalize():f}".replace(".", ","),
                "max": f"{category.max_coefficient.normalize():f}".replace(".", ","),
                "basis": in_parentheses(category.source),
            },
            "coefficient",
        )
    cleaned = _clean_shares(shares)
    base = rates.base_on(day)
    if base is None:
        raise RoyaltyError(
            "no_base_amount",
            _("Bảng nhuận bút không có mức lương cơ sở áp dụng cho ngày đăng %(day)s.")
            % {"day": day.strftime("%d/%m/%Y")},
            kind=ErrorKind.CONFLICT,
        )
    assignment = Assignment.objects.create(
        item=item,
        category_code=category.code,
        category_name=category.name,
        coefficient=number,
        published_on=day,
        base_amount=base.amount,
        base_source=base.source[:300],
        unit_percent=rates.unit_percent,
        unit_value=unit_value(base_amount=base.amount, unit_percent=rates.unit_percent),
        rates_source=rates.source[:300],
        assigned_by=actor,
        assigned_on_behalf_of=on_behalf_of,
    )
    Share.objects.bulk_create(
        Share(
            assignment=assignment,
            person=share.person,
            person_name=share.person_name,
            contribution=share.contribution,
            percent=share.percent,
        )
        for share in cleaned
    )
    return assignment


def _lock_item(item: Item) -> Item:
    return Item.objects.select_for_update().get(pk=item.pk)


def _current(item: Item) -> Assignment | None:
    return (
        Assignment.objects.select_for_update()
        .filter(item=item, replaced_by__isnull=True)
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def assign(
    *,
    item: Item,
    category_code: str,
    coefficient,
    shares: list[dict],
    actor,
    reason: str = "",
) -> Assignment:
    """Give a published item its royalty: a category of the rate table in force when it was
    published, a coefficient within the category's range and the shares of its authors and
    contributors (1 to 20, adding up to 100%). One ledger line per share goes into the month
    of publication, or the first open month after it when that month is signed off. An item
    that already has a royalty is corrected (`correct`, a reason required), never edited."""
    _royalties_of(today_in_vietnam())
    item = _lock_item(item)
    if _current(item) is not None:
        return _correct(
            item=item,
            category_code=category_code,
            coefficient=coefficient,
            shares=shares,
            reason=reason,
            actor=actor,
        )
    _step, on_behalf_of = approver_capacity(item=item, actor=actor)
    assignment = _new_assignment(
        item=item,
        category_code=category_code,
        coefficient=coefficient,
        shares=shares,
        actor=actor,
        on_behalf_of=on_behalf_of,
    )
    ledger = _open_month_from(first_of_month(assignment.published_on))
    lines = _write_lines(assignment=assignment, ledger=ledger, actor=actor)
    audit_record(
        actor=actor,
        action="royalty_assigned",
        target=f"item {item.pk}",
        category=assignment.category_name,
        coefficient=str(assignment.coefficient),
        month=f"{ledger.month:%m/%Y}",
        total=sum(line.amount for line in lines),
        **({"on_behalf_of": on_behalf_of.get_username()} if on_behalf_of else {}),
    )
    return assignment


@transaction.atomic
def correct(
    *,
    category_code: str,
    coefficient,
    shares: list[dict],
    reason: str,
    actor,
    item: Item | None = None,
    line: LedgerLine | None = None,
) -> Assignment:
    """Replace an item's royalty (named by the item or by one of its lines): the current
    assignment is replaced, its lines are taken back by correction lines of the opposite
    amount and the new lines added, all in the first open month (this month when open).
    Nothing already written changes (Thái Nguyên Art. 24; ADR 0029)."""
    _royalties_of(today_in_vietnam())
    if item is None and line is None:
        raise RoyaltyError("no_item", _("Hãy chọn bài cần điều chỉnh."), kind=ErrorKind.NOT_FOUND)
    target = item if item is not None else line.item  # type: ignore[union-attr]
    return _correct(
        item=_lock_item(target),
        category_code=category_code,
        coefficient=coefficient,
        shares=shares,
        reason=reason,
        actor=actor,
    )


def _correct(*, item: Item, category_code, coefficient, shares, reason, actor) -> Assignment:
    old = _current(item)
    if old is None:
        raise RoyaltyError(
            "not_assigned",
            _("Bài này chưa được chấm nhuận bút: không có gì để điều chỉnh."),
            kind=ErrorKind.CONFLICT,
        )
    _step, on_behalf_of = approver_capacity(item=item, actor=actor)
    text = _clean_reason(reason)
    # One current assignment per item (a partial unique index, which cannot be deferred): the
    # old one stops being current (pointing at itself for an instant) before the new exists.
    Assignment.objects.filter(pk=old.pk).update(replaced_by=old.pk)
    new = _new_assignment(
        item=item,
        category_code=category_code,
        coefficient=coefficient,
        shares=shares,
        actor=actor,
        on_behalf_of=on_behalf_of,
    )
    Assignment.objects.filter(pk=old.pk).update(replaced_by=new)
    ledger = _open_month_from(first_of_month(today_in_vietnam()))
    taken_back = [
        LedgerLine(
            ledger=ledger,
            kind=LedgerLine.Kind.CORRECTION,
            item_id=line.item_id,
            assignment_id=line.assignment_id,
            share=line.share,
            person=line.person,
            person_name=line.person_name,
            contribution=line.contribution,
            category_name=line.category_name,
            coefficient=line.coefficient,
            unit_value=line.unit_value,
            percent=line.percent,
            amount=-line.amount,
            corrects=line,
            reason=text,
            created_by=actor,
        )
        for line in LedgerLine.objects.filter(
            assignment=old, kind=LedgerLine.Kind.ROYALTY
        ).order_by("pk")
    ]
    LedgerLine.objects.bulk_create(taken_back)
    lines = _write_lines(assignment=new, ledger=ledger, actor=actor)
    audit_record(
        actor=actor,
        action="royalty_corrected",
        target=f"item {item.pk}",
        reason=text,
        category=new.category_name,
        coefficient=str(new.coefficient),
        month=f"{ledger.month:%m/%Y}",
        difference=sum(line.amount for line in lines) + sum(line.amount for line in taken_back),
        **({"on_behalf_of": on_behalf_of.get_username()} if on_behalf_of else {}),
    )
    return new


@transaction.atomic
def sign_off_month(*, month: date, actor) -> LedgerMonth:
    """Sign a month's ledger off for the budget owner: the signer and the total (the sum of its
    lines) are recorded and the month is locked for good; its total becomes a cost line of the
    budget owner. Only a month that has ended is signed off."""
    _royalties_of(today_in_vietnam())
    ledger = (
        LedgerMonth.objects.select_for_update()
        .filter(month=first_of_month(month), former_province="")
        .first()
    )
    if ledger is None:
        raise RoyaltyError(
            "no_such_month", _("Không có sổ nhuận bút của tháng này."), kind=ErrorKind.NOT_FOUND
        )
    _step, on_behalf_of = signer_capacity(actor=actor)
    if ledger.status != LedgerMonth.Status.OPEN:
        raise RoyaltyError(
            "month_locked",
            _("Sổ nhuận bút tháng %(month)s đã ký duyệt và khoá: không thể thay đổi.")
            % {"month": f"{ledger.month:%m/%Y}"},
            kind=ErrorKind.CONFLICT,
        )
    if next_month(ledger.month) > today_in_vietnam():
        raise RoyaltyError(
            "month_not_ended",
            _("Tháng %(month)s chưa kết thúc: chỉ ký duyệt sổ của tháng đã qua.")
            % {"month": f"{ledger.month:%m/%Y}"},
            kind=ErrorKind.CONFLICT,
        )
    total = sum(ledger.lines.values_list("amount", flat=True))
    ledger.status = LedgerMonth.Status.SIGNED_OFF
    ledger.signed_off_at = timezone.now()
    ledger.signed_off_by = actor
    ledger.signed_off_name = (actor.full_name or actor.get_username())[:200]
    ledger.total = total
    ledger.save(
        update_fields=["status", "signed_off_at", "signed_off_by", "signed_off_name", "total"]
    )
    record_cost(
        month=ledger.month,
        category=CostLine.Category.ROYALTIES,
        description=str(_("Nhuận bút tháng %(month)s") % {"month": f"{ledger.month:%m/%Y}"}),
        amount=total,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="royalty_month_signed_off",
        target=f"{ledger.month:%m/%Y}",
        total=total,
        **({"on_behalf_of": on_behalf_of.get_username()} if on_behalf_of else {}),
    )
    return ledger
