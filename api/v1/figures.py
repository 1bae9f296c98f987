"""The province's activity figures over a period, read-only (issue 14, Must have 6): what the
reports are drafted from (reports.figures), for the whole province, an agency or a component
site. Staff signed in on the province's host, or a key of such staff with the `reports` scope
(api.permissions.ReportsScope): keys live in a province's schema, so another province's key is
unknown here."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorOutput
from api.permissions import ReportsScope
from organization.models import Agency, ComponentSite
from reports.figures import MAX_PERIOD_DAYS, activity_figures

TAGS = ["reports"]
ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput}
MAX_ID = 2**63 - 1
FIRST_YEAR, LAST_YEAR = 2000, 2100
PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def _month(value: str) -> tuple[date, date]:
    match = PERIOD.match(value)
    if match is None:
        raise serializers.ValidationError(_("Kỳ phải có dạng YYYY-MM (ví dụ 2026-03)."))
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or not FIRST_YEAR <= year <= LAST_YEAR:
        raise serializers.ValidationError(_("Không có tháng này."))
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


class FiguresQuery(serializers.Serializer):
    period = serializers.CharField(required=False, max_length=7)
    agency = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    site = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def get_fields(self):
        # "from" is a keyword: the field is added by name.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False)
        fields["to"] = serializers.DateField(required=False)
        return fields

    def validate(self, attrs):
        errors: dict[str, list[str]] = {}
        start, end = attrs.get("from"), attrs.get("to")
        if "period" in attrs:
            if start or end:
                errors["period"] = [
                    _("Chọn một kỳ (period) hoặc từ ngày – đến ngày, không cả hai.")
                ]
            else:
                try:
                    start, end = _month(attrs["period"])
                except serializers.ValidationError as error:
                    errors["period"] = [str(detail) for detail in error.detail]
        elif start is None or end is None:
            for name in ("from", "to"):
                if attrs.get(name) is None:
                    errors[name] = [_("Cần ngày (YYYY-MM-DD) hoặc một kỳ (period=YYYY-MM).")]
        if not errors and start and end:
            for name, day in (("from", start), ("to", end)):
                if not FIRST_YEAR <= day.year <= LAST_YEAR:
                    errors[name] = [
                        _("Năm phải trong khoảng %(first)s–%(last)s.")
                        % {"first": FIRST_YEAR, "last": LAST_YEAR}
                    ]
            if not errors and end < start:
                errors["to"] = [_("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.")]
            elif not errors and (end - start).days + 1 > MAX_PERIOD_DAYS:
                errors["to"] = [_("Một kỳ dài tối đa %(days)s ngày.") % {"days": MAX_PERIOD_DAYS}]
        if "agency" in attrs and "site" in attrs:
            errors["site"] = [_("Chọn một cơ quan hoặc một trang thành phần, không cả hai.")]
        if errors:
            raise serializers.ValidationError(errors)
        attrs["start"], attrs["end"] = start, end
        return attrs


class FiguresView(APIView):
    permission_classes = [ReportsScope]

    @extend_schema(
        tags=TAGS,
        operation_id="reports_figures",
        summary="Activity figures of the province, an agency or a component site over a period",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="first day (YYYY-MM-DD)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="last day, inclusive"),
            OpenApiParameter("period", str, description="a month instead: YYYY-MM"),
            OpenApiParameter("agency", int, description="an agency's id"),
            OpenApiParameter("site", int, description="a component site's id"),
        ],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="reports.figures.Figures.as_dict(): every figure of the period, its "
                "start, end and scope; at most 366 days",
            ),
            **ERRORS,
        },
    )
    def get(self, request):
        query = FiguresQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        agency = site = None
        if "agency" in data:
            agency = Agency.objects.filter(pk=data["agency"]).first()
            if agency is None:
                raise serializers.ValidationError({"agency": [_("Không có cơ quan này.")]})
        if "site" in data:
            site = ComponentSite.objects.select_related("agency").filter(pk=data["site"]).first()
            if site is None:
                raise serializers.ValidationError({"site": [_("Không có trang thành phần này.")]})
        figures = activity_figures(start=data["start"], end=data["end"], agency=agency, site=site)
        return Response(figures.as_dict())
