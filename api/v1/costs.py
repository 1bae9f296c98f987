"""The portal's costs, read-only (issue 14, Must have 3 and 6): the budget owner the profile
names with its article, the cost lines of a range of months (each naming who pays) and their
totals by category and, where each agency pays for its own site (Huế Art. 6(1)), by agency.
Staff signed in on the province's host, or a key of such staff with the `reports` scope."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from api.errors import ErrorOutput
from api.permissions import ReportsScope
from core.errors import ServiceError
from provinces.citations import for_citizens
from provinces.loader import today_in_vietnam
from reports import budget

TAGS = ["reports"]
ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput}
MAX_MONTHS = 120  # ten years of lines at most per request
MAX_LINES = 5000  # lines served at most; `lines_complete` says whether all were
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class CostQuery(serializers.Serializer):
    # "from" is a keyword: the fields are named apart and mapped below.
    def get_fields(self):
        return {
            "from": serializers.RegexField(
                MONTH_PATTERN,
                required=False,
                max_length=7,
                help_text="the first month (YYYY-MM); January of this year by default",
                error_messages={"invalid": _("Tháng viết theo dạng YYYY-MM, ví dụ 2026-11.")},
            ),
            "to": serializers.RegexField(
                MONTH_PATTERN,
                required=False,
                max_length=7,
                help_text="the last month (YYYY-MM), included; this month by default",
                error_messages={"invalid": _("Tháng viết theo dạng YYYY-MM, ví dụ 2026-11.")},
            ),
        }


class OwnerOutput(serializers.Serializer):
    name = serializers.CharField(source="owner", help_text="the body that pays (budget.owner)")
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="the article naming it, as the profile writes it"
    )
    citation = serializers.SerializerMethodField(help_text="the article in Vietnamese")
    split_by_agency = serializers.BooleanField(
        help_text="each agency pays for its own site: lines carry their agency"
    )

    def get_citation(self, owner) -> str | None:
        return for_citizens(owner.source)


class CostLineOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    month = serializers.DateField(help_text="the first day of the month charged")
    category = serializers.CharField()
    category_label = serializers.CharField(source="get_category_display")
    description = serializers.CharField()
    amount = serializers.IntegerField(help_text="đồng; negative: a correction")
    budget_owner = serializers.CharField(help_text="who pays, as recorded on the line")
    budget_source = serializers.CharField()
    agency = serializers.CharField(source="agency.name", allow_null=True, default=None)
    reference = serializers.CharField()
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)
    created_at = serializers.DateTimeField()


class TotalOutput(serializers.Serializer):
    key = serializers.CharField(help_text="the category's code, or the agency's id")
    label = serializers.CharField()  # type: ignore[assignment]
    amount = serializers.IntegerField()


class TotalsOutput(serializers.Serializer):
    total = serializers.IntegerField()
    by_category = TotalOutput(many=True)
    by_agency = TotalOutput(many=True, allow_null=True, help_text="null: costs are not split")


class CostsOutput(serializers.Serializer):
    owner = OwnerOutput()
    start_month = serializers.DateField()
    end_month = serializers.DateField()
    lines = CostLineOutput(many=True)
    lines_complete = serializers.BooleanField(help_text=f"false past {MAX_LINES} lines")
    totals = TotalsOutput()


def _month(text: str | None, default: date, field: str) -> date:
    if not text:
        return default
    month = date(int(text[:4]), int(text[5:7]), 1)
    first, last = budget.month_bounds()
    if not first <= month <= last:
        raise ServiceError(
            "month_out_of_range",
            _("Tháng phải từ %(first)s đến %(last)s.")
            % {"first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}"},
            field,
        )
    return month


class CostListView(GenericAPIView):
    permission_classes = [ReportsScope]

    @extend_schema(
        tags=TAGS,
        operation_id="costs_list",
        parameters=[CostQuery],
        responses={200: CostsOutput, **ERRORS},
        description="The budget owner with its article, the cost lines of the months "
        "?from=YYYY-MM to ?to=YYYY-MM (at most 120 months; newest first) and their totals by "
        "category and, where each agency pays for its own site, by agency.",
    )
    def get(self, request):
        query = CostQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = today_in_vietnam()
        end = _month(query.validated_data.get("to"), date(today.year, today.month, 1), "to")
        start = _month(query.validated_data.get("from"), date(end.year, 1, 1), "from")
        if end < start:
            raise ServiceError("period_order", _("Tháng đầu sau tháng cuối."), "from")
        if (end.year - start.year) * 12 + end.month - start.month + 1 > MAX_MONTHS:
            raise ServiceError(
                "period_too_long", _("Mỗi lần tối đa %(n)d tháng.") % {"n": MAX_MONTHS}, "to"
            )
        lines = list(budget.cost_lines(start_month=start, end_month=end)[: MAX_LINES + 1])
        totals = budget.cost_totals(start_month=start, end_month=end)
        return Response(
            CostsOutput(
                {
                    "owner": budget.budget_in_force(),
                    "start_month": start,
                    "end_month": end,
                    "lines": lines[:MAX_LINES],
                    "lines_complete": len(lines) <= MAX_LINES,
                    "totals": totals,
                }
            ).data
        )
