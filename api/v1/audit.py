"""Operator API: a province's security audit, read from that province's schema, and the
platform's own (platform host only, ADR 0022).

Only the kinds about staff are served: sign-ins and security (sign-ins, failures, holds,
sign-outs, ended sessions, password changes, second factor), accounts and roles, API keys;
never the rows about content, where citizens' names and words can appear. Newest first, by
cursor."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, schema_context
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from accounts import security
from api.errors import ErrorOutput
from api.pagination import CursorPagination
from api.permissions import IsOperator
from core.errors import ErrorKind, ServiceError
from tenants.selectors import province_list

TAGS = ["operator"]
ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}
SLUG_PATTERN = r"^[a-z][a-z0-9]{1,39}$"
STAFF_KINDS = ("security", "accounts", "api_keys")


class AuditQuery(serializers.Serializer):
    kind = serializers.MultipleChoiceField(
        choices=STAFF_KINDS,
        required=False,
        help_text="security, accounts or api_keys (repeat for several); all three by default",
    )
    cursor = serializers.CharField(required=False, max_length=1000)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200)


class AuditEntryOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    created_at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_name")
    action = serializers.SerializerMethodField(
        help_text="the action's code: sign_in, sign_in_failed, sign_in_blocked, sign_out, "
        "session_expired, password_changed, otp_…, staff_created, user_…, role_…, api_key_…"
    )
    target = serializers.CharField()
    address = serializers.SerializerMethodField(help_text="the client's address, when recorded")
    data = serializers.JSONField(help_text="what the row records besides (never a secret)")

    def get_action(self, entry) -> str:
        return entry.action.split(" ")[0]

    def get_address(self, entry) -> str | None:
        return (entry.data or {}).get("address") or None


class AuditPagination(CursorPagination):
    ordering = "-pk"  # newest first (rows are written in time order)


def _schema_of(slug: str | None) -> str:
    if slug is None:
        return get_public_schema_name()
    province = province_list().filter(slug=slug[:40]).first() if slug else None
    if province is None:
        raise ServiceError(
            "unknown_province",
            _("Không có tỉnh này trên nền tảng."),
            field="province",
            kind=ErrorKind.NOT_FOUND,
        )
    return province.schema_name


class _AuditList(GenericAPIView):
    permission_classes = [IsOperator]
    pagination_class = AuditPagination

    def _page(self, request, schema_slug: str | None):
        query = AuditQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        kinds = sorted(query.validated_data.get("kind") or STAFF_KINDS)
        with schema_context(_schema_of(schema_slug)):
            page = self.paginate_queryset(security.audit_entries_of(kinds))
            rows = AuditEntryOutput(page, many=True).data
        return self.get_paginated_response(rows)


class ProvinceAuditListView(_AuditList):
    @extend_schema(
        tags=TAGS,
        operation_id="operator_province_audit_list",
        parameters=[AuditQuery],
        responses={200: AuditEntryOutput(many=True), **ERRORS},
        description="A province's security audit, read from its own schema: sign-ins, "
        "failures, holds, sign-outs, ended sessions, password changes, second factor, accounts "
        "and roles, API keys; newest first. 404 `unknown_province`.",
    )
    def get(self, request, slug: str):
        return self._page(request, slug)


class PlatformAuditListView(_AuditList):
    @extend_schema(
        tags=TAGS,
        operation_id="operator_platform_audit_list",
        parameters=[AuditQuery],
        responses={200: AuditEntryOutput(many=True), **ERRORS},
        description="The platform's own security audit (operators' sign-ins, operator accounts "
        "and their API keys), newest first.",
    )
    def get(self, request):
        return self._page(request, None)
