"""/api/v1/ on every host. The operator endpoints are routed on the platform host only."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.v1 import province

app_name = "api-v1"

common = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-v1:schema"), name="docs"),
    path("me/", province.MeView.as_view(), name="me"),
]

tenant_urlpatterns = [
    *common,
    path("province/", province.ProvinceView.as_view(), name="province"),
    path("sites/", province.SiteListView.as_view(), name="sites"),
]

urlpatterns = tenant_urlpatterns
