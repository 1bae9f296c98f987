"""The province's reports under /api/v1/ (read-only); included by api/v1/urls.py."""

from django.urls import URLPattern, path

from api.v1 import figures

urlpatterns: list[URLPattern] = [
    path("reports/figures/", figures.FiguresView.as_view(), name="report-figures"),
]
