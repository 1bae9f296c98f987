"""The portal's costs, charged to the budget owner the profile names (issue 14, Must have 3).

Every cost line names the body that pays (`budget.owner`, with its article): Thái Nguyên Art.
16(2)(g), 23 (the province's information centre); where a regulation makes each agency pay for
its own site from its own budget (Huế Art. 6(1), `budget.split_by_agency`) a line is charged to
an agency and totalled per agency. A line is never edited: a mistake is put right by a new line
with the opposite amount pointing back at it (`correct_cost`).

Services: `record_cost` (the building block: the royalties ledger charges a signed-off month
through it, with `category=CostLine.Category.ROYALTIES`), `cost_add` (a person adds a line: who
may is checked), `correct_cost`. Selectors: `budget_in_force`, `cost_lines`, `cost_totals`,
`may_record_cost`, `cost_agencies_for`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from accounts.services import audit_record
from core.errors import ErrorKind, ServiceError
from core.profiles import current_profile
from core.text import nfc
from organization.models import Agency, Role, RoleAssignment
from provinces.loader import today_in_vietnam
from reports.models import CostLine

MAX_AMOUNT = 10**12  # đồng: a thousand billion, far above any line (the table allows 10**13)
MAX_DESCRIPTION = CostLine._meta.get_field("description").max_length or 300
MAX_REFERENCE = CostLine._meta.get_field("reference").max_length or 120
MAX_OWNER = CostLine._meta.get_field("budget_owner").max_length or 300
MAX_REASON = 200  # a correction's reason, written into its description
FIRST_YEAR = 2000  # no portal of a province is older
YEARS_AHEAD = 1  # a cost may be charged to a month of next year (a contract signed ahead)


class BudgetError(ServiceError):
    """A refused cost line: bad input (INVALID), who may not (FORBIDDEN), a line already put
    right (CONFLICT)."""


@dataclass(frozen=True)
class BudgetInForce:
    """The profile's budget: who pays (and the article saying so), and whether costs are split
    by agency."""

    owner: str
    source: str  # the article naming the owner (`budget.source_of("owner")`)
    split_by_agency: bool
    split_source: str  # the article splitting costs by agency

    def owner_of(self, agency: Agency | None) -> str:
        """The owner written on a line: "<owner>: <agency>" where each agency pays."""
        if self.split_by_agency and agency is not None:
            return f"{self.owner}: {agency.name}"[:MAX_OWNER]
        return self.owner[:MAX_OWNER]


def budget_in_force(on: date | None = None) -> BudgetInForce:
    budget = current_profile(on).budget
    return BudgetInForce(
        owner=budget.owner,
        source=budget.source_of("owner"),
        split_by_agency=budget.split_by_agency,
        split_source=budget.source_of("split_by_agency"),
    )


def month_bounds() -> tuple[date, date]:
    """The first and last months a cost may be charged to."""
    today = today_in_vietnam()
    return date(FIRST_YEAR, 1, 1), date(today.year + YEARS_AHEAD, 12, 1)


def first_of_month(day: date) -> date:
    return date(day.year, day.month, 1)


# --- who may record ------------------------------------------------------------------------


def cost_agencies_for(user, *, budget: BudgetInForce | None = None) -> set[int] | None:
    """The agencies `user` may charge costs to: None for any (the province's administrator and
    holders of a portal role), the agencies of their agency-scoped roles where each agency pays
    for its own site (Huế Art. 6(1)), else none."""
    if user is None or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    assignments = RoleAssignment.objects.filter(user=user).select_related("role")
    if any(a.role.scope == Role.Scope.PORTAL and a.agency_id is None for a in assignments):
        return None
    budget = budget or budget_in_force()
    if not budget.split_by_agency:
        return set()
    return {
        a.agency_id
        for a in assignments
        if a.role.scope == Role.Scope.AGENCY and a.agency_id is not None
    }


def may_record_cost(user, *, agency: Agency | None = None, budget=None) -> bool:
    """Whether `user` may add a cost line (for `agency`; None: may add one for some agency)."""
    allowed = cost_agencies_for(user, budget=budget)
    if allowed is None:
        return True
    if agency is None:
        return bool(allowed)
    return agency.pk in allowed


# --- services ------------------------------------------------------------------------------


def _checked_month(month) -> date:
    if not isinstance(month, date):
        raise BudgetError("month_invalid", _("Tháng không hợp lệ."), field="month")
    first, last = month_bounds()
    normalised = first_of_month(month)
    if not first <= normalised <= last:
        raise BudgetError(
            "month_out_of_range",
            _("Tháng phải từ %(first)s đến %(last)s.")
            % {"first": f"{first:%m/%Y}", "last": f"{last:%m/%Y}"},
            field="month",
        )
    return normalised


def _checked_amount(amount, *, zero_allowed: bool = True) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise BudgetError("amount_invalid", _("Số tiền phải là số nguyên (đồng)."), field="amount")
    if (amount == 0 and not zero_allowed) or abs(amount) > MAX_AMOUNT:
        raise BudgetError(
            "amount_out_of_range",
            _("Số tiền phải khác 0 và không quá 1.000 tỷ đồng."),
            field="amount",
        )
    return amount


@transaction.atomic
def record_cost(
    *,
    month: date,
    category: str,
    description: str,
    amount: int,
    agency: Agency | None = None,
    reference: str = "",
    actor=None,
    corrects: CostLine | None = None,
) -> CostLine:
    """Charge a cost to the budget owner in force (copied onto the line, with its article);
    where costs are split by agency (Huế Art. 6(1)) the line needs the agency that pays and its
    owner reads "<owner>: <agency>". `month` is normalised to its first day. A zero amount is
    kept: a signed-off royalty month that paid nothing is charged as nothing. Who may is the
    caller's business (`cost_add` checks a person and refuses zero; the royalties ledger charges
    its signed-off months). Audited `cost_recorded`."""
    month = _checked_month(month)
    amount = _checked_amount(amount)
    if category not in CostLine.Category.values:
        raise BudgetError(
            "category_invalid", _("Hãy chọn một khoản mục trong danh sách."), field="category"
        )
    description = nfc(description)
    if not description:
        raise BudgetError("description_required", _("Hãy nhập nội dung chi."), field="description")
    if len(description) > MAX_DESCRIPTION:
        raise BudgetError(
            "description_too_long",
            _("Nội dung chi dài quá %(n)d ký tự.") % {"n": MAX_DESCRIPTION},
            field="description",
        )
    reference = nfc(reference)
    if len(reference) > MAX_REFERENCE:
        raise BudgetError(
            "reference_too_long",
            _("Số hợp đồng, chứng từ dài quá %(n)d ký tự.") % {"n": MAX_REFERENCE},
            field="reference",
        )
    budget = budget_in_force()
    if budget.split_by_agency and agency is None:
        # Huế Art. 6(1): each agency pays for its own site from its own IT budget.
        raise BudgetError(
            "agency_required",
            _("Mỗi cơ quan tự chi trả cho trang của mình: hãy chọn cơ quan chịu khoản chi."),
            field="agency",
        )
    line = CostLine.objects.create(
        month=month,
        category=category,
        description=description,
        amount=amount,
        budget_owner=budget.owner_of(agency),
        budget_source=budget.source[: CostLine._meta.get_field("budget_source").max_length],
        agency=agency,
        reference=reference,
        corrects=corrects,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="cost_recorded",
        target=f"cost line {line.pk}",
        month=f"{month:%Y-%m}",
        category=str(category),
        amount=amount,
        agency=agency.name if agency is not None else None,
        owner=line.budget_owner,
        corrects=corrects.pk if corrects is not None else None,
    )
    return line


def cost_add(
    *,
    actor,
    month: date,
    category: str,
    description: str,
    amount: int,
    agency: Agency | None = None,
    reference: str = "",
) -> CostLine:
    """A person adds a cost line: the administrator and holders of a portal role for any
    agency, and where each agency pays (Huế Art. 6(1)) an agency's staff for their own."""
    _checked_amount(amount, zero_allowed=False)  # a person's line costs something
    if not may_record_cost(actor, agency=agency):
        raise BudgetError(
            "not_allowed",
            _("Bạn không có quyền ghi khoản chi cho cơ quan này."),
            field="agency",
            kind=ErrorKind.FORBIDDEN,
        )
    return record_cost(
        month=month,
        category=category,
        description=description,
        amount=amount,
        agency=agency,
        reference=reference,
        actor=actor,
    )


@transaction.atomic
def correct_cost(*, line: CostLine, reason: str, actor) -> CostLine:
    """Put a line right: a new line of the same month with the opposite amount, pointing back
    at it (a line is never edited). A line is corrected once; a correction is not corrected."""
    reason = nfc(reason)
    if not reason:
        raise BudgetError("reason_required", _("Hãy nêu lý do điều chỉnh."), field="reason")
    if len(reason) > MAX_REASON:
        raise BudgetError(
            "reason_too_long",
            _("Lý do dài quá %(n)d ký tự.") % {"n": MAX_REASON},
            field="reason",
        )
    locked = (
        CostLine.objects.select_for_update(of=("self",)).select_related("agency").get(pk=line.pk)
    )
    if not may_record_cost(actor, agency=locked.agency):
        raise BudgetError(
            "not_allowed",
            _("Bạn không có quyền điều chỉnh khoản chi này."),
            kind=ErrorKind.FORBIDDEN,
        )
    if locked.corrects_id is not None:
        raise BudgetError(
            "is_correction",
            _("Đây là một dòng điều chỉnh: không điều chỉnh lại."),
            kind=ErrorKind.CONFLICT,
        )
    if locked.corrections.exists():
        raise BudgetError(
            "already_corrected",
            _("Khoản chi này đã được điều chỉnh."),
            kind=ErrorKind.CONFLICT,
        )
    description = f"{_('Điều chỉnh')} #{locked.pk}: {reason}"[:MAX_DESCRIPTION]
    return record_cost(
        month=locked.month,
        category=locked.category,
        description=description,
        amount=-locked.amount,
        agency=locked.agency,
        reference=locked.reference,
        actor=actor,
        corrects=locked,
    )


# --- selectors -----------------------------------------------------------------------------


def cost_line(*, pk: int) -> CostLine | None:
    """One cost line, or None (a number out of range included)."""
    if not 0 < pk < 2**63:
        return None
    return CostLine.objects.select_related("agency").filter(pk=pk).first()


def cost_lines(
    *, start_month: date, end_month: date, agency_id: int | None = None
) -> QuerySet[CostLine]:
    """The lines charged to the months from `start_month` to `end_month` (both included),
    newest month first, with their agency and who entered them."""
    lines = CostLine.objects.filter(
        month__gte=first_of_month(start_month), month__lte=first_of_month(end_month)
    )
    if agency_id is not None:
        lines = lines.filter(agency_id=agency_id)
    return (
        lines.select_related("agency", "created_by")
        .annotate(correction_count=Count("corrections"))
        .order_by("-month", "-pk")
    )


@dataclass(frozen=True)
class Total:
    key: str  # the category's code, or the agency's pk as text ("" for none)
    label: str  # the category's or agency's name
    amount: int


@dataclass(frozen=True)
class CostTotals:
    total: int
    by_category: list[Total]
    by_agency: list[Total] | None  # None where costs are not split by agency


def cost_totals(*, start_month: date, end_month: date) -> CostTotals:
    """The sums of the lines of the months from `start_month` to `end_month`: in all, by
    category (every category, zero included) and, where each agency pays (Huế Art. 6(1)), by
    agency. Two aggregate queries whatever the number of lines."""
    lines = CostLine.objects.filter(
        month__gte=first_of_month(start_month), month__lte=first_of_month(end_month)
    )
    sums = dict(lines.values_list("category").annotate(amount=Sum("amount")).order_by())
    by_category = [
        Total(key=code, label=str(label), amount=int(sums.get(code) or 0))
        for code, label in CostLine.Category.choices
    ]
    by_agency = None
    if budget_in_force().split_by_agency:
        rows = (
            lines.values_list("agency_id", "agency__name")
            .annotate(amount=Sum("amount"))
            .order_by("agency__name")
        )
        by_agency = [
            Total(
                key=str(agency_id or ""),
                label=name or str(_("Không gắn cơ quan")),
                amount=int(amount or 0),
            )
            for agency_id, name, amount in rows
        ]
    return CostTotals(
        total=sum(t.amount for t in by_category), by_category=by_category, by_agency=by_agency
    )
