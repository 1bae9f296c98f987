"""Drafts open for the public's comment (Decree 43/2011 Art. 10(i); Đồng Nai Art. 8; Thái
Nguyên Art. 4(7)): the list of a site's drafts (`/du-thao/`), open now with the days left and
recently closed, and a citizen's comment on one.

A draft's own page is the item page (frontend/views/public.py, template public/item.html): the
full text, the drafting body, the period, the approved comments and the comment form."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from config.client import client_address
from core import limits
from editorial.content import ContentError
from editorial.models import Item
from editorial.selectors import DRAFTS_CLOSED_SHOWN_DAYS, public_drafts, public_item
from editorial.services import public_comment_submit
from frontend.editorial_forms import CommentForm, add_service_error
from frontend.links import item_path
from frontend.page_cache import public_page
from frontend.public_cache import cached
from frontend.views.errors import rate_limited
from frontend.views.public import item_response

CLOSED_SHOWN_MAX = 20


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _row(item, today: date) -> dict:
    revision = item.published_revision
    opens, closes = _date(item.opens), _date(item.closes)
    return {
        "url": item_path(item),
        "title": revision.title,
        "summary": revision.summary,
        "drafting_body": revision.fields.get("drafting_body", ""),
        "opens_on": opens,
        "closes_on": closes,
        # The closing day is the last day comments are taken (public_comment_submit).
        "days_left": (closes - today).days if closes else None,
        "comments": item.comments_shown,
    }


@public_page
def draft_list(request):
    site = request.component_site
    today = timezone.localdate()

    def build() -> dict:
        open_now, upcoming, closed = [], [], []
        for item in public_drafts(site=site, today=today):
            row = _row(item, today)
            if row["opens_on"] is None or row["closes_on"] is None:
                continue
            if row["closes_on"] < today:
                closed.append(row)
            elif row["opens_on"] > today:
                upcoming.append(row)
            else:
                open_now.append(row)
        closed.sort(key=lambda row: row["closes_on"], reverse=True)
        upcoming.sort(key=lambda row: row["opens_on"])
        context = {
            "open_now": open_now,
            "upcoming": upcoming,
            "closed": closed[:CLOSED_SHOWN_MAX],
            "closed_days": DRAFTS_CLOSED_SHOWN_DAYS,
        }
        html = render_to_string("frontend/documents/_drafts.html", context, request=request)
        return {"html": html}

    # The days left change at midnight: today is part of the cached fragment's key.
    part = cached(request, "drafts", (today.isoformat(),), build)
    assert part is not None
    return render(
        request,
        "frontend/documents/drafts.html",
        {"fragment": mark_safe(part["html"])},  # noqa: S308 - rendered by our own templates
    )


@require_POST
@csrf_protect
def draft_comment(request, slug: str, language: str = "vi"):
    """A citizen's comment on a draft open for comment, held for moderation. The citizen must
    agree that their name and comment may be published; their e-mail never is."""
    item = public_item(site=request.component_site, slug=slug, language=language)
    if item is None or item.status != Item.Status.PUBLISHED:
        raise Http404
    # Comments per client address and hour (no third-party CAPTCHA): core.limits.
    comments = limits.counter("editorial.draft_comment", who=client_address(request), province=None)
    if comments.blocked():
        return rate_limited(
            request,
            retry_after=comments.retry_after() or comments.limit.window(),
            back_url=item_path(item),
            back_label=_("Về dự thảo"),
        )
    form = CommentForm(request.POST)
    if form.is_valid():
        comments.hit()
        try:
            public_comment_submit(
                item=item,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                text=form.cleaned_data["text"],
                consent=form.cleaned_data["consent"],
            )
        except ContentError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Đã nhận góp ý của bạn. Góp ý sẽ được xem xét trước khi hiển thị công khai."),
            )
            return redirect(item_path(item))
    return item_response(request, slug=slug, language=language, comment_form=form, status=400)
