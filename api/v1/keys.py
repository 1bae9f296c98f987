"""API keys of the province, for its administrator (ADR 0013): list them with their status,
issue one (returned once), revoke one. The same audited services as the administration page
and the `api_key` command. Only the administrator's signed-in session: a key never manages
keys (a leaked key must not be able to mint its own successor)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from api.errors import ErrorOutput
from core.errors import ServiceError
from integrations.models import ApiKey
from integrations.selectors import STATUSES, api_key_list, api_key_status
from integrations.services import (
    DEFAULT_LIFETIME_DAYS,
    MAX_LIFETIME_DAYS,
    NAME_MAX_LENGTH,
    VIA_API,
    api_key_create,
    api_key_revoke,
)

TAGS = ["api-keys"]
ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}
LIST_LIMIT = 1000  # newest first; a province has a handful of integration clients
PROVINCE_SCOPES = [ApiKey.Scope.READ, ApiKey.Scope.WRITE, ApiKey.Scope.CATALOGUE]


class IsProvinceAdministrator(BasePermission):
    """The province's administrator (its active superuser, past any one-time secret), signed
    in on this host; never through an API key."""

    message = "Only the province administrator, signed in, manages API keys."

    def has_permission(self, request, view):
        user = request.user
        return bool(
            request.auth is None
            and user
            and user.is_authenticated
            and user.is_active
            and user.is_superuser
            and not getattr(user, "must_change_password", False)
        )


class ApiKeyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="the part of the key before the dot")
    user = serializers.CharField(source="user.username", help_text="the account it acts for")
    scopes = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(
        source="created_by.username", allow_null=True, help_text="null: the command line"
    )
    last_used_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    status = serializers.SerializerMethodField(help_text=f"one of {', '.join(STATUSES)}")

    def get_status(self, api_key) -> str:
        return api_key_status(api_key)


class IssuedKeyOutput(ApiKeyOutput):
    key = serializers.CharField(help_text="the key, shown once: it is stored only as a digest")


class ApiKeyIssueInput(serializers.Serializer):
    user = serializers.CharField(max_length=150, help_text="username of the account it acts for")
    name = serializers.CharField(
        max_length=NAME_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=PROVINCE_SCOPES),
        min_length=1,
        max_length=len(PROVINCE_SCOPES),
        help_text="read; write (items, Q&A); catalogue (procedures)",
    )
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=MAX_LIFETIME_DAYS, default=DEFAULT_LIFETIME_DAYS
    )


class ApiKeyListIssueView(APIView):
    permission_classes = [IsProvinceAdministrator]

    @extend_schema(
        tags=TAGS,
        operation_id="api_keys_list",
        responses={200: ApiKeyOutput(many=True), **ERRORS},
        description=f"Every key of the province (at most {LIST_LIMIT}), newest first, with its "
        "status: whether it can be used now and, if not, why.",
    )
    def get(self, request):
        keys = list(api_key_list()[:LIST_LIMIT])
        return Response(ApiKeyOutput(keys, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="api_keys_issue",
        request=ApiKeyIssueInput,
        responses={201: IssuedKeyOutput, **ERRORS},
        description="Issue a key for a staff account of the province (audited). It expires "
        f"after `expires_in_days` days ({DEFAULT_LIFETIME_DAYS} by default).",
    )
    def post(self, request):
        data = ApiKeyIssueInput(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        user = User.objects.filter(username=params["user"]).first()
        if user is None:
            raise ServiceError(
                "unknown_user", f"No account '{params['user']}' in this province.", field="user"
            )
        issued = api_key_create(
            user=user,
            name=params["name"],
            scopes=params["scopes"],
            expires_in_days=params["expires_in_days"],
            actor=request.user,
            via=VIA_API,
        )
        body = {**ApiKeyOutput(issued.api_key).data, "key": issued.key}
        return Response(body, status=status.HTTP_201_CREATED)


class ApiKeyRevocationView(APIView):
    permission_classes = [IsProvinceAdministrator]

    @extend_schema(
        tags=TAGS,
        operation_id="api_keys_revoke",
        request=None,
        responses={200: ApiKeyOutput, **ERRORS},
        description="Revoke a key for good (audited); revoking a revoked key changes nothing.",
    )
    def post(self, request, pk: int):
        api_key = api_key_list().filter(pk=pk).first()
        if api_key is None:
            raise Http404
        revoked = api_key_revoke(api_key=api_key, actor=request.user, via=VIA_API)
        return Response(ApiKeyOutput(api_key_list().get(pk=revoked.pk)).data)
