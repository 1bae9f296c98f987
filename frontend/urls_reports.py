"""PLACEHOLDER: filled in by the reports work (issue 14); included by frontend/urls_tenant.py."""

from django.urls import URLPattern, path

from frontend.views import compliance

urlpatterns: list[URLPattern] = [
    # The province's compliance page (ADR 0030).
    path("staff/tuan-thu/", compliance.compliance_page, name="staff_compliance"),
]
