"""URLs of a province's hosts: its portal and its component sites."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("api.v1.urls", namespace="api-v1")),
    path("", include("frontend.urls_tenant", namespace="frontend")),
]
