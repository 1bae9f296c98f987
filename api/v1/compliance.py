"""Operator API (platform host only, ADR 0030): each province's last compliance snapshot, the
figures of the operators' board (numbers only, never a citizen's data)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorOutput
from api.permissions import IsOperator
from reports.compliance import LINE_CODES, compliance_board
from tenants.selectors import province_list


class ComplianceCounts(serializers.Serializer):
    qa_open_late = serializers.IntegerField(help_text="questions open and past the date promised")
    qa_answered_late = serializers.IntegerField(help_text="answers given late in the last 30 days")
    updates_late = serializers.IntegerField(help_text="items past their update deadline")
    quotas_unmet = serializers.IntegerField(help_text="agencies below their quota last month")
    sections_missing = serializers.IntegerField(help_text="required sections with no content")
    backups_overdue = serializers.IntegerField(help_text="1 when no copy within the schedule")
    verifications_overdue = serializers.IntegerField(help_text="1 when the newest copy is unproven")
    reports_overdue = serializers.IntegerField(help_text="reports past due, not signed off")


class ComplianceSnapshotOutput(serializers.Serializer):
    province = serializers.CharField(help_text="the province's slug")
    name = serializers.CharField()
    computed_at = serializers.DateTimeField(allow_null=True, help_text="null: not counted yet")
    late_total = serializers.IntegerField(allow_null=True)
    counts = ComplianceCounts(allow_null=True)


class ComplianceListView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        tags=["operator"],
        responses={200: ComplianceSnapshotOutput(many=True), 401: ErrorOutput, 403: ErrorOutput},
        operation_id="operator_compliance_list",
        description="Each province's last compliance snapshot (refreshed every 15 minutes), "
        "in the order of the provinces' names; a province not counted yet has nulls.",
    )
    def get(self, request):
        rows = compliance_board(provinces=province_list().prefetch_related(None))
        return Response(
            ComplianceSnapshotOutput(
                [
                    {
                        "province": row.slug,
                        "name": row.name,
                        "computed_at": row.computed_at,
                        "late_total": row.late_total,
                        "counts": {code: row.counts[code] for code in LINE_CODES}
                        if row.computed_at
                        else None,
                    }
                    for row in rows
                ],
                many=True,
            ).data
        )
