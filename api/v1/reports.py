"""The province's reports, read-only (issue 14, Must have 6): the reports drafted from the
profile's `reporting` entries that the caller may see (reports.selectors), one report with
its figures, due day and rule and its sign-off, and its files. Staff signed in on the
province's host, or a key of such staff with the `reports` scope (api.permissions)."""

from __future__ import annotations

import logging

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from api.errors import ErrorOutput
from api.pagination import CursorPagination
from api.permissions import ReportsScope
from core.errors import ErrorKind, ServiceError
from reports.documents import open_file
from reports.models import Report
from reports.selectors import (
    CADENCE_LABELS,
    SUBJECT_LABELS,
    person_name,
    report_for,
    report_list,
)

logger = logging.getLogger(__name__)

TAGS = ["reports"]
ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}
MAX_ID = 2**63 - 1


def _not_found() -> ServiceError:
    return ServiceError("not_found", _("Không có báo cáo này."), kind=ErrorKind.NOT_FOUND)


def _report(request, pk: int) -> Report:
    if not 0 < pk <= MAX_ID:
        raise _not_found()
    try:
        return report_for(request.user, pk)
    except Report.DoesNotExist:
        raise _not_found() from None


class ReportQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=Report.Status.choices, required=False)
    # "from"/"to" are keywords: the fields are named apart and mapped below.
    cursor = serializers.CharField(required=False, max_length=1000)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False, help_text="periods ending on or after this day (YYYY-MM-DD)"
        )
        fields["to"] = serializers.DateField(
            required=False, help_text="periods starting on or before this day (YYYY-MM-DD)"
        )
        return fields


class ReportSummary(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    cadence = serializers.CharField()
    cadence_label = serializers.SerializerMethodField()
    subject_label = serializers.SerializerMethodField()
    who = serializers.CharField()
    to = serializers.CharField()
    source = serializers.CharField(help_text="the article requiring the report")
    agency = serializers.CharField(source="agency.name", allow_null=True, default=None)
    site = serializers.CharField(source="site.name", allow_null=True, default=None)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    due_on = serializers.DateField()
    status = serializers.CharField(help_text="drafted or signed_off")
    status_label = serializers.CharField(source="get_status_display")
    signed_off_at = serializers.DateTimeField(allow_null=True)

    def get_cadence_label(self, report) -> str:
        return str(CADENCE_LABELS.get(report.cadence, report.cadence))

    def get_subject_label(self, report) -> str:
        return str(SUBJECT_LABELS.get(report.subject, report.subject))


class SignOffOutput(serializers.Serializer):
    signed_off_at = serializers.DateTimeField(allow_null=True)
    signed_off_by = serializers.CharField(source="signed_off_name")
    on_behalf_of = serializers.SerializerMethodField()
    note = serializers.CharField(source="sign_off_note")

    def get_on_behalf_of(self, report) -> str | None:
        holder = report.signed_off_on_behalf_of
        return person_name(holder) if holder else None


class ReportDetail(ReportSummary):
    due_rule = serializers.CharField()
    due_source = serializers.CharField()
    profile_effective_from = serializers.DateField()
    drafted_at = serializers.DateTimeField()
    figures = serializers.JSONField(help_text="reports.figures.Figures.as_dict()")
    sign_off = serializers.SerializerMethodField()
    document = serializers.SerializerMethodField(help_text="the DOCX, when written")
    tables = serializers.SerializerMethodField(help_text="the XLSX, when written")

    def get_sign_off(self, report) -> dict | None:
        if report.status != Report.Status.SIGNED_OFF:
            return None
        return dict(SignOffOutput(report).data)

    def get_document(self, report) -> str | None:
        return f"/api/v1/reports/{report.pk}/document/" if report.document else None

    def get_tables(self, report) -> str | None:
        return f"/api/v1/reports/{report.pk}/tables/" if report.tables else None


class ReportPagination(CursorPagination):
    ordering = ("-period_end", "-pk")


class ReportListView(GenericAPIView):
    permission_classes = [ReportsScope]
    pagination_class = ReportPagination

    @extend_schema(
        tags=TAGS,
        operation_id="reports_list",
        parameters=[ReportQuery],
        responses={200: ReportSummary(many=True), **ERRORS},
        description="The reports the caller may see, newest period first; ?status=drafted or "
        "signed_off, ?from= and ?to= (days) bound the periods.",
    )
    def get(self, request):
        query = ReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            raise ServiceError("period_order", _("Ngày bắt đầu sau ngày kết thúc."), "from")
        reports = report_list(
            user=request.user,
            status=data.get("status"),
            start=data.get("from"),
            end=data.get("to"),
        )
        page = self.paginate_queryset(reports)
        return self.get_paginated_response(ReportSummary(page, many=True).data)


class ReportDetailView(GenericAPIView):
    permission_classes = [ReportsScope]

    @extend_schema(
        tags=TAGS,
        operation_id="reports_detail",
        responses={200: ReportDetail, **ERRORS},
        description="One report: its figures, its due day with the rule and its source, its "
        "sign-off (who, when, on whose behalf) and the addresses of its files.",
    )
    def get(self, request, pk: int):
        return Response(ReportDetail(_report(request, pk)).data)


class _ReportFileView(GenericAPIView):
    permission_classes = [ReportsScope]
    which = "document"

    def get(self, request, pk: int):
        report = _report(request, pk)
        try:
            handle, name, content_type = open_file(report, self.which)
        except FileNotFoundError:
            logger.warning("file %s of report %s is missing", self.which, report.pk)
            raise _not_found() from None
        response = FileResponse(
            handle, as_attachment=True, filename=name, content_type=content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ReportDocumentView(_ReportFileView):
    which = "document"

    @extend_schema(
        tags=TAGS,
        operation_id="reports_document",
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="DOCX"), **ERRORS},
        description="The report's Word document (DOCX).",
    )
    def get(self, request, pk: int):
        return super().get(request, pk)


class ReportTablesView(_ReportFileView):
    which = "tables"

    @extend_schema(
        tags=TAGS,
        operation_id="reports_tables",
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="XLSX"), **ERRORS},
        description="The report's tables as a spreadsheet (XLSX), one sheet per table.",
    )
    def get(self, request, pk: int):
        return super().get(request, pk)
