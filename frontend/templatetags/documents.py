"""What a legal document's or a draft's page needs beyond the item's own fields: the approved
comments on a draft, the days left to comment, and a file's type in words."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from editorial.selectors import PUBLIC_COMMENTS_SHOWN_MAX, public_draft_comments

register = template.Library()

# The content types core.uploads accepts, as a reader names them.
FILE_KINDS = {
    "application/pdf": "PDF",
    # core.uploads recognises the old Office format (.doc, .xls) by one signature.
    "application/msword": _("Tài liệu Office 97–2003"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "OpenDocument",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument",
    "application/zip": "ZIP",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "text/plain": _("Văn bản thuần"),
    "text/csv": "CSV",
}


@register.simple_tag
def approved_comments(item) -> dict:
    """{"comments": the approved comments shown, "more": whether there are more than shown}."""
    comments = public_draft_comments(item=item)
    return {
        "comments": comments[:PUBLIC_COMMENTS_SHOWN_MAX],
        "more": len(comments) > PUBLIC_COMMENTS_SHOWN_MAX,
        "shown": PUBLIC_COMMENTS_SHOWN_MAX,
    }


@register.filter
def iso_date(value) -> date | None:
    """A date stored as ISO text ("2026-03-31") as a date, None when it is not one."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@register.filter
def days_from_today(value) -> int | None:
    """Whole days from today in Vietnam to the date `value` (negative once past)."""
    day = iso_date(value)
    return (day - timezone.localdate()).days if day is not None else None


@register.filter
def file_kind(content_type: str) -> str:
    """A file's type as readers name it ("PDF", "Word"…), else its content type."""
    return str(FILE_KINDS.get(content_type or "", content_type or ""))
