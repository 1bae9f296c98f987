"""What every province host answers: the province, its component sites, who is calling."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import ReadScopeOrPublic
from core.profiles import current_profile
from integrations.models import ApiKey
from organization.selectors import component_site_list
from provinces.loader import ProfileError


class ProvinceOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    portal_name = serializers.CharField()
    host = serializers.CharField()
    component_site = serializers.CharField(allow_null=True)
    profile_effective_from = serializers.DateField(allow_null=True)
    profile_instrument = serializers.CharField(allow_null=True)


class ProvinceView(APIView):
    permission_classes = [ReadScopeOrPublic]

    @extend_schema(tags=["province"], responses=ProvinceOutput, operation_id="province_read")
    def get(self, request):
        tenant = request.tenant
        try:
            instrument = current_profile().province.instrument
        except ProfileError:
            instrument = None
        site = getattr(request, "component_site", None)
        data = {
            "slug": tenant.slug,
            "name": tenant.name,
            "portal_name": tenant.portal_name,
            "host": tenant.domain_url,
            "component_site": site.host if site else None,
            "profile_effective_from": tenant.profile_effective_from,
            "profile_instrument": instrument,
        }
        return Response(ProvinceOutput(data).data)


class SiteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    host = serializers.CharField()
    agency = serializers.CharField(source="agency.name")
    agency_kind = serializers.CharField(source="agency.kind")


class SiteListView(ListAPIView):
    permission_classes = [ReadScopeOrPublic]
    serializer_class = SiteOutput

    def get_queryset(self):
        return component_site_list()

    @extend_schema(tags=["province"], operation_id="sites_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    province = serializers.CharField()
    via = serializers.ChoiceField(choices=["session", "api_key"])
    scopes = serializers.ListField(child=serializers.CharField())


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["auth"], responses=MeOutput, operation_id="me_read")
    def get(self, request):
        key = request.auth if isinstance(request.auth, ApiKey) else None
        return Response(
            MeOutput(
                {
                    "username": request.user.username,
                    "province": request.tenant.slug,
                    "via": "api_key" if key else "session",
                    "scopes": key.scopes if key else [],
                }
            ).data
        )
