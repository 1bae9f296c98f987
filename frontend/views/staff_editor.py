"""What the editor page needs besides the workflow (frontend/views/backoffice.py): the preview
of the working copy as citizens will see it.

The preview renders the citizens' item template (frontend/public/_item.html) from the same
context as the public page (public.item_context), with the working copy instead of the
published revision, inside the look of the item's own site. It is never cached and never
indexed; any staff member who may open the editor may open it."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from editorial.content import ContentError
from editorial.pending_uploads import (
    MAX_BYTES,
    MAX_FILES,
    pending_upload_add,
    pending_upload_remove,
    pending_uploads,
)
from editorial.selectors import staff_item
from frontend.access import staff_required
from frontend.editorial_forms import AttachmentForm, add_service_error
from frontend.views.public import item_context


@never_cache
@require_GET
@staff_required
def item_preview(request, pk: int):
    item = staff_item(pk=pk)
    if item is None:
        raise Http404
    # The look (name, colours, menu) of the site the item is published on; the menu fragment
    # is cached under that site's own key, so nothing of the host's own pages changes.
    request.component_site = item.site if item.site_id is not None else None
    revision = item.current_revision
    fragment = render_to_string(
        "frontend/public/_item.html", item_context(request, item, revision), request=request
    )
    return render(
        request,
        "frontend/staff/item_preview.html",
        {
            "item": item,
            "revision": revision,
            "published": item.published_revision,
            "fragment": mark_safe(fragment),  # noqa: S308 - rendered by our own templates
        },
    )


# --- files uploaded before the item exists (the new-item form) ------------------------------
#
# The new-item form is one multipart form: "Tải tệp lên" keeps the chosen file in the author's
# waiting area (editorial.pending_uploads) and shows the form again with what was typed;
# "Bỏ tệp" drops one; "Lưu bản nháp" creates the item with the ticked files attached. It works
# without JavaScript, and nothing typed is lost by an upload.

UPLOAD = "upload"
REMOVE = "remove_upload"
KEEP = "keep_upload"
SHOWN = "shown_upload"


def upload_requested(request) -> bool:
    return request.method == "POST" and (
        request.POST.get("action") == UPLOAD or REMOVE in request.POST
    )


def upload_perform(request) -> tuple[AttachmentForm, int]:
    """Run the upload or removal the form asked for: (the upload form to show, status)."""
    if REMOVE in request.POST:
        removal = request.POST[REMOVE]
        if removal.isdigit() and len(removal) <= 18:
            pending_upload_remove(actor=request.user, pk=int(removal))
        return AttachmentForm(prefix=UPLOAD), 200
    form = AttachmentForm(request.POST, request.FILES, prefix=UPLOAD)
    if not form.is_valid():
        return form, 400
    try:
        pending_upload_add(actor=request.user, uploaded=form.cleaned_data["file"])
    except ContentError as error:
        add_service_error(form, error)
        return form, 400
    return AttachmentForm(prefix=UPLOAD), 200


def typed_input(request) -> dict:
    """What the author had typed, to show again (unbound: an upload is not a save, so the
    form's own checks wait for "Lưu bản nháp")."""
    return {
        name: values if len(values) > 1 else values[0]
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "action", REMOVE, KEEP, SHOWN) and values
    }


def _ids(request, name: str) -> list[int]:
    return [
        int(value)
        for value in request.POST.getlist(name)[:MAX_FILES]
        if value.isdigit() and len(value) <= 18
    ]


def kept_upload_ids(request) -> list[int]:
    """The ticked waiting files (the service ignores any that are not the author's)."""
    return _ids(request, KEEP)


def uploads_context(request, upload_form: AttachmentForm | None = None) -> dict:
    """The waiting files with their tick boxes: ticked unless the author unticked one that the
    form had shown (a file new since is ticked)."""
    shown = set(_ids(request, SHOWN)) if request.method == "POST" else set()
    kept = set(kept_upload_ids(request)) if request.method == "POST" else set()
    return {
        "upload_form": upload_form or AttachmentForm(prefix=UPLOAD),
        "pending_uploads": [
            {"upload": upload, "kept": upload.pk not in shown or upload.pk in kept}
            for upload in pending_uploads(owner=request.user)[:MAX_FILES]
        ],
        "pending_limits": {"files": MAX_FILES, "megabytes": MAX_BYTES // 1024 // 1024},
    }
