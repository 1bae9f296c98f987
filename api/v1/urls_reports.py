"""The province's reports under /api/v1/ (read-only); included by api/v1/urls.py."""

from django.urls import URLPattern, path

from api.v1 import costs, figures, reports

urlpatterns: list[URLPattern] = [
    path("reports/figures/", figures.FiguresView.as_view(), name="report-figures"),
    path("reports/", reports.ReportListView.as_view(), name="reports"),
    path("reports/<int:pk>/", reports.ReportDetailView.as_view(), name="report"),
    path(
        "reports/<int:pk>/document/", reports.ReportDocumentView.as_view(), name="report-document"
    ),
    path("reports/<int:pk>/tables/", reports.ReportTablesView.as_view(), name="report-tables"),
    path("costs/", costs.CostListView.as_view(), name="costs"),
]
