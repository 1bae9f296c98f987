"""Reads of a province's organization shared by api/ and frontend/."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from organization.models import Agency, ComponentSite, Delegation, Leader, Role, RoleAssignment


def component_site_list() -> QuerySet[ComponentSite]:
    return ComponentSite.objects.select_related("agency").filter(is_active=True)


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).select_related("site")


def agency_contacts(*, agency_id: int | None = None) -> QuerySet[Agency]:
    """The active agencies with their component site and their active leaders in order, for
    the contacts pages: two queries whatever their number (one agency with `agency_id`)."""
    agencies = (
        Agency.objects.filter(is_active=True)
        .select_related("site")
        .prefetch_related(
            Prefetch(
                "leaders",
                queryset=Leader.objects.filter(is_active=True).order_by("position", "pk"),
                to_attr="public_leaders",
            )
        )
        .order_by("name")
    )
    return agencies.filter(pk=agency_id) if agency_id is not None else agencies


def agency_admin_list() -> QuerySet[Agency]:
    """The active agencies for the administrator's contacts pages, each with `leader_count`
    (its leaders, hidden ones included): one query."""
    return (
        Agency.objects.filter(is_active=True)
        .annotate(leader_count=Count("leaders"))
        .order_by("kind", "name")
    )


def agency_for_contacts(*, pk: int) -> Agency | None:
    """One active agency with every leader (hidden ones too), for the administrator's page."""
    return (
        Agency.objects.filter(pk=pk, is_active=True)
        .prefetch_related(Prefetch("leaders", queryset=Leader.objects.order_by("position", "pk")))
        .first()
    )


def leader_of(*, agency: Agency, pk: int) -> Leader | None:
    """A leader of `agency` (None when the pk is another agency's: no reach across)."""
    return Leader.objects.filter(agency=agency, pk=pk).first()


def agency_by_reference(reference: str) -> Agency | None:
    """The agency a person names on the command line: by its full name, its short name or its
    component site's label ("stttt"), whichever matches first; None when none does."""
    import unicodedata

    reference = unicodedata.normalize("NFC", reference).strip()
    if not reference:
        return None
    return (
        Agency.objects.filter(name=reference).first()
        or Agency.objects.filter(short_name__iexact=reference).first()
        or Agency.objects.filter(site__label=reference.lower()).first()
    )


def role_assignment_list(*, user) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.filter(user=user)
        .select_related("role", "agency")
        .order_by("role__code", "agency__name")
    )


def acting_capacity(*, user, role_code: str, agency_id: int | None, delegation_allowed: bool, at):
    """Whether `user` may act in `role_code` for an item of `agency_id` at instant `at`.

    Returns (True, None) when the user holds the role in the right scope; (True, delegator)
    when the user acts as the delegate of a holder (only where the workflow allows it);
    (False, None) otherwise. An agency-scoped role is held for one agency; a portal role with
    no agency."""
    role = Role.objects.filter(code=role_code).only("id", "scope").first()
    if role is None or not user.is_active:
        return False, None
    scope = (
        {"agency_id": agency_id} if role.scope == Role.Scope.AGENCY else {"agency__isnull": True}
    )
    if role.scope == Role.Scope.AGENCY and agency_id is None:
        return False, None
    if RoleAssignment.objects.filter(user=user, role=role, **scope).exists():
        return True, None
    if not delegation_allowed:
        return False, None
    delegation = (
        Delegation.objects.filter(
            delegate=user,
            role=role,
            starts_at__lte=at,
            ends_at__gt=at,
            revoked_at__isnull=True,
            **({"agency_id": agency_id} if role.scope == Role.Scope.AGENCY else {}),
        )
        .select_related("delegator")
        .order_by("starts_at")
    )
    for grant in delegation:
        holder_scope = (
            {"agency_id": agency_id}
            if role.scope == Role.Scope.AGENCY
            else {"agency__isnull": True}
        )
        if (
            grant.delegator.is_active
            and RoleAssignment.objects.filter(
                user=grant.delegator, role=role, **holder_scope
            ).exists()
        ):
            return True, grant.delegator
    return False, None


def users_in_role(*, role_code: str, agency_id: int | None):
    """The active holders of a role (for an agency when the role is agency-scoped)."""
    from accounts.models import User

    role = Role.objects.filter(code=role_code).first()
    if role is None:
        return User.objects.none()
    assignments = RoleAssignment.objects.filter(role=role)
    if role.scope == Role.Scope.AGENCY:
        # agency_id=None is meant (Django makes it IS NULL); the stubs refuse None in lookups.
        assignments = assignments.filter(agency_id=agency_id)  # type: ignore[misc]
    return User.objects.filter(is_active=True, pk__in=assignments.values("user_id")).order_by(
        "username"
    )


class CapacityIndex:
    """`acting_capacity` for many items at once: a user's roles and current delegations read
    in three queries, then answered in memory (the queue of a busy province has hundreds)."""

    def __init__(self, *, user, at):
        self.scopes = dict(Role.objects.values_list("code", "scope"))
        self.held = set(
            RoleAssignment.objects.filter(user=user).values_list("role__code", "agency_id")
        )
        grants = list(
            Delegation.objects.filter(
                delegate=user,
                revoked_at__isnull=True,
                starts_at__lte=at,
                ends_at__gt=at,
                delegator__is_active=True,
            ).values_list("role__code", "agency_id", "delegator_id")
        )
        holders = set(
            RoleAssignment.objects.filter(
                user_id__in={delegator for _, _, delegator in grants}
            ).values_list("user_id", "role__code", "agency_id")
        )
        self.grants = [
            (role, agency, delegator)
            for role, agency, delegator in grants
            if (delegator, role, agency) in holders
        ]
        self.active = user.is_active

    def codes(self) -> set[str]:
        return {role for role, _ in self.held} | {role for role, _, _ in self.grants}

    def allows(self, *, role_code: str, agency_id: int | None, delegation_allowed: bool):
        """(allowed, delegator_id or None), as acting_capacity answers it."""
        scope = self.scopes.get(role_code)
        if scope is None or not self.active:
            return False, None
        if scope == Role.Scope.AGENCY and agency_id is None:
            return False, None
        wanted = agency_id if scope == Role.Scope.AGENCY else None
        if (role_code, wanted) in self.held:
            return True, None
        if delegation_allowed:
            for role, agency, delegator in self.grants:
                if role == role_code and agency == wanted:
                    return True, delegator
        return False, None


def delegation_list(*, user) -> tuple[QuerySet, QuerySet]:
    """(given by `user`, received by `user`): every delegation, newest first."""
    base = Delegation.objects.select_related(
        "delegator", "delegate", "role", "agency", "revoked_by"
    ).order_by("-starts_at", "-pk")
    return base.filter(delegator=user), base.filter(delegate=user)


def delegation_get(*, pk: int):
    return Delegation.objects.select_related("delegator", "delegate", "role").filter(pk=pk).first()


def delegate_candidates(*, exclude):
    """The province's active staff accounts a delegation may name, `exclude` left out."""
    from accounts.models import User

    return (
        User.objects.filter(is_active=True)
        .exclude(pk=exclude.pk)
        .only("id", "username", "full_name")
        .order_by("full_name", "username")
    )


# --- the editorial board --------------------------------------------------------------------


@dataclass(frozen=True)
class BoardSeat:
    """One member of the editorial board and what they oversee: the whole province
    (`agency_ids` None) or the agencies they hold the board's role in."""

    user: Any
    agency_ids: frozenset[int] | None

    @property
    def whole_province(self) -> bool:
        return self.agency_ids is None

    def oversees(self, agency_id: int | None) -> bool:
        return self.agency_ids is None or agency_id in self.agency_ids


def board_role_code(*, profile) -> str | None:
    """The board's role: the one of the portal workflow's publish step (Hà Giang Art. 12(4);
    Thái Nguyên Art. 10(5), 16(2)). Read from the profile, so a province whose publishing role
    is agency-scoped (Huế) has a board per agency."""
    steps = profile.governance.workflows.portal.steps
    return next((step.role for step in steps if step.action == "publish"), None)


def board_members(*, profile) -> list[BoardSeat]:
    """Who the editorial board is, for every module (editorial reminders and summaries, the
    Q&A escalation and the publication of answers): the active holders of the board's role,
    each with what they oversee (the whole province for a portal role, their agencies for an
    agency role)."""
    code = board_role_code(profile=profile)
    role = Role.objects.filter(code=code).first() if code else None
    if code is None or role is None:
        return []
    if role.scope == Role.Scope.PORTAL:
        return [BoardSeat(user, None) for user in users_in_role(role_code=code, agency_id=None)]
    from accounts.models import User

    held: dict[int, set[int]] = {}
    rows = RoleAssignment.objects.filter(role=role, agency__isnull=False, agency__is_active=True)
    for user_id, agency_id in rows.values_list("user_id", "agency_id"):
        held.setdefault(user_id, set()).add(agency_id)
    users = User.objects.filter(is_active=True, pk__in=held).order_by("username")
    return [BoardSeat(user, frozenset(held[user.pk])) for user in users]


def board_for(*, profile, agency_id: int | None) -> list[BoardSeat]:
    """The board members who oversee an item of `agency_id` (None: the portal's own). Where
    nobody oversees that agency (an agency-scoped board with no holder there), every member:
    an item is never escalated to nobody."""
    seats = board_members(profile=profile)
    overseeing = [seat for seat in seats if seat.oversees(agency_id)]
    return overseeing or seats


def is_board_member(*, user, profile, agency_id: int | None) -> bool:
    """Whether `user` sits on the board that oversees an item of `agency_id`."""
    return any(seat.user.pk == user.pk for seat in board_for(profile=profile, agency_id=agency_id))
