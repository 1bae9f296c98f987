"""The royalty ledger, read-only (issue 14, Must have 4 and 6; ADR 0029): the months with
their status, total and sign-off, and one month's lines with its totals by person and by
category. Staff of the province signed in on its host, or a key of such staff with the
`reports` scope. Where the profile pays no royalty (Huế) every address is a 404."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from api.errors import ErrorOutput
from api.permissions import ReportsScope
from core.errors import ErrorKind, ServiceError
from royalties import selectors
from royalties.models import LedgerMonth

TAGS = ["royalties"]
ERRORS = {401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}


def _not_found() -> ServiceError:
    return ServiceError(
        "not_found", _("Không có sổ nhuận bút của tháng này."), kind=ErrorKind.NOT_FOUND
    )


def _enabled() -> None:
    if not selectors.royalties_on():
        raise ServiceError(
            "royalties_disabled",
            _("Quy chế của tỉnh không quy định nhuận bút cho Cổng thông tin."),
            kind=ErrorKind.NOT_FOUND,
        )


class RoyaltyMonthOutput(serializers.Serializer):
    month = serializers.SerializerMethodField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    budget_owner = serializers.CharField()
    total = serializers.SerializerMethodField(help_text="đồng: the sum of the month's lines")
    lines = serializers.IntegerField(source="line_count")
    signed_off_by = serializers.CharField(source="signed_off_name")
    signed_off_at = serializers.DateTimeField(allow_null=True)

    def get_month(self, ledger: LedgerMonth) -> str:
        return f"{ledger.month:%Y-%m}"

    def get_total(self, ledger: LedgerMonth) -> int:
        return int(ledger.line_total or 0)


class RoyaltyLineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    item = serializers.IntegerField(source="item_id")
    title = serializers.SerializerMethodField()
    person_name = serializers.CharField()
    contribution = serializers.CharField(source="get_contribution_display")
    category = serializers.CharField(source="category_name")
    coefficient = serializers.DecimalField(max_digits=6, decimal_places=2)
    unit_value = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    amount = serializers.IntegerField()
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)
    reason = serializers.CharField()

    def get_title(self, line) -> str:
        return selectors.item_title(line.item)


class RoyaltyTotalOutput(serializers.Serializer):
    label = serializers.CharField()
    lines = serializers.IntegerField()
    amount = serializers.IntegerField()


class RoyaltyMonthDetailOutput(RoyaltyMonthOutput):
    entries = RoyaltyLineOutput(many=True, source="entries_list")
    by_person = RoyaltyTotalOutput(many=True)
    by_category = RoyaltyTotalOutput(many=True)


class LedgerListView(GenericAPIView):
    permission_classes = [ReportsScope]

    @extend_schema(
        tags=TAGS,
        operation_id="royalties_ledger_list",
        responses={200: RoyaltyMonthOutput(many=True), **ERRORS},
        description="Every month of the royalty ledger, newest first: status, total (the sum "
        "of its lines, in đồng) and who signed it off, when.",
    )
    def get(self, request):
        _enabled()
        return Response(RoyaltyMonthOutput(selectors.month_list(), many=True).data)


class LedgerMonthView(GenericAPIView):
    permission_classes = [ReportsScope]

    @extend_schema(
        tags=TAGS,
        operation_id="royalties_ledger_month",
        responses={200: RoyaltyMonthDetailOutput, **ERRORS},
        description="One month (YYYY-MM): its lines in the order written (corrections point "
        "at the line they take back) and its totals by person and by category.",
    )
    def get(self, request, month: str):
        _enabled()
        day = selectors.parse_month(month)
        ledger = selectors.month_get(day) if day is not None else None
        if ledger is None:
            raise _not_found()
        lines = list(selectors.month_lines(ledger))
        totals = selectors.month_totals(lines)
        ledger.entries_list = lines  # type: ignore[attr-defined]
        ledger.by_person = totals.by_person  # type: ignore[attr-defined]
        ledger.by_category = totals.by_category  # type: ignore[attr-defined]
        return Response(RoyaltyMonthDetailOutput(ledger).data)
