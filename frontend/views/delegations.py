"""Delegations of workflow roles: the signed-in user's grants (given and received), a form to
grant one of the user's roles to a colleague for a period, and revocation.

Writes go through organization.services; whether a delegate may then act at a step is the
profile's to say, step by step (a step's own delegation_allowed, else its workflow's), shown
on the page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.profiles import current_profile
from editorial import rules
from frontend.access import staff_required
from frontend.editorial_forms import DelegationForm, add_service_error, service_message
from organization.selectors import (
    delegate_candidates,
    delegation_get,
    delegation_list,
    role_assignment_list,
)
from organization.services import OrganizationError, delegation_create, delegation_revoke

# OrganizationError.field → the form's field.
FIELD_MAP = {"delegator": "assignment", "role": "assignment", "delegate": "delegate"}


def _person(user) -> str:
    return f"{user.full_name} ({user.username})" if user.full_name else user.username


def _rows(delegations, now) -> list[dict]:
    rows = []
    for delegation in delegations:
        if delegation.revoked_at:
            state, label = "revoked", pgettext("delegation", "Đã thu hồi")
        elif delegation.ends_at <= now:
            state, label = "expired", _("Đã hết hạn")
        elif delegation.starts_at > now:
            state, label = "upcoming", _("Chưa bắt đầu")
        else:
            state, label = "active", _("Đang hiệu lực")
        rows.append(
            {
                "pk": delegation.pk,
                "role": delegation.role.name,
                "agency": delegation.agency.name if delegation.agency_id else None,
                "delegator": _person(delegation.delegator),
                "delegate": _person(delegation.delegate),
                "starts_at": delegation.starts_at,
                "ends_at": delegation.ends_at,
                "reason": delegation.reason,
                "state": state,
                "state_label": label,
                "revocable": state in ("active", "upcoming"),
            }
        )
    return rows


def _workflow(name: str, spec: rules.WorkflowSpec) -> dict:
    return {
        "name": name,
        "source": spec.source,
        "steps": [
            {"name": step.name, "allowed": step.delegation_allowed, "source": step.source}
            for step in spec.steps
        ],
    }


def _page(request, *, form=None, revoke_error: str | None = None, status: int = 200):
    user = request.user
    assignments = list(role_assignment_list(user=user))
    candidates = list(delegate_candidates(exclude=user))
    if form is None:
        form = DelegationForm(assignments=assignments, candidates=candidates)
    given, received = delegation_list(user=user)
    now = timezone.now()
    profile = current_profile()
    return render(
        request,
        "frontend/staff/delegations.html",
        {
            "form": form if assignments else None,
            "given": _rows(given, now),
            "received": _rows(received, now),
            "revoke_error": revoke_error,
            "assignments": [
                {
                    "role": a.role.name,
                    "scope": a.role.get_scope_display(),
                    "agency": a.agency.name if a.agency else None,
                }
                for a in assignments
            ],
            "workflows": [
                _workflow(_("Cổng tỉnh"), rules.workflow_for(profile, on_portal=True)),
                _workflow(
                    _("Trang thông tin thành phần"), rules.workflow_for(profile, on_portal=False)
                ),
            ],
        },
        status=status,
    )


@never_cache
@staff_required
def delegations(request):
    if request.method != "POST":
        return _page(request)
    user = request.user
    assignments = {a.pk: a for a in role_assignment_list(user=user)}
    candidates = {u.pk: u for u in delegate_candidates(exclude=user)}
    form = DelegationForm(
        request.POST, assignments=assignments.values(), candidates=candidates.values()
    )
    if form.is_valid():
        data = form.cleaned_data
        assignment = assignments[data["assignment"]]
        try:
            delegation_create(
                actor=user,
                delegator=user,
                delegate=candidates[data["delegate"]],
                role_code=assignment.role.code,
                agency_name=assignment.agency.name if assignment.agency else None,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
            )
        except OrganizationError as error:
            add_service_error(form, error, field_map=FIELD_MAP)
        else:
            messages.success(request, _("Đã uỷ quyền."))
            return redirect("frontend:staff_delegations")
    return _page(request, form=form, status=400)


@require_POST
@staff_required
def delegation_revoke_view(request, pk: int):
    delegation = delegation_get(pk=pk)
    if delegation is None:
        raise Http404
    try:
        delegation_revoke(delegation=delegation, actor=request.user)
    except OrganizationError as error:
        return _page(request, revoke_error=service_message(error), status=400)
    messages.success(request, _("Đã thu hồi uỷ quyền."))
    return redirect("frontend:staff_delegations")
