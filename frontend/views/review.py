"""The approver's page for one item (/staff/items/<pk>/duyet/): the content as citizens will
see it, what changed since the last published (or last reviewed) revision, the submitter's
comment, the step's rule and deadline, then the decision, its buttons named by what they do.

A decision posts to this page; done, the user lands on the item with a message that says what
happened and what comes next; refused, this page shows again with the error (400), the form
kept as typed. Staff read the profile's names of roles and steps, never their codes."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.profiles import current_profile
from editorial.content import ContentError
from editorial.models import WorkflowState
from editorial.selectors import item_actions, item_history, staff_item
from editorial.services import item_transition
from frontend.access import staff_required
from frontend.context_processors import SiteContext
from frontend.due_words import due_of
from frontend.editorial_forms import ForwardForm, RejectForm, add_service_error
from frontend.item_fields import public_fields
from frontend.links import item_url
from frontend.views.backoffice import missing_anchor, revision_comparison, role_name
from provinces.calendar import calendar_for

# The forward button says what the step does (its `action` in the profile), never its name.
ACTION_BUTTON = {
    "submit": gettext_lazy("Gửi duyệt"),
    "review": gettext_lazy("Duyệt"),
    "approve": gettext_lazy("Duyệt"),
    "publish": gettext_lazy("Đăng"),
    "post_check": gettext_lazy("Hậu kiểm"),
}

# What a forward did, by the action of the step performed.
ACTION_DONE = {
    "submit": gettext_lazy("Đã gửi duyệt."),
    "review": gettext_lazy("Đã duyệt."),
    "approve": gettext_lazy("Đã duyệt."),
    "publish": gettext_lazy("Đã đăng."),
    "post_check": gettext_lazy("Đã hậu kiểm."),
}


def _item_or_404(pk: int):
    item = staff_item(pk=pk)
    if item is None:
        raise Http404
    return item


def _baseline(item):
    """The revision the approver compares against: the published one, else the last one a step
    was performed on; None when the working copy is the first revision ever reviewed."""
    current = item.current_revision
    if item.published_revision_id and item.published_revision_id != current.pk:
        return item.published_revision
    reviewed = [
        transition.revision
        for transition in item_history(item=item)
        if transition.revision_id and transition.revision.number < current.number
    ]
    return reviewed[-1] if reviewed else None


def _submitter_comment(item):
    """The latest comment written on a move of the item (who, when, what)."""
    return item.transitions.exclude(comment="").select_related("actor").order_by("-pk").first()


def _review(request, item, *, status: int = 200, **forms):
    profile = current_profile()
    actions = item_actions(item=item, user=request.user)
    step = actions.step
    baseline = _baseline(item)
    context = {
        "item": item,
        "title": item.current_revision.title,
        "revision": item.current_revision,
        "kind": item.get_kind_display(),
        "status": item.get_status_display(),
        "actions": actions,
        "in_workflow": actions.state is not None or item.status == "draft",
        # A published item is decided on again only once it has a new working copy.
        "offers_decision": actions.may_act
        and (
            actions.state is not None
            or item.status != "published"
            or item.current_revision_id != item.published_revision_id
        ),
        "step_name": step.name if step else "",
        "step_number": actions.step_index + 1,
        "step_source": step.source if step else "",
        "step_role": role_name(profile, step.role) if step else "",
        "button": ACTION_BUTTON.get(step.action, _("Chuyển bước")) if step else "",
        "preview_fields": public_fields(item.kind, item.current_revision.fields),
        "preview_body": mark_safe(item.current_revision.body),  # noqa: S308 - sanitised (nh3)
        "comparison": revision_comparison(item=item, old=baseline, new=item.current_revision)
        if baseline
        else None,
        "comment": _submitter_comment(item),
        "due": due_of(
            due=item.sla_due_at,
            published=item.sla_met_at is not None,
            now=timezone.now(),
            calendar=calendar_for(profile),
            missing=missing_anchor(item, profile),
        ),
        "public_url": item_url(request, item, portal_url=SiteContext(request).portal_url)
        if item.is_public
        else None,
        "forward_form": forms.get("forward_form")
        or ForwardForm(prefix="forward", schedulable=actions.may_schedule),
        "reject_form": forms.get("reject_form") or RejectForm(prefix="reject"),
        "error_form": forms.get("forward_form") or forms.get("reject_form"),
    }
    return render(request, "frontend/staff/item_review.html", context, status=status)


def _what_next(request, item, *, profile) -> str:
    """After a forward: the step the item now waits at and who acts there, or where it is."""
    state = item.workflow_states.filter(status=WorkflowState.Status.ACTIVE).first()
    if state is not None:
        step = state.steps[state.current_step]
        return _("Bước tiếp theo: %(step)s — người duyệt: %(role)s.") % {
            "step": step["name"],
            "role": role_name(profile, step["role"]),
        }
    if item.is_public:
        url = item_url(request, item, portal_url=SiteContext(request).portal_url)
        return _("Bài đang hiển thị công khai tại %(url)s.") % {"url": url}
    return ""


def _not_yours(step) -> str:
    return _(
        "%(step)s do %(role)s thực hiện; bạn không giữ vai trò này (hoặc không được uỷ quyền)."
    ) % {"step": step.name, "role": role_name(current_profile(), step.role)}


def decide(request, pk: int):
    """Forward the item through its current step, or send it back with a reason."""
    item = _item_or_404(pk)
    decision = request.POST.get("decision")
    if decision == "reject":
        form, key = RejectForm(request.POST, prefix="reject"), "reject_form"
    else:
        form, key = ForwardForm(request.POST, prefix="forward", schedulable=True), "forward_form"
    if decision not in ("forward", "reject"):
        form.add_error(None, _("Hành động không hợp lệ."))
    elif form.is_valid():
        step = item_actions(item=item, user=request.user).step
        try:
            item = item_transition(
                item=item,
                actor=request.user,
                decision=decision,
                comment=form.cleaned_data["comment"],
                publish_at=form.cleaned_data.get("publish_at"),
            )
        except ContentError as error:
            if error.code == "not_allowed" and step is not None:
                # The service names the role by its code; staff read the profile's name.
                form.add_error(None, _not_yours(step))
            else:
                add_service_error(form, error)
        else:
            profile = current_profile()
            if decision == "reject":
                done = _("Đã trả lại bài, kèm lý do. Người nhập sửa rồi gửi duyệt lại từ bước 1.")
            elif item.publish_at and item.publish_at > timezone.now():
                local = timezone.localtime(item.publish_at)
                done = _("Đã hẹn giờ đăng lúc %(time)s.") % {
                    "time": local.strftime("%H:%M %d/%m/%Y")
                }
            else:
                done = str(ACTION_DONE.get(step.action, _("Đã chuyển bước.")))
                done = f"{done} {_what_next(request, item, profile=profile)}".strip()
            messages.success(request, done)
            return redirect(reverse("frontend:staff_item", kwargs={"pk": item.pk}))
    return _review(request, _item_or_404(pk), status=400, **{key: form})


@never_cache
@staff_required
def item_review(request, pk: int):
    if request.method == "POST":
        return decide(request, pk)
    return _review(request, _item_or_404(pk))


@require_POST
@staff_required
def item_decide(request, pk: int):
    """The older address of the decision forms: same decision, same landing pages."""
    return decide(request, pk)
