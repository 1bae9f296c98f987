"""PLACEHOLDER: filled in by the reports work (issue 14); included by frontend/urls_tenant.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
