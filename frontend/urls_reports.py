"""The reports and the portal's costs in the back office (issue 14). No app_name:
frontend/urls_tenant.py includes them with `path("", include("frontend.urls_reports"))`, so the
names below live in its `frontend` namespace (`frontend:staff_reports`, …)."""

from django.urls import path

from frontend.views import budget, compliance, figures, reports_staff

urlpatterns = [
    path("staff/bao-cao/", reports_staff.report_list, name="staff_reports"),
    path("staff/bao-cao/<int:pk>/", reports_staff.report_detail, name="staff_report"),
    path(
        "staff/bao-cao/<int:pk>/tai-ve/<str:kind>/",
        reports_staff.report_download,
        name="staff_report_download",
    ),
    # The activity figures of any period (what the reports are drafted from).
    path("staff/so-lieu/", figures.figures, name="staff_figures"),
    path("staff/kinh-phi/", budget.costs, name="staff_budget"),
    path("staff/kinh-phi/<int:pk>/dieu-chinh/", budget.cost_correct, name="staff_budget_correct"),
    # The province's compliance page (ADR 0030).
    path("staff/tuan-thu/", compliance.compliance_page, name="staff_compliance"),
]
