"""/api/v1/ on every host. The operator endpoints are routed on the platform host only."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.v1 import catalogue, editorial, keys, province, urls_qa, urls_reports, urls_royalties

app_name = "api-v1"

common = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    # No inline script or style (the Content-Security-Policy): the start-up code is served as
    # its own script (?script) and the page's style as a stylesheet.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-v1:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("me/", province.MeView.as_view(), name="me"),
]

tenant_urlpatterns = [
    *common,
    *urls_qa.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_royalties.urlpatterns,
    path("province/", province.ProvinceView.as_view(), name="province"),
    path("sites/", province.SiteListView.as_view(), name="sites"),
    path("items/", editorial.ItemListCreateView.as_view(), name="items"),
    path("items/<int:pk>/", editorial.ItemDetailView.as_view(), name="item"),
    path(
        "items/<int:pk>/transitions/",
        editorial.ItemTransitionView.as_view(),
        name="item-transitions",
    ),
    path("items/<int:pk>/history/", editorial.ItemHistoryView.as_view(), name="item-history"),
    path("items/<int:pk>/revisions/", editorial.ItemRevisionsView.as_view(), name="item-revisions"),
    path("items/<int:pk>/diff/", editorial.ItemDiffView.as_view(), name="item-diff"),
    path(
        "items/<int:pk>/corrections/",
        editorial.ItemCorrectionView.as_view(),
        name="item-corrections",
    ),
    path(
        "items/<int:pk>/withdrawal/", editorial.ItemWithdrawalView.as_view(), name="item-withdrawal"
    ),
    path(
        "items/<int:pk>/unpublish-schedule/",
        editorial.ItemUnpublishScheduleView.as_view(),
        name="item-unpublish-schedule",
    ),
    path(
        "items/<int:pk>/attachments/",
        editorial.ItemAttachmentView.as_view(),
        name="item-attachments",
    ),
    path("queue/", editorial.QueueView.as_view(), name="queue"),
    # The public-service catalogue (ADR 0019). The fixed paths come before a procedure's code.
    path("procedures/", catalogue.ProcedureListCreateView.as_view(), name="procedures"),
    path("procedures/imports/", catalogue.ProcedureImportView.as_view(), name="procedure-imports"),
    path(
        "procedures/imports/<int:job_id>/",
        catalogue.ProcedureImportJobView.as_view(),
        name="procedure-import",
    ),
    path("procedures/export/", catalogue.ProcedureExportView.as_view(), name="procedure-export"),
    path(
        "procedures/<str:procedure_code>/",
        catalogue.ProcedureDetailView.as_view(),
        name="procedure",
    ),
    path("api-keys/", keys.ApiKeyListIssueView.as_view(), name="api-keys"),
    path(
        "api-keys/<int:pk>/revocation/",
        keys.ApiKeyRevocationView.as_view(),
        name="api-key-revocation",
    ),
]

urlpatterns = tenant_urlpatterns
