"""URLs of the platform host: the operator console and the operator API."""

from django.urls import include, path

from config.health import health

urlpatterns = [
    path("healthz", health, name="health"),
    path("api/v1/", include("api.v1.urls_platform", namespace="api-v1")),
    path("", include("frontend.urls_platform", namespace="frontend")),
]
