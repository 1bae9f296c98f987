"""URLs of a province's hosts: its portal and its component sites."""

from django.urls import include, path

from config.health import health

urlpatterns = [
    path("healthz", health, name="health"),
    path("api/v1/", include("api.v1.urls", namespace="api-v1")),
    path("", include("frontend.urls_tenant", namespace="frontend")),
]
