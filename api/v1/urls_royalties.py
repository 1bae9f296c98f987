"""PLACEHOLDER: filled in by the reports work (issue 14); included by api/v1/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
