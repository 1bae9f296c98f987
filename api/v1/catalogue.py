"""The public-service catalogue on a province's hosts (ADR 0019), through catalog.selectors,
catalog.services and editorial.services.

A procedure is an editorial item of kind `procedure`. Citizens and integrators read what the
workflow published, on this host's site: the portal host lists the whole province's procedures,
a component site's host its own agency's. Staff (signed in, or through a key with the
`catalogue` scope for writes) enter a draft or a new version here and move it through the
province's workflow with `POST /api/v1/items/{id}/transitions/`: a procedure is never published
unapproved, and what the public reads changes only when the workflow publishes. Staff also
import and export the catalogue as files (CSV, JSON, XLSX).

Every value code in an answer travels with its Vietnamese label (`{"code", "label"}`), so that
a client shows people labels, never codes.
"""

from __future__ import annotations

import re
from datetime import date

from django.db.models import F
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorOutput
from api.pagination import CursorPagination
from api.parsers import BoundedJSONParser
from api.permissions import CatalogueWriteScope, require_catalogue_scope
from api.v1.editorial import MAX_COMMENT, MAX_SUMMARY, WorkflowOutput, require_staff
from catalog import selectors as catalog_selectors
from catalog import services as catalog_services
from catalog.importing import FORMATS
from catalog.models import ImportJob
from config.hosts import host_url, is_development_request
from core.errors import ErrorKind, ServiceError
from core.profiles import current_profile
from editorial import selectors as editorial_selectors
from editorial import services as editorial_services
from editorial.content import (
    MAX_BODY,
    MAX_TITLE,
    PROCEDURE_CODE,
    procedure_missing,
)
from editorial.models import Item, Kind, Revision
from editorial.urls_public import procedure_path
from organization.selectors import agency_list, component_site_list
from tenants.selectors import province_portal_host

TAGS = ["catalogue"]
ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}
STATE_ERRORS = {**ERRORS, 409: ErrorOutput}
QUERY_MAX = 200  # characters of a search
ONLINE_MAX = 20
CODE_PATTERN = re.compile(PROCEDURE_CODE)
CODE_MAX = 60
WORKFLOW_NOTE = (
    " The draft or new version then goes through the province's workflow with "
    "`POST /api/v1/items/{id}/transitions/` (the item id is in the answer); it is published "
    "only when the workflow's last step approves it."
)


# --- helpers ---------------------------------------------------------------------------------


def _coded(group: str, code: str | None) -> dict | None:
    if code is None:
        return None
    return {"code": code, "label": catalog_selectors.procedure_label(group, code)}


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _agency(item: Item) -> dict | None:
    return {"id": item.agency_id, "name": item.agency.name} if item.agency_id else None


def _valid_code(code: str) -> bool:
    return len(code) <= CODE_MAX and CODE_PATTERN.match(code) is not None


def _staff_procedure(code: str) -> Item | None:
    """Any procedure of the province (any status) by its national code, as staff see it."""
    if not _valid_code(code):
        return None
    pk = (
        editorial_selectors.staff_items()
        .filter(kind=Kind.PROCEDURE, language="vi", code=code)
        .values_list("pk", flat=True)
        .first()
    )
    return editorial_selectors.staff_item(pk=pk) if pk is not None else None


def _staff_procedure_or_404(code: str) -> Item:
    item = _staff_procedure(code)
    if item is None:
        raise ServiceError(
            "not_found",
            _("Không có thủ tục hành chính với mã này trong tỉnh."),
            kind=ErrorKind.NOT_FOUND,
        )
    return item


def _content(revision: Revision, *, code: str, form_urls: dict[str, str]) -> dict:
    """The procedure as one revision has it, with labels next to codes."""
    fields = revision.fields or {}
    online_level = fields.get("online_level") or ""
    return {
        "name": revision.title,
        "summary": revision.summary,
        "body": revision.body,
        "field": fields.get("field", ""),
        "level": _coded("level", fields.get("level", "province")),
        "methods": [_coded("methods", method) for method in fields.get("methods") or []],
        "subjects": fields.get("subjects", ""),
        "steps": [
            {"description": step.get("description", ""), "responsible": step.get("responsible", "")}
            for step in fields.get("steps") or []
        ],
        "dossier": [
            {
                "name": component.get("name", ""),
                "originals": component.get("originals", 0),
                "copies": component.get("copies", 0),
                "form": component.get("form", ""),
                "form_file": component.get("form_file", ""),
                "form_url": form_urls.get(component.get("form_file") or ""),
            }
            for component in fields.get("dossier") or []
        ],
        "dossier_sets": fields.get("dossier_sets", 1),
        "processing_days": fields.get("processing_days"),
        "processing_unit": _coded("processing_unit", fields.get("processing_unit", "working_days")),
        "processing_from": fields.get("processing_from", ""),
        "processing_note": fields.get("processing_note", ""),
        "fees": fields.get("fees", ""),
        "conditions": fields.get("conditions", ""),
        "legal_basis": fields.get("legal_basis", ""),
        "result": fields.get("result", ""),
        "online_level": _coded("online_level", online_level),
        "national_portal_url": catalog_selectors.national_portal_url(
            code=code, online_level=online_level
        ),
        "effective_on": _date(fields.get("effective_on")),
        "issued_on": _date(fields.get("issued_on")),
        "announced_in": fields.get("announced_in", ""),
    }


def _files_base(request, item: Item) -> str:
    """`scheme://host[:port]` of the host whose public downloads serve the item's files: its
    own site's (a procedure a component site lists may have been entered on the portal)."""
    here = request.component_site.pk if request.component_site is not None else None
    if item.site_id == here:
        return request.build_absolute_uri("/").rstrip("/")
    development = is_development_request(request)
    if item.site_id is None:
        host = province_portal_host(request.tenant, development=development)
    else:
        host = item.site.dev_host if development and item.site.dev_host else item.site.host
    return (host_url(request, host) if host else request.build_absolute_uri("/")).rstrip("/")


def _forms(request, item: Item, *, staff: bool) -> list[dict]:
    """The item's attachments (the forms citizens download), with absolute download URLs: the
    public download on the host of the item's site, or the back office's for staff."""
    forms = []
    base = None if staff else _files_base(request, item)
    for attachment in sorted(item.attachments.all(), key=lambda a: a.pk):
        if staff:
            path = reverse(
                "frontend:staff_item_attachment",
                kwargs={"pk": item.pk, "attachment_pk": attachment.pk},
            )
        else:
            path = reverse("frontend:attachment", kwargs={"pk": attachment.pk})
        forms.append(
            {
                "name": attachment.original_name,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "url": request.build_absolute_uri(path) if staff else base + path,
            }
        )
    return forms


def _form_urls(forms: list[dict]) -> dict[str, str]:
    return {form["name"]: form["url"] for form in forms}


def _public_procedure(request, item: Item) -> dict:
    forms = _forms(request, item, staff=False)
    versions = catalog_selectors.procedure_versions(item=item)
    return {
        "code": item.code,
        **_content(item.published_revision, code=item.code, form_urls=_form_urls(forms)),
        "agency": _agency(item),
        "forms": forms,
        "versions": [
            {
                "revision": revision.number,
                "effective_on": effective_on,
                "current": revision.pk == item.published_revision_id,
            }
            for revision, effective_on in versions
        ],
        "url": request.build_absolute_uri(procedure_path(item.code)),
        "first_published_at": item.first_published_at,
        "updated": item.published_at,
    }


def _deadline(item: Item) -> dict:
    now = timezone.now()
    late = bool(
        item.sla_due_at
        and (
            (item.sla_met_at is None and item.sla_due_at < now)
            or (item.sla_met_at is not None and item.sla_met_at > item.sla_due_at)
        )
    )
    return {
        "content_type": item.sla_content_type,
        "anchor_at": item.sla_anchor_at,
        "due_at": item.sla_due_at,
        "met_at": item.sla_met_at,
        "late": late,
        "rule": item.sla_rule,
        "article": item.sla_source,
    }


def _missing(item: Item) -> dict[str, list[str]]:
    """What keeps the working copy from being published: the parts the province's profile
    requires (public_services.required_fields) that it lacks, as publication would refuse."""
    revision = item.current_revision
    problems = procedure_missing(
        title=revision.title,
        fields=revision.fields or {},
        has_agency=item.agency_id is not None,
        attachment_names={attachment.original_name for attachment in item.attachments.all()},
        required=current_profile().public_services.required_fields,
    )
    return {path: [str(message) for message in messages] for path, messages in problems.items()}


def _staff_procedure_body(request, item: Item) -> dict:
    forms = _forms(request, item, staff=True)
    active = getattr(item, "active_states", None)
    return {
        "id": item.pk,
        "code": item.code,
        "status": _status(item),
        "site": item.site.label if item.site_id else None,
        "agency": _agency(item),
        "revision": item.current_revision.number,
        "published_revision": item.published_revision.number
        if item.published_revision_id
        else None,
        "is_public": item.is_public,
        "working_copy": _content(
            item.current_revision, code=item.code, form_urls=_form_urls(forms)
        ),
        "forms": forms,
        "deadline": _deadline(item),
        "missing": _missing(item),
        "workflow": WorkflowOutput(active[0]).data if active else None,
        "url": request.build_absolute_uri(procedure_path(item.code)),
        "created_at": item.created_at,
        "published_at": item.published_at,
    }


def _status(item: Item) -> dict:
    return {"code": item.status, "label": str(Item.Status(item.status).label)}


def _staff_answer(request, item: Item, *, status_code: int = status.HTTP_200_OK) -> Response:
    fresh = editorial_selectors.staff_item(pk=item.pk)
    return Response(
        StaffProcedureOutput(_staff_procedure_body(request, fresh)).data, status=status_code
    )


# --- output shapes -------------------------------------------------------------------------


class CodedOutput(serializers.Serializer):
    code = serializers.CharField(help_text="for programs")
    label = serializers.CharField(help_text="what people read (Vietnamese)")


class AgencyRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProcedureSummary(serializers.Serializer):
    code = serializers.CharField(help_text="the national procedure code")
    name = serializers.CharField()
    field = serializers.CharField(help_text="lĩnh vực")
    agency = AgencyRefOutput(allow_null=True, help_text="the implementing agency")
    level = CodedOutput(help_text="province or commune")
    online_level = CodedOutput(help_text="'' (not online) or one of the profile's levels")
    effective_on = serializers.DateField(allow_null=True)
    url = serializers.URLField(help_text="the public page")
    updated = serializers.DateTimeField(help_text="last published or corrected")


class StepOut(serializers.Serializer):
    description = serializers.CharField()
    responsible = serializers.CharField(help_text="the unit or person at this step")


class DossierOut(serializers.Serializer):
    name = serializers.CharField()
    originals = serializers.IntegerField()
    copies = serializers.IntegerField()
    form = serializers.CharField(help_text="the form's name, '' when none")
    form_file = serializers.CharField(help_text="the attachment holding the form")
    form_url = serializers.URLField(allow_null=True, help_text="download of the form")


class FormOut(serializers.Serializer):
    name = serializers.CharField(help_text="the file's original name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.URLField(help_text="download")


class ProcedureContentOutput(serializers.Serializer):
    name = serializers.CharField()
    summary = serializers.CharField()
    body = serializers.CharField(help_text="sanitised HTML: extra guidance")
    field = serializers.CharField()
    level = CodedOutput()
    methods = CodedOutput(many=True, help_text="in_person, post, online")
    subjects = serializers.CharField()
    steps = StepOut(many=True)
    dossier = DossierOut(many=True)
    dossier_sets = serializers.IntegerField()
    processing_days = serializers.FloatField(allow_null=True)
    processing_unit = CodedOutput(help_text="working_days or days")
    processing_from = serializers.CharField()
    processing_note = serializers.CharField()
    fees = serializers.CharField()
    conditions = serializers.CharField()
    legal_basis = serializers.CharField(help_text="one instrument per line")
    result = serializers.CharField()
    online_level = CodedOutput()
    national_portal_url = serializers.URLField(
        allow_null=True, help_text="the national public-service portal, when online"
    )
    effective_on = serializers.DateField(allow_null=True)
    issued_on = serializers.DateField(allow_null=True)
    announced_in = serializers.CharField(help_text="the decision announcing it")


class VersionOut(serializers.Serializer):
    revision = serializers.IntegerField()
    effective_on = serializers.DateField(allow_null=True)
    current = serializers.BooleanField(help_text="the version the public reads")


class ProcedureOutput(ProcedureContentOutput):
    code = serializers.CharField()
    agency = AgencyRefOutput(allow_null=True)
    forms = FormOut(many=True)
    versions = VersionOut(many=True, help_text="published versions, newest first")
    url = serializers.URLField()
    first_published_at = serializers.DateTimeField(allow_null=True)
    updated = serializers.DateTimeField()


class DeadlineOut(serializers.Serializer):
    content_type = serializers.CharField()
    anchor_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    met_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField()
    rule = serializers.CharField()
    article = serializers.CharField(help_text="the article of the province's regulation")


class StaffProcedureOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="the item id (workflow: /api/v1/items/{id}/…)")
    code = serializers.CharField()
    status = CodedOutput()
    site = serializers.CharField(allow_null=True, help_text="component site label; null: portal")
    agency = AgencyRefOutput(allow_null=True)
    revision = serializers.IntegerField(help_text="number of the working copy")
    published_revision = serializers.IntegerField(allow_null=True)
    is_public = serializers.BooleanField()
    working_copy = ProcedureContentOutput()
    forms = FormOut(many=True)
    deadline = DeadlineOut()
    missing = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="field path → what the working copy lacks that the province's profile "
        "requires for publication (empty: complete)",
    )
    workflow = WorkflowOutput(allow_null=True)
    url = serializers.URLField(help_text="the public page")
    created_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)


class ProblemOut(serializers.Serializer):
    line = serializers.IntegerField()
    field = serializers.CharField()
    reason = serializers.CharField()


class ImportJobOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.SerializerMethodField()
    original_name = serializers.CharField()
    format = serializers.CharField()
    good_rows_only = serializers.BooleanField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    created = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField()
    waiting = serializers.IntegerField(help_text="changes waiting for approval in the workflow")
    problems = ProblemOut(many=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(CodedOutput)
    def get_status(self, job) -> dict:
        return {"code": job.status, "label": str(ImportJob.Status(job.status).label)}


# --- list, create ----------------------------------------------------------------------------

LIST_PARAMETERS = {"q", "field", "agency", "level", "online", "cursor", "page_size"}


class ProcedureListQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=QUERY_MAX,
        help_text="words of the name, with or without diacritics, a typo allowed",
    )
    field = serializers.CharField(required=False, allow_blank=True, max_length=200)
    agency = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="implementing agency id"
    )
    level = serializers.ChoiceField(
        choices=["province", "commune"], required=False, allow_blank=True
    )
    online = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=ONLINE_MAX,
        help_text="none (not online), any_online, or one online level code (full, partial, "
        "level3…)",
    )

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - LIST_PARAMETERS)
        if unknown:
            raise serializers.ValidationError(
                {name[:60]: [_("Tham số không có.")] for name in unknown[:10]}
            )
        return attrs


class ProcedurePagination(CursorPagination):
    """The items list's cursor pagination, in the catalogue's order: best match first with
    words, otherwise by name."""

    ordering = ("name_order", "pk")

    def get_ordering(self, request, queryset, view):
        return ("relevance", "pk") if getattr(view, "searching", False) else self.ordering


class ProcedureCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=MAX_TITLE, help_text="tên thủ tục")
    summary = serializers.CharField(required=False, allow_blank=True, max_length=MAX_SUMMARY)
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_BODY,
        help_text="HTML (extra guidance), stored sanitised",
    )
    fields = serializers.DictField(
        help_text="code, field, level, methods, subjects, steps, dossier, dossier_sets, "
        "processing_days, processing_unit, processing_from, processing_note, fees, conditions, "
        "legal_basis, result, online_level, effective_on, issued_on, announced_in "
        "(docs/api/catalogue.md)"
    )
    agency = serializers.PrimaryKeyRelatedField(
        queryset=agency_list(),
        required=False,
        allow_null=True,
        help_text="implementing agency id; on a component site, the site's (the default)",
    )
    site = serializers.SlugRelatedField(
        slug_field="label",
        queryset=component_site_list(),
        required=False,
        allow_null=True,
        help_text="a component site's label; null: the provincial portal; "
        "default: the site of the host called",
    )


class ProcedureListCreateView(GenericAPIView):
    permission_classes = [CatalogueWriteScope]
    pagination_class = ProcedurePagination
    parser_classes = [BoundedJSONParser]
    searching = False

    @extend_schema(
        tags=TAGS,
        operation_id="procedures_list",
        parameters=[ProcedureListQuery],
        responses={200: ProcedureSummary(many=True), **ERRORS},
        description="Published procedures of this host's site (the portal: the province's; a "
        "component site: its agency's), by name, or best match first with `q` (accent-"
        "insensitive, a one-letter typo allowed). Unknown parameters are refused.",
    )
    def get(self, request):
        query = ProcedureListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        filters = catalog_selectors.ProcedureFilters(
            query=params.get("q", "").strip(),
            field=params.get("field", "").strip(),
            agency=params.get("agency"),
            level=params.get("level", ""),
            online=params.get("online", "").strip(),
        )
        items = catalog_selectors.public_procedures(site=request.component_site, filters=filters)
        self.searching = bool(filters.query)
        if self.searching:
            items = items.annotate(relevance=F("rank"))  # the search's order
        else:
            items = items.annotate(name_order=F("published_revision__title"))
        page = self.paginate_queryset(items)
        body = [
            {
                "code": item.code,
                "name": item.published_revision.title,
                "field": item.published_revision.fields.get("field", ""),
                "agency": _agency(item),
                "level": _coded("level", item.published_revision.fields.get("level", "province")),
                "online_level": _coded(
                    "online_level", item.published_revision.fields.get("online_level") or ""
                ),
                "effective_on": _date(item.published_revision.fields.get("effective_on")),
                "url": request.build_absolute_uri(procedure_path(item.code)),
                "updated": item.published_at,
            }
            for item in page
        ]
        return self.get_paginated_response(ProcedureSummary(body, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="procedures_create",
        request=ProcedureCreateInput,
        responses={201: StaffProcedureOutput, **STATE_ERRORS, 413: ErrorOutput},
        description="A draft procedure, by someone who may act at the first step of its "
        "site's workflow; a signed-in user or a key with the `catalogue` scope (the `write` "
        "scope alone is refused). 400 with field paths (`fields.code`, `fields.steps.0."
        "description`…) for bad input, 409 `duplicate_code` when the code exists." + WORKFLOW_NOTE,
    )
    def post(self, request):
        payload = ProcedureCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        item = editorial_services.item_create(
            actor=request.user,
            kind=Kind.PROCEDURE,
            title=data["name"],
            summary=data.get("summary", ""),
            body=data.get("body", ""),
            fields=data["fields"],
            site=data.get("site", request.component_site),
            agency=data.get("agency"),
        )
        return _staff_answer(request, item, status_code=status.HTTP_201_CREATED)


# --- one procedure: read, update -------------------------------------------------------------


class ProcedureReadQuery(serializers.Serializer):
    view = serializers.ChoiceField(
        choices=["public", "staff"],
        default="public",
        help_text="staff: the working copy, state, deadline and item id (staff only)",
    )


FIXED = ("agency", "site", "language", "code")


class ProcedureUpdateInput(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=MAX_TITLE)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=MAX_SUMMARY)
    body = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_BODY
    )
    fields = serializers.DictField(
        required=False,
        help_text="replaces the procedure's fields; `code` cannot change; a new effective_on "
        "(or issued_on) starts a new update deadline",
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=MAX_COMMENT)

    def validate(self, attrs):
        fixed = [name for name in FIXED if name in self.initial_data]
        if fixed:
            raise serializers.ValidationError(
                {name: [_("Không đổi được sau khi đã tạo thủ tục.")] for name in fixed}
            )
        if not set(attrs) - {"comment"}:
            raise serializers.ValidationError(_("Hãy gửi ít nhất một trường cần sửa."))
        return attrs


def _code_or_404(code: str) -> str:
    if not _valid_code(code):
        raise ServiceError(
            "not_found", _("Không có thủ tục hành chính với mã này."), kind=ErrorKind.NOT_FOUND
        )
    return code


class ProcedureDetailView(APIView):
    permission_classes = [CatalogueWriteScope]
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="procedures_read",
        parameters=[ProcedureReadQuery],
        responses={200: ProcedureOutput, **ERRORS, 410: ErrorOutput},
        description="The published procedure of this host's site, with labels next to codes, "
        "its forms to download, the national portal's link when online, and its published "
        "versions with their effective dates. 410 with the reason once taken down. "
        "`view=staff` (staff only; answered with the staff shape, StaffProcedure): any status, "
        "the working copy, the workflow, the update deadline (due, late, rule, article) and "
        "the item id.",
    )
    def get(self, request, procedure_code: str):
        query = ProcedureReadQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        if query.validated_data["view"] == "staff":
            require_staff(request)
            item = _staff_procedure_or_404(procedure_code)
            return Response(StaffProcedureOutput(_staff_procedure_body(request, item)).data)
        item = catalog_selectors.public_procedure(
            code=_code_or_404(procedure_code), site=request.component_site
        )
        if item is None:
            raise ServiceError(
                "not_found",
                _("Không có thủ tục hành chính với mã này trên trang."),
                kind=ErrorKind.NOT_FOUND,
            )
        if item.status != Item.Status.PUBLISHED:
            reason = catalog_selectors.procedure_end_reason(item=item)
            raise ServiceError(
                "gone",
                reason or _("Thủ tục hành chính này không còn được công bố."),
                kind=ErrorKind.GONE,
            )
        return Response(ProcedureOutput(_public_procedure(request, item)).data)

    @extend_schema(
        tags=TAGS,
        operation_id="procedures_update",
        request=ProcedureUpdateInput,
        responses={200: StaffProcedureOutput, **STATE_ERRORS},
        description="A new version (revision) of the working copy; what the public reads "
        "changes only when the workflow publishes it. The code, agency and site are fixed. "
        "A signed-in user or a key with the `catalogue` scope." + WORKFLOW_NOTE,
    )
    def patch(self, request, procedure_code: str):
        item = _staff_procedure_or_404(procedure_code)
        payload = ProcedureUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "name" in data:
            data["title"] = data.pop("name")
        item = editorial_services.item_update(item=item, actor=request.user, **data)
        return _staff_answer(request, item)


# --- files: import, export -------------------------------------------------------------------


class ImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="CSV, JSON or XLSX (docs/catalogue.md)")
    good_rows_only = serializers.BooleanField(
        default=False, help_text="import the good rows and list the bad ones"
    )


class ProcedureImportView(APIView):
    permission_classes = [CatalogueWriteScope]
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=TAGS,
        operation_id="procedures_import",
        request={"multipart/form-data": ImportInput},
        responses={202: ImportJobOutput, **ERRORS, 413: ErrorOutput},
        description="Queue an import of procedures (staff; a key needs the `catalogue` "
        "scope). Every row is checked first: with a bad row nothing is stored (status "
        "refused, each problem with its line) unless `good_rows_only`. Follow it with "
        "GET /api/v1/procedures/imports/{job_id}/. Changes go through the workflow.",
    )
    def post(self, request):
        require_staff(request)
        payload = ImportInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        job = catalog_services.import_job_start(
            actor=request.user, upload=data["file"], good_rows_only=data["good_rows_only"]
        )
        return Response(ImportJobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class ProcedureImportJobView(APIView):
    permission_classes = [CatalogueWriteScope]

    @extend_schema(
        tags=TAGS,
        operation_id="procedures_import_status",
        responses={200: ImportJobOutput, **ERRORS},
        description="Where an import stands: status, done of total, the counts and each "
        "problem (line, field, reason). Its own author's jobs, or any for the province "
        "administrator.",
    )
    def get(self, request, job_id: int):
        require_staff(request)
        require_catalogue_scope(request)
        job = catalog_selectors.import_job(pk=job_id, user=request.user)
        if job is None:
            raise ServiceError("not_found", _("Không có lượt nhập này."), kind=ErrorKind.NOT_FOUND)
        return Response(ImportJobOutput(job).data)


class _AnyFormat(DefaultContentNegotiation):
    """`format` names the file's format here, not the answer's renderer (errors are JSON)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportQuery(serializers.Serializer):
    format = serializers.ChoiceField(choices=list(FORMATS), default="csv")


class ProcedureExportView(APIView):
    permission_classes = [CatalogueWriteScope]
    content_negotiation_class = _AnyFormat

    @extend_schema(
        tags=TAGS,
        operation_id="procedures_export",
        parameters=[ExportQuery],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "application/json"): OpenApiResponse(OpenApiTypes.BINARY),
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiResponse(OpenApiTypes.BINARY),
            **ERRORS,
        },
        description="The province's catalogue as a file in the import's format (staff; a key "
        "needs the `catalogue` scope): re-importing it changes nothing.",
    )
    def get(self, request):
        require_staff(request)
        require_catalogue_scope(request)
        query = ExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data, content_type, filename = catalog_services.procedures_export(
            format=query.validated_data["format"]
        )
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
