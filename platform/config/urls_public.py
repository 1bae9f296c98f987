"""URLs of the platform host: the operator console and the operator API."""

from django.urls import include, path

from config.health import health, readiness

urlpatterns = [
    path("healthz", health, name="health"),
    path("readyz", readiness, name="readiness"),
    path("api/v1/", include("api.v1.urls_platform", namespace="api-v1")),
    path("", include("frontend.urls_platform", namespace="frontend")),
]

# Error pages in the portal's look, rendered without a query (frontend/views/errors.py).
handler400 = "frontend.views.errors.bad_request"
handler403 = "frontend.views.errors.permission_denied"
handler404 = "frontend.views.errors.page_not_found"
handler500 = "frontend.views.errors.server_error"
