"""URLs of a province's hosts: its portal and its component sites."""

from django.urls import include, path

from config.health import health, readiness

urlpatterns = [
    path("healthz", health, name="health"),
    path("readyz", readiness, name="readiness"),
    path("api/v1/", include("api.v1.urls", namespace="api-v1")),
    path("", include("frontend.urls_tenant", namespace="frontend")),
]

# Error pages in the portal's look, rendered without a query (frontend/views/errors.py).
handler400 = "frontend.views.errors.bad_request"
handler403 = "frontend.views.errors.permission_denied"
handler404 = "frontend.views.errors.page_not_found"
handler500 = "frontend.views.errors.server_error"
