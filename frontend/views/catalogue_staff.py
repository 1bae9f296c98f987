"""The staff side of the public-service catalogue (issue 11, ADR 0019): the province's
procedures as a list to keep current, the import of a file with its progress, the export.

A procedure is an editorial item of kind `procedure`: it is created and edited with the item
editor (frontend/views/backoffice.py) and published through the site's workflow. This page only
lists them, with the state and the update deadline of each; the import and the export go through
catalog.services, the job's progress is read with catalog.selectors."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from catalog.importing import FORMATS, column_label
from catalog.models import ImportJob
from catalog.selectors import import_job
from catalog.services import CatalogError, import_job_start, procedures_export
from core.db import Folded
from core.profiles import current_profile
from core.text import fold
from editorial.dashboard import WHOLE_PROVINCE, dashboard_scope, is_platform_default
from editorial.models import Item, Kind, WorkflowState
from editorial.selectors import staff_item_list, workflow_of
from frontend import staff_filters
from frontend.access import staff_required
from frontend.due_words import due_of
from frontend.errors import add_service_error, http_status
from frontend.views.backoffice import missing_anchor, role_name
from organization.selectors import CapacityIndex, agency_list
from provinces.calendar import calendar_for
from provinces.citations import in_parentheses

PAGE_SIZE = 50
QUERY_MAX = 200  # characters of a search by name or code
MAX_WORDS = 10  # words of a search matched at most
FIELD_MAX = 200  # as ProcedureFields.field
FIELD_VALUES_MAX = 300  # fields offered in the filter, the most used first
# The states a procedure can be in, as the filter offers them (the item's status).
STATES = [
    (Item.Status.DRAFT, gettext_lazy("Bản nháp")),
    (Item.Status.IN_WORKFLOW, gettext_lazy("Đang chờ duyệt")),
    (Item.Status.PUBLISHED, gettext_lazy("Đã công bố")),
    (Item.Status.UNPUBLISHED, gettext_lazy("Đã gỡ (bãi bỏ, tạm ngừng)")),
    (Item.Status.WITHDRAWN, gettext_lazy("Đã thu hồi")),
]
LATE = "1"


# --- the list ------------------------------------------------------------------------------


def _scope(user):
    """What the user keeps: the province's procedures (a portal role, an administrator) or
    those of the agencies of the user's roles."""
    return WHOLE_PROVINCE if user.is_superuser else dashboard_scope(user=user)


def _scoped_procedures(scope):
    """The procedures in `scope`; `waiting`: a version runs through the workflow (a published
    procedure's new version keeps the item published meanwhile)."""
    running = WorkflowState.objects.filter(item=OuterRef("pk"), status=WorkflowState.Status.ACTIVE)
    items = (
        staff_item_list(kind=Kind.PROCEDURE).filter(language="vi").annotate(waiting=Exists(running))
    )
    return scope.items(items)


def _text_filter(request, name: str, limit: int) -> str:
    value = request.GET.get(name, "").strip()
    if len(value) > limit or "\x00" in value:
        raise BadRequest(f"{name}: too long")
    return value


def _agency_filter(request, agencies: dict) -> int | None:
    raw = request.GET.get("agency", "")
    if not raw:
        return None
    if len(raw) > 18 or not raw.isdigit() or int(raw) not in agencies:
        raise BadRequest("agency: not one of the page's choices")
    return int(raw)


def _effective_on(revision) -> date | None:
    raw = (revision.fields or {}).get("effective_on") if revision is not None else None
    try:
        return date.fromisoformat(raw) if raw else None
    except (TypeError, ValueError):
        return None


def _row(item, *, now, calendar, profile) -> dict:
    due = due_of(
        due=item.sla_due_at,
        published=item.sla_met_at is not None,
        now=now,
        calendar=calendar,
        missing=missing_anchor(item, profile),
    )
    revision = item.current_revision
    return {
        "url": reverse("frontend:staff_item", kwargs={"pk": item.pk}),
        "code": item.code,
        "name": revision.title if revision is not None else item.slug,
        "agency": item.agency.name if item.agency_id else "",
        "effective_on": _effective_on(revision),
        "state": dict(STATES).get(item.status, item.get_status_display()),
        # A published procedure whose working copy is a newer version: waiting for approval,
        # or not yet sent.
        "new_version": (
            ("waiting" if item.waiting else "draft")
            if item.published_revision_id is not None
            and item.current_revision_id != item.published_revision_id
            else ""
        ),
        "due": due.due,
        "overdue": due.overdue,
        "due_words": due.words,
        "article": ""
        if due.due is None or is_platform_default(item.sla_source)
        else item.sla_source,
    }


@never_cache
@staff_required
def procedures(request):
    """The procedures the user keeps, filtered by agency, field, state, lateness and words
    (name or code), a page at a time; each row with its deadline and the article that sets it."""
    now = timezone.now()
    scope = _scope(request.user)
    items = _scoped_procedures(scope)
    agencies = {agency.pk: agency for agency in scope.agencies(agency_list())}
    fields = list(
        items.filter(current_revision__fields__has_key="field")
        .values_list("current_revision__fields__field", flat=True)
        .distinct()
        .order_by("current_revision__fields__field")[:FIELD_VALUES_MAX]
    )
    agency = _agency_filter(request, agencies)
    field = _text_filter(request, "field", FIELD_MAX)
    if field and field not in fields:
        raise BadRequest("field: not one of the page's choices")
    state = staff_filters.choice(request, "state", [code for code, _label in STATES])
    late = staff_filters.choice(request, "late", {LATE})
    query = _text_filter(request, "q", QUERY_MAX)
    number = staff_filters.page_number(request)
    if agency is not None:
        items = items.filter(agency_id=agency)
    if field:
        items = items.filter(current_revision__fields__field=field)
    if state == Item.Status.IN_WORKFLOW:
        items = items.filter(Q(status=state) | Q(waiting=True))
    elif state:
        items = items.filter(status=state)
    if late:
        items = items.filter(sla_due_at__lt=now, sla_met_at__isnull=True)
    if query:
        # A code as typed, or every word of the name with or without accents ("dang ky khai
        # sinh" finds "Đăng ký khai sinh"), as the public search folds them.
        words = fold(query).split()[:MAX_WORDS]
        named = Q(*[Q(folded_title__contains=word) for word in words]) if words else Q(pk=None)
        items = items.annotate(folded_title=Folded(F("current_revision__title"))).filter(
            Q(code__istartswith=query) | named
        )
    items = items.select_related("published_revision")
    page = Paginator(items, PAGE_SIZE).get_page(number)
    profile = current_profile()
    calendar = calendar_for(profile)
    rows = [_row(item, now=now, calendar=calendar, profile=profile) for item in page]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "frontend/staff/catalogue/procedures.html",
        {
            "rows": rows,
            "page": page,
            "query": params.urlencode(),
            "filters": {
                "agency": agency,
                "field": field,
                "state": state,
                "late": late,
                "q": query,
            },
            "agencies": [(pk, agency.name) for pk, agency in agencies.items()],
            "fields": fields,
            "states": STATES,
            "may_import": may_import(request.user),
            "formats": sorted(FORMATS),
        },
    )


# --- import --------------------------------------------------------------------------------


def _first_step():
    return workflow_of(site=None).steps[0]


def may_import(user) -> bool:
    """An import creates and changes procedures of the portal: only a holder of the role of
    the first step of the portal's workflow (or its delegate) may start one; the service
    checks it again."""
    return _first_step().role in CapacityIndex(user=user, at=timezone.now()).codes()


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp danh mục thủ tục"),
        help_text=gettext_lazy(
            "CSV, JSON hoặc Excel (XLSX), mỗi dòng một thủ tục, các cột như tài liệu "
            "hướng dẫn nhập danh mục. Tệp có dòng lỗi không được nhập, trừ khi chọn ô dưới."
        ),
        max_length=255,
        error_messages={"required": gettext_lazy("Hãy chọn một tệp.")},
    )
    good_rows_only = forms.BooleanField(
        label=gettext_lazy("Chỉ nhập các dòng đúng, bỏ qua các dòng lỗi"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in FORMATS:
            raise forms.ValidationError(
                _("Chỉ nhận tệp .csv, .json hoặc .xlsx (tệp đã chọn: “%(name)s”).")
                % {"name": upload.name}
            )
        return upload


def _forbidden(request):
    step = _first_step()
    return render(
        request,
        "frontend/staff/catalogue/import_forbidden.html",
        {
            "role": role_name(current_profile(), step.role),
            "step": step.name,
            "basis": in_parentheses(step.source),
        },
        status=403,
    )


@never_cache
@staff_required
def procedure_import(request):
    """The upload: the file is stored and imported by a worker; the next page follows it."""
    if not may_import(request.user):
        return _forbidden(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                job = import_job_start(
                    actor=request.user,
                    upload=form.cleaned_data["file"],
                    good_rows_only=form.cleaned_data["good_rows_only"],
                )
            except CatalogError as error:
                add_service_error(form, error, field_map={"upload": "file", "format": "file"})
                status = http_status(error)
            else:
                return redirect("frontend:staff_procedure_import_job", pk=job.pk)
    return render(request, "frontend/staff/catalogue/import.html", {"form": form}, status=status)


def _problem_rows(job) -> list[dict]:
    rows = []
    for problem in job.problems or []:
        if not isinstance(problem, dict):
            continue
        field = str(problem.get("field", ""))
        rows.append(
            {
                "line": problem.get("line") or None,  # 0: the file as a whole
                "field": _("Tệp") if field == "file" else column_label(field),
                "reason": problem.get("reason", ""),
            }
        )
    return rows


@never_cache
@staff_required
def import_progress(request, pk: int):
    """The job's progress (refreshed every 2 s by progress.js, or by the page itself without
    JavaScript), then its result. Only its owner or an administrator sees it."""
    job = import_job(pk=pk, user=request.user)
    if job is None:
        raise Http404
    percent = min(100, job.done * 100 // job.total) if job.total else 0
    problems = _problem_rows(job)
    return render(
        request,
        "frontend/staff/catalogue/import_job.html",
        {
            "job": job,
            "finished": job.finished,
            "refused": job.status == ImportJob.Status.REFUSED,
            "failed": job.status == ImportJob.Status.FAILED,
            "percent": percent,
            "problems": problems,
            # Rows named by their line; a problem of the whole file (line 0) is not a row.
            "bad_lines": len({problem["line"] for problem in problems if problem["line"]}),
        },
    )


# --- export --------------------------------------------------------------------------------


@never_cache
@staff_required
def procedure_export(request, fmt: str):
    """The province's catalogue as a file the import reads back (CSV, JSON or XLSX)."""
    if fmt not in FORMATS:
        raise Http404
    data, content_type, filename = procedures_export(format=fmt)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
