"""Operator API (platform host only): list provinces, onboard one from its profile."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorOutput
from api.permissions import IsOperator
from core.errors import ServiceError
from provinces.loader import ProfileError, parse_profile, resolve_profile
from tenants.selectors import province_list, province_portal_host
from tenants.services import platform_tenant_ensure, province_onboard


class ProvinceSummary(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    schema_name = serializers.CharField()
    portal_host = serializers.CharField(allow_null=True)
    profile_effective_from = serializers.DateField(allow_null=True)


class OnboardInput(serializers.Serializer):
    profile = serializers.RegexField(
        r"^[a-z][a-z0-9]{1,30}$",
        required=False,
        help_text="slug of a shipped profile (provinces/profiles/<slug>/)",
    )
    profile_toml = serializers.CharField(
        required=False, max_length=200_000, help_text="a whole profile file, as TOML text"
    )

    def validate(self, attrs):
        if bool(attrs.get("profile")) == bool(attrs.get("profile_toml")):
            raise serializers.ValidationError("Give exactly one of 'profile' or 'profile_toml'.")
        return attrs


class OnboardOutput(serializers.Serializer):
    province = ProvinceSummary()
    created = serializers.BooleanField()
    changes = serializers.ListField(child=serializers.CharField())
    admin_username = serializers.CharField(allow_null=True)
    admin_secret = serializers.CharField(
        allow_null=True, help_text="one-time secret, returned once; must be changed at first login"
    )


def _summary(province) -> dict:
    return {
        "slug": province.slug,
        "name": province.name,
        "schema_name": province.schema_name,
        "portal_host": province_portal_host(province, development=False),
        "profile_effective_from": province.profile_effective_from,
    }


# Arrays and inline tables inside one another in an uploaded profile: the shipped profiles
# nest 3 levels; the TOML parser recurses once per level, so 1,000 levels were a 500.
MAX_TOML_DEPTH = 16


def toml_nesting(text: str) -> int:
    """The deepest nesting of [ and { outside strings and comments (a linear scan; table
    headers count too, `[[a]]` as 2)."""
    deepest = depth = 0
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == "#":
            end = text.find("\n", index)
            index = length if end < 0 else end
        elif char in "\"'":
            quote = text[index : index + 3] if text[index : index + 3] in ('"""', "'''") else char
            index += len(quote)
            while index < length and not text.startswith(quote, index):
                index += 2 if char == '"' and text[index] == "\\" else 1
            index += len(quote)
            continue
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(depth - 1, 0)
        index += 1
    return deepest


def _invalid_profile(fields: dict) -> ServiceError:
    return ServiceError(
        "invalid_profile", "The profile is invalid; nothing was onboarded.", fields=fields
    )


def _profile_from(data):
    toml = data.get("profile_toml")
    if toml and toml_nesting(toml) > MAX_TOML_DEPTH:
        raise _invalid_profile(
            {"profile_toml": [f"Arrays and tables nest at most {MAX_TOML_DEPTH} levels deep."]}
        )
    try:
        if data.get("profile"):
            return resolve_profile(data["profile"])
        return parse_profile(toml, name="uploaded profile")
    except RecursionError as error:  # a nesting the scan did not see: still the client's
        raise _invalid_profile({"profile_toml": ["The profile nests too deeply."]}) from error
    except ProfileError as error:
        fields = {path or "profile": [reason] for path, reason in error.errors}
        raise _invalid_profile(fields) from error


class ProvinceListCreateView(APIView):
    permission_classes = [IsOperator]

    @extend_schema(
        tags=["operator"],
        responses=ProvinceSummary(many=True),
        operation_id="operator_provinces_list",
    )
    def get(self, request):
        return Response([_summary(p) for p in province_list()])

    @extend_schema(
        tags=["operator"],
        request=OnboardInput,
        responses={200: OnboardOutput, 201: OnboardOutput, 400: ErrorOutput, 403: ErrorOutput},
        operation_id="operator_province_onboard",
        description="Onboard a province from its rule profile. Idempotent: 201 when created, "
        "200 when it existed (with the list of changes applied, empty when none).",
    )
    def post(self, request):
        payload = OnboardInput(data=request.data)
        payload.is_valid(raise_exception=True)
        profile = _profile_from(payload.validated_data)
        platform_tenant_ensure()
        result = province_onboard(profile=profile)
        body = OnboardOutput(
            {
                "province": _summary(result.province),
                "created": result.created,
                "changes": result.changes,
                "admin_username": result.admin_username,
                "admin_secret": result.admin_secret,
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else 200)
