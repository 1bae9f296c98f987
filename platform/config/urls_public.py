"""URLs of the platform host: the operator console and the operator API."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("api.v1.urls_platform", namespace="api-v1")),
    path("", include("frontend.urls_platform", namespace="frontend")),
]
