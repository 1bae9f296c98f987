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

from editorial.selectors import staff_item
from frontend.access import staff_required
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
