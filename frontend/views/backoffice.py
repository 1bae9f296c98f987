"""The editorial back office: the signed-in user's queue, the province's items, the editor with
the workflow actions the user may take, history and revision diffs.

Every write goes through editorial.services. A refusal (ContentError/EditorialError) shows the
page again with the service's message on the form that was sent, with status 400; the page
offers only the actions editorial.selectors.item_actions allows, but the services decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.profiles import current_profile
from editorial.content import FIELD_LABELS, ContentError
from editorial.models import Item, Kind
from editorial.pending_uploads import item_create_with_uploads
from editorial.selectors import (
    item_actions,
    item_history,
    item_queue_order,
    item_queue_rows,
    item_revisions,
    revision_diff,
    site_categories,
    staff_item,
    staff_item_list,
)
from editorial.services import (
    attachment_add,
    item_correct,
    item_share_to_portal,
    item_unpublish,
    item_update,
    item_withdraw,
)
from frontend import staff_filters
from frontend.access import staff_required
from frontend.context_processors import SiteContext
from frontend.downloads import download
from frontend.due_words import due_of
from frontend.editorial_forms import (
    AttachmentForm,
    CorrectionForm,
    ItemForm,
    UnpublishForm,
    WithdrawForm,
    add_service_error,
    procedure_agencies,
    service_message,
)
from frontend.item_fields import dossier_forms, kind_fields, procedure_gaps, public_fields
from frontend.links import item_url
from frontend.views import staff_editor
from organization.selectors import component_site_list
from provinces.calendar import calendar_for
from provinces.languages import offers_english

PAGE_SIZE = 50
PORTAL = "portal"  # the value of the site filter that means the provincial portal


def _item_or_404(pk: int):
    item = staff_item(pk=pk)
    if item is None:
        raise Http404
    return item


def _editor_url(item) -> str:
    return reverse("frontend:staff_item", kwargs={"pk": item.pk})


def role_name(profile, code: str) -> str:
    """The role's name in the profile (translated when the interface has a translation)."""
    role = profile.governance.role(code)
    return _(role.name) if role else code


def _site_name(item) -> str:
    if item.site_id is None:
        return _("Cổng tỉnh")
    return item.agency.name if item.agency_id else item.site.label


def _now():
    return timezone.now()


# --- queue and list ------------------------------------------------------------------------


def _site_filter(request, sites) -> tuple[str, object]:
    """The site GET parameter: "" (all), PORTAL, or a component site's label (else 400)."""
    value = staff_filters.choice(request, "site", {PORTAL, *(s.label for s in sites)})
    return value, next((s for s in sites if s.label == value), None)


def _due(item, now, calendar):
    return due_of(
        due=item.sla_due_at,
        published=item.sla_met_at is not None,
        now=now,
        calendar=calendar,
        missing=missing_anchor(item, current_profile()),
    )


def missing_anchor(item, profile) -> str | None:
    """The label of the field whose entry starts the item's update clock, when the profile
    gives the item a deadline but that field is still empty (None otherwise)."""
    if item.sla_due_at is not None or not item.sla_content_type or profile is None:
        return None
    sla = profile.sla(item.sla_content_type)
    target = sla.target(item.kind) if sla is not None else None
    return str(FIELD_LABELS.get(target.anchor_field, "")) or None if target else None


def _filter_choices(sites) -> dict:
    return {
        "statuses": Item.Status.choices,
        "kinds": Kind.choices,
        "sites": [(s.label, s.agency.name) for s in sites],
    }


@never_cache
@staff_required
def queue(request):
    """The items waiting for the user's step: overdue first, then the soonest due, then those
    the rules give no due time; filtered by site and kind, a page at a time."""
    now = _now()
    sites = list(component_site_list())
    site_value, site = _site_filter(request, sites)
    kind = staff_filters.choice(request, "kind", Kind.values)
    number = staff_filters.page_number(request)
    order = item_queue_order(
        user=request.user, now=now, site=site, portal_only=site_value == PORTAL, kind=kind
    )
    page = Paginator(order, PAGE_SIZE).get_page(number)
    calendar = calendar_for(current_profile())
    rows = []
    for item, state, step in item_queue_rows(state_ids=list(page)):
        due = _due(item, now, calendar)
        rows.append(
            {
                "url": _editor_url(item),
                "review_url": reverse("frontend:staff_item_review", kwargs={"pk": item.pk}),
                "title": item.current_revision.title,
                "kind": item.get_kind_display(),
                "site": _site_name(item),
                "status": item.get_status_display(),
                "step": step["name"],
                "step_number": state.current_step + 1,
                "step_count": len(state.steps),
                "due": due.due,
                "overdue": due.overdue,
                "due_words": due.words,
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "frontend/staff/queue.html",
        {
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "filters": {"kind": kind, "site": site_value},
            **_filter_choices(sites),
        },
    )


@never_cache
@staff_required
def item_list(request):
    sites = list(component_site_list())
    status = staff_filters.choice(request, "status", Item.Status.values)
    kind = staff_filters.choice(request, "kind", Kind.values)
    site_value, site = _site_filter(request, sites)
    number = staff_filters.page_number(request)
    items = staff_item_list(site=site, portal_only=site_value == PORTAL, status=status, kind=kind)
    page = Paginator(items, PAGE_SIZE).get_page(number)
    now = _now()
    calendar = calendar_for(current_profile())
    rows = []
    for item in page:
        due = _due(item, now, calendar)
        rows.append(
            {
                "url": _editor_url(item),
                "title": item.current_revision.title if item.current_revision_id else item.slug,
                "kind": item.get_kind_display(),
                "site": _site_name(item),
                "status": item.get_status_display(),
                "due": due.due,
                "overdue": due.overdue,
                "due_words": due.words,
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "frontend/staff/items.html",
        {
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "filters": {"status": status, "kind": kind, "site": site_value},
            **_filter_choices(sites),
        },
    )


# --- create --------------------------------------------------------------------------------


@never_cache
@staff_required
def item_new(request):
    sites = list(component_site_list())
    original = None
    if request.GET.get("translation_of"):
        pk = request.GET["translation_of"]
        original = staff_item(pk=int(pk)) if pk.isdigit() else None
        if original is None or original.language != "vi":
            raise Http404
        kind, site = original.kind, original.site
    else:
        kind = request.GET.get("kind", "")
        site_label = request.GET.get("site", "")
        site = next((s for s in sites if s.label == site_label), None)
        if site_label and site is None:
            raise Http404
        if kind not in Kind.values:
            return render(
                request,
                "frontend/staff/item_new_choose.html",
                {
                    "kinds": Kind.choices,
                    "sites": [(s.label, s.agency.name) for s in sites],
                    "chosen_site": site_label,  # not "site": the page's own site is `site`
                },
            )
    profile = current_profile()
    initial = ItemForm.initial_from(original.current_revision, original) if original else None
    # "Tải tệp lên" / "Bỏ tệp" post the same form: the file is kept, what was typed shown again.
    uploading = staff_editor.upload_requested(request)
    upload_form = None
    form = ItemForm(
        None if uploading else (request.POST or None),
        kind=kind,
        profile=profile,
        categories=site_categories(site=site),
        initial=staff_editor.typed_input(request) if uploading else initial,
        agencies=None if original else procedure_agencies(user=request.user, kind=kind, site=site),
    )
    status = 200
    if uploading:
        upload_form, status = staff_editor.upload_perform(request)
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                item = item_create_with_uploads(
                    upload_ids=staff_editor.kept_upload_ids(request),
                    actor=request.user,
                    kind=kind,
                    site=site,
                    language="en" if original else "vi",
                    translation_of=original,
                    **form.service_kwargs(),
                )
            except ContentError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Đã tạo bản nháp. Gửi duyệt khi nội dung đã sẵn sàng."))
                return redirect(_editor_url(item))
    return render(
        request,
        "frontend/staff/item_new.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "site_name": site.agency.name if site else _("Cổng tỉnh"),
            "original": original,
            "action": request.get_full_path(),
            **staff_editor.uploads_context(request, upload_form),
        },
        status=status,
    )


# --- the editor ----------------------------------------------------------------------------


def _steps(actions, profile) -> list[dict]:
    steps = actions.state.steps if actions.state else actions.workflow.snapshot()
    current = actions.step_index if actions.state else None
    return [
        {
            "number": index + 1,
            "name": step["name"],
            "role": role_name(profile, step["role"]),
            "source": step["source"],
            "current": index == current,
            "done": current is not None and index < current,
        }
        for index, step in enumerate(steps)
    ]


def _editor(request, item, *, status: int = 200, **forms):
    """The editor page; `forms` replaces the blank form of the action that was refused."""
    actions = item_actions(item=item, user=request.user)
    profile = current_profile()
    edit_form = forms.get("edit_form")
    if edit_form is None and actions.may_edit:
        edit_form = ItemForm(
            kind=item.kind,
            profile=profile,
            categories=site_categories(site=item.site_id),
            with_comment=True,
            initial=ItemForm.initial_from(item.current_revision, item),
        )
    published = item.published_revision
    context = {
        "item": item,
        "actions": actions,
        "revision": item.current_revision,
        "published": published,
        "title": item.current_revision.title,
        "kind": item.get_kind_display(),
        "status": item.get_status_display(),
        "site_name": _site_name(item),
        "steps": _steps(actions, profile),
        "step_role": role_name(profile, actions.step.role) if actions.step else "",
        "public_url": item_url(request, item, portal_url=SiteContext(request).portal_url)
        if item.is_public
        else None,
        "overdue": bool(item.sla_due_at and item.sla_due_at < _now() and item.sla_met_at is None),
        "preview_fields": public_fields(item.kind, item.current_revision.fields),
        "preview_body": mark_safe(item.current_revision.body),  # noqa: S308 - sanitised (nh3)
        "edit_form": edit_form,
        "correct_form": forms.get("correct_form")
        or CorrectionForm(
            prefix="correct",
            initial={"title": published.title, "body": published.body} if published else None,
        ),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(prefix="withdraw"),
        "unpublish_form": forms.get("unpublish_form") or UnpublishForm(prefix="unpublish"),
        "attach_form": forms.get("attach_form") or AttachmentForm(prefix="attach"),
        "share_error": forms.get("share_error"),
        "error_form": next((form for form in forms.values() if isinstance(form, Form)), None),
        "attachments": list(item.attachments.all()),
        "dossier_forms": dossier_forms(item),
        "procedure_gaps": procedure_gaps(item),
        "corrections": list(item.corrections.all()),
        "has_translation": item.language != "vi" or item.translations.exists(),
        # language.english = false: no English version to offer (the service refuses one).
        "offers_english": offers_english(profile),
    }
    return render(request, "frontend/staff/item_edit.html", context, status=status)


@never_cache
@staff_required
def item_edit(request, pk: int):
    item = _item_or_404(pk)
    if request.method != "POST":
        return _editor(request, item)
    form = ItemForm(
        request.POST,
        kind=item.kind,
        profile=current_profile(),
        categories=site_categories(site=item.site_id),
        with_comment=True,
    )
    if form.is_valid():
        scheduled = item.publish_at is not None
        try:
            item = item_update(
                item=item,
                actor=request.user,
                comment=form.cleaned_data.get("comment", ""),
                **form.service_kwargs(),
            )
        except ContentError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Đã lưu bản làm việc mới."))
            if scheduled and item.publish_at is None:  # ADR 0010: an edit cancels the schedule
                messages.warning(
                    request,
                    _(
                        "Lịch hẹn đăng đã bị huỷ: bài trở về bước 1 và phải được duyệt lại. "
                        "Người đã hẹn giờ đã được báo qua thư."
                    ),
                )
            return redirect(_editor_url(item))
    return _editor(request, item, edit_form=form, status=400)


def _editor_action(request, pk: int, *, form_class, prefix: str, perform, done: str):
    """A form of the editor posted to its own address: valid input goes to the service; a
    refusal shows the editor again with the message (400), the form kept as typed."""
    item = _item_or_404(pk)
    form = form_class(request.POST, request.FILES, prefix=prefix)
    if form.is_valid():
        try:
            perform(item, form.cleaned_data)
        except ContentError as error:
            add_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect(_editor_url(item))
    return _editor(request, _item_or_404(pk), status=400, **{f"{prefix}_form": form})


@require_POST
@staff_required
def item_correct_view(request, pk: int):
    return _editor_action(
        request,
        pk,
        form_class=CorrectionForm,
        prefix="correct",
        perform=lambda item, data: item_correct(
            item=item,
            actor=request.user,
            reason=data["reason"],
            text=data["text"],
            title=data["title"],
            body=data["body"],
        ),
        done=_("Đã đăng đính chính kèm ngày và lý do."),
    )


@require_POST
@staff_required
def item_withdraw_view(request, pk: int):
    return _editor_action(
        request,
        pk,
        form_class=WithdrawForm,
        prefix="withdraw",
        perform=lambda item, data: item_withdraw(
            item=item, actor=request.user, reason=data["reason"]
        ),
        done=_("Đã thu hồi bài; lý do hiển thị công khai."),
    )


@require_POST
@staff_required
def item_unpublish_view(request, pk: int):
    return _editor_action(
        request,
        pk,
        form_class=UnpublishForm,
        prefix="unpublish",
        perform=lambda item, data: item_unpublish(
            item=item, actor=request.user, reason=data["reason"]
        ),
        done=_("Đã gỡ bài khỏi trang."),
    )


@require_POST
@staff_required
def item_attach(request, pk: int):
    return _editor_action(
        request,
        pk,
        form_class=AttachmentForm,
        prefix="attach",
        perform=lambda item, data: attachment_add(
            item=item, actor=request.user, uploaded=data["file"]
        ),
        done=_("Đã đính kèm tệp."),
    )


@require_POST
@staff_required
def item_share(request, pk: int):
    item = _item_or_404(pk)
    try:
        shared = item_share_to_portal(item=item, actor=request.user)
    except ContentError as error:
        return _editor(request, item, status=400, share_error=service_message(error))
    messages.success(request, _("Đã chia sẻ lên Cổng tỉnh: bản nháp này chạy quy trình của Cổng."))
    return redirect(_editor_url(shared))


# --- history and diff ----------------------------------------------------------------------


@never_cache
@staff_required
def item_history_view(request, pk: int):
    item = _item_or_404(pk)
    rows = [
        {
            "at": transition.created_at,
            "action": transition.get_action_display(),
            "step": transition.step_name,
            "actor": transition.actor.full_name or transition.actor.username,
            "on_behalf_of": (transition.on_behalf_of.full_name or transition.on_behalf_of.username)
            if transition.on_behalf_of_id
            else None,
            "comment": transition.comment,
            "revision": transition.revision.number if transition.revision_id else None,
            "from_status": Item.Status(transition.from_status).label
            if transition.from_status
            else None,
            "to_status": Item.Status(transition.to_status).label,
        }
        for transition in item_history(item=item)
    ]
    return render(
        request,
        "frontend/staff/item_history.html",
        {"item": item, "title": item.current_revision.title, "rows": rows},
    )


def _number(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _field_words(kind: str):
    """Turns a diff line "event_at: None" into "Thời điểm diễn ra: —": staff read the field's
    label and a value in words, never the stored key."""
    labels = {field.name: field.label for field in kind_fields(kind)}
    words = {"None": "—", "": "—", "True": _("Có"), "False": _("Không")}

    def readable(line: str) -> str:
        key, colon, value = line.partition(": ")
        if not colon or key not in labels:
            return line
        return f"{labels[key]}: {words.get(value, value)}"

    return readable


def revision_comparison(*, item, old, new) -> dict:
    """Two revisions of an item line by line (the diff page and the approver's page)."""
    readable = _field_words(item.kind)
    lines = [(op, readable(line)) for op, line in revision_diff(old=old, new=new)]
    return {
        "old": old,
        "new": new,
        "lines": lines,
        "changed": any(op != " " for op, _line in lines),
    }


@never_cache
@staff_required
def item_diff(request, pk: int):
    item = _item_or_404(pk)
    revisions = {revision.number: revision for revision in item_revisions(item=item)}
    current = item.current_revision.number
    if item.published_revision_id and item.published_revision.number != current:
        default_from = item.published_revision.number
    else:
        default_from = max(current - 1, 1)
    old_number = _number(request.GET.get("from")) or default_from
    new_number = _number(request.GET.get("to")) or current
    old, new = revisions.get(old_number), revisions.get(new_number)
    if old is None or new is None:
        raise Http404
    return render(
        request,
        "frontend/staff/item_diff.html",
        {
            "item": item,
            "title": item.current_revision.title,
            **revision_comparison(item=item, old=old, new=new),
            "revisions": list(revisions.values()),
            "published_number": item.published_revision.number
            if item.published_revision_id
            else None,
        },
    )


@never_cache
@staff_required
def item_attachment(request, pk: int, attachment_pk: int):
    """A file of any item of the province, for its staff."""
    from editorial.models import Attachment

    attachment = Attachment.objects.filter(pk=attachment_pk, item_id=pk).first()
    return download(attachment)
