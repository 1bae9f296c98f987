"""The back office's side of drafts open for comment: moderating citizens' comments and the
synthesis the drafting agency compiles (Đồng Nai Art. 8(2)(c): "tổng hợp, tiếp thu ý kiến").

Who may do what is editorial.selectors.comment_access: the staff who may edit the draft
approve or reject; they, the drafting agency's staff and the portal's editors read every
comment (with the e-mail addresses) and download the synthesis as a printable page, CSV or
XLSX. Anyone else gets 403; a visitor who is not signed in is sent to the sign-in page."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from unidecode import unidecode

from accounts.services import audit_record
from core.errors import ErrorKind
from core.text import spreadsheet_text
from editorial.content import ContentError
from editorial.models import PublicComment
from editorial.selectors import (
    comment_access,
    draft_comment,
    draft_comments,
    staff_draft,
    staff_drafts_with_comments,
)
from editorial.services import public_comment_moderate
from frontend.access import staff_required
from frontend.context_processors import SiteContext
from frontend.editorial_forms import service_message
from frontend.links import item_url

LISTED_MAX = 500  # comments of one status listed on the moderation page
EXPORTED_MAX = 50_000  # comments in one synthesis


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _draft_or_404(pk: int):
    item = staff_draft(pk=pk)
    if item is None:
        raise Http404
    return item


def _readable(request, item):
    access = comment_access(item=item, user=request.user)
    if not access.may_read:
        raise PermissionDenied
    return access


def _header(request, item) -> dict:
    """What names the draft on every page and file: title, drafting body, period, site."""
    revision = item.published_revision
    fields = revision.fields
    return {
        "title": revision.title,
        "drafting_body": fields.get("drafting_body", ""),
        "opens_on": _date(fields.get("opens_on")),
        "closes_on": _date(fields.get("closes_on")),
        "site_name": item.agency.name if item.site_id and item.agency_id else _("Cổng tỉnh"),
        "public_url": item_url(request, item, portal_url=SiteContext(request).portal_url)
        if item.is_public
        else None,
    }


@never_cache
@staff_required
def overview(request):
    rows = [
        {
            "title": row.item.published_revision.title,
            "site": row.item.agency.name if row.item.site_id and row.item.agency_id else "",
            "opens_on": _date(row.item.published_revision.fields.get("opens_on")),
            "closes_on": _date(row.item.published_revision.fields.get("closes_on")),
            "pending": row.pending,
            "approved": row.approved,
            "rejected": row.rejected,
            "may_moderate": row.access.may_moderate,
            "url": reverse("frontend:staff_comments_draft", kwargs={"pk": row.item.pk}),
        }
        for row in staff_drafts_with_comments(user=request.user)
    ]
    return render(request, "frontend/staff/comments/overview.html", {"rows": rows})


@never_cache
@staff_required
def draft_page(request, pk: int):
    item = _draft_or_404(pk)
    access = _readable(request, item)
    statuses = PublicComment.Status
    groups = [
        (status, list(draft_comments(item=item, statuses=[status])[: LISTED_MAX + 1]))
        for status in (statuses.PENDING, statuses.VISIBLE, statuses.HIDDEN)
    ]
    context = {
        "item": item,
        "draft": _header(request, item),
        "may_moderate": access.may_moderate,
        "groups": [
            {
                "status": status,
                "label": status.label,
                "comments": comments[:LISTED_MAX],
                "more": len(comments) > LISTED_MAX,
            }
            for status, comments in groups
        ],
        "listed_max": LISTED_MAX,
    }
    return render(request, "frontend/staff/comments/draft.html", context)


@require_POST
@staff_required
def comment_decide(request, pk: int):
    comment = draft_comment(pk=pk)
    if comment is None:
        raise Http404
    decision = request.POST.get("decision", "")
    try:
        public_comment_moderate(comment=comment, decision=decision, acting_user=request.user)
    except ContentError as error:
        if error.kind == ErrorKind.FORBIDDEN:
            raise PermissionDenied from error
        messages.error(request, service_message(error))
    else:
        messages.success(
            request,
            _("Đã duyệt góp ý, góp ý hiển thị trên trang dự thảo.")
            if decision == "approve"
            else _("Đã không duyệt góp ý, góp ý không hiển thị công khai."),
        )
    return redirect(reverse("frontend:staff_comments_draft", kwargs={"pk": comment.item_id}))


# --- the synthesis -------------------------------------------------------------------------


def _rows(item) -> list[dict]:
    return [
        {
            "number": number,
            "name": comment.name,
            "email": comment.email,
            "created_at": timezone.localtime(comment.created_at),
            "status": comment.get_status_display(),
            "text": comment.text,
        }
        for number, comment in enumerate(draft_comments(item=item)[:EXPORTED_MAX], start=1)
    ]


def _counts(rows: list[dict]) -> dict:
    labels = PublicComment.Status
    return {
        "total": len(rows),
        "approved": sum(row["status"] == labels.VISIBLE.label for row in rows),
        "pending": sum(row["status"] == labels.PENDING.label for row in rows),
        "rejected": sum(row["status"] == labels.HIDDEN.label for row in rows),
    }


def _columns() -> list[str]:
    return [
        _("STT"),
        _("Họ và tên"),
        _("Thư điện tử"),
        _("Thời điểm gửi"),
        _("Tình trạng"),
        _("Nội dung góp ý"),
    ]


def _title_lines(draft: dict, counts: dict) -> list[str]:
    period = ""
    if draft["opens_on"] and draft["closes_on"]:
        period = _("Thời hạn lấy ý kiến: từ %(opens)s đến hết %(closes)s") % {
            "opens": draft["opens_on"].strftime("%d/%m/%Y"),
            "closes": draft["closes_on"].strftime("%d/%m/%Y"),
        }
    lines = [
        _("Tổng hợp ý kiến góp ý dự thảo: %(title)s") % {"title": draft["title"]},
        _("Cơ quan chủ trì soạn thảo: %(body)s") % {"body": draft["drafting_body"]},
        period,
        _(
            "Tổng số góp ý: %(total)s (đã duyệt, công khai: %(approved)s; chờ duyệt: "
            "%(pending)s; không duyệt: %(rejected)s)"
        )
        % counts,
        _("Lập lúc: %(now)s") % {"now": timezone.localtime().strftime("%H:%M %d/%m/%Y")},
    ]
    return [line for line in lines if line]


def _file_name(item, extension: str) -> str:
    base = slugify(unidecode(item.published_revision.title))[:60] or "du-thao"
    return f"tong-hop-gop-y-{item.pk}-{base}.{extension}"


def _exported(request, item, file_format: str) -> None:
    # The synthesis holds citizens' e-mail addresses: who downloaded it is recorded.
    audit_record(
        actor=request.user,
        action="draft_comments_exported",
        target=f"item {item.pk}",
        format=file_format,
    )


@never_cache
@staff_required
def synthesis(request, pk: int):
    """The synthesis as a page to print (or save as PDF from the browser)."""
    item = _draft_or_404(pk)
    _readable(request, item)
    rows = _rows(item)
    draft = _header(request, item)
    context = {
        "item": item,
        "draft": draft,
        "rows": rows,
        "counts": _counts(rows),
        "columns": _columns(),
        "generated_at": timezone.localtime(),
        "summary": item.published_revision.fields.get("comment_summary", ""),
    }
    _exported(request, item, "html")
    return render(request, "frontend/staff/comments/synthesis.html", context)


@never_cache
@staff_required
def synthesis_csv(request, pk: int):
    """The synthesis as CSV in UTF-8 with a byte-order mark, so that Excel reads Vietnamese."""
    item = _draft_or_404(pk)
    _readable(request, item)
    rows = _rows(item)
    draft = _header(request, item)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in _title_lines(draft, _counts(rows)):
        writer.writerow([spreadsheet_text(line)])
    writer.writerow([])
    writer.writerow(_columns())
    for row in rows:
        writer.writerow(
            [
                row["number"],
                spreadsheet_text(row["name"]),
                spreadsheet_text(row["email"]),
                row["created_at"].strftime("%d/%m/%Y %H:%M"),
                row["status"],
                spreadsheet_text(row["text"]),
            ]
        )
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_name(item, "csv")}"'
    _exported(request, item, "csv")
    return response


@never_cache
@staff_required
def synthesis_xlsx(request, pk: int):
    """The synthesis as an Excel workbook: the draft's heading, then one row per comment."""
    item = _draft_or_404(pk)
    _readable(request, item)
    rows = _rows(item)
    draft = _header(request, item)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Tổng hợp góp ý")[:31]

    def put(row: int, column: int, value, *, bold: bool = False):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            cell.value = spreadsheet_text(value)
            cell.data_type = "s"  # text, never a formula
        else:
            cell.value = value
        if bold:
            cell.font = Font(bold=True)
        return cell

    line_number = 0
    for line_number, line in enumerate(_title_lines(draft, _counts(rows)), start=1):
        put(line_number, 1, line, bold=line_number == 1)
    header_row = line_number + 2
    for column, label in enumerate(_columns(), start=1):
        put(header_row, column, label, bold=True)
    for offset, row in enumerate(rows, start=1):
        at = header_row + offset
        put(at, 1, row["number"])
        put(at, 2, row["name"])
        put(at, 3, row["email"])
        date_cell = put(at, 4, row["created_at"].replace(tzinfo=None))
        date_cell.number_format = "dd/mm/yyyy hh:mm"
        put(at, 5, row["status"])
        put(at, 6, row["text"]).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (6, 28, 30, 18, 20, 90), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_name(item, "xlsx")}"'
    _exported(request, item, "xlsx")
    return response
