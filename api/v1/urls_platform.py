from django.urls import path

from api.v1 import agencies, audit, backups, compliance, merges, operator, profiles
from api.v1.urls import common

app_name = "api-v1"

urlpatterns = [
    *common,
    path("operator/provinces/", operator.ProvinceListCreateView.as_view(), name="provinces"),
    path("operator/audit/", audit.PlatformAuditListView.as_view(), name="audit"),
    # Rule profiles uploaded and reviewed by a second operator (issue 15).
    path(
        "operator/profiles/",
        profiles.ProfileVersionListCreateView.as_view(),
        name="profile_versions",
    ),
    path(
        "operator/profiles/<int:pk>/",
        profiles.ProfileVersionDetailView.as_view(),
        name="profile_version",
    ),
    path(
        "operator/profiles/<int:pk>/approve/",
        profiles.ProfileVersionApproveView.as_view(),
        name="profile_version_approve",
    ),
    path(
        "operator/profiles/<int:pk>/reject/",
        profiles.ProfileVersionRejectView.as_view(),
        name="profile_version_reject",
    ),
    path(
        "operator/profiles/<int:pk>/export/",
        profiles.ProfileVersionExportView.as_view(),
        name="profile_version_export",
    ),
    # Agencies renamed, merged and retired inside a province (issue 16).
    path(
        "operator/provinces/<slug:slug>/agency-changes/",
        agencies.AgencyChangesView.as_view(),
        name="province_agency_changes",
    ),
    path(
        "operator/provinces/<slug:slug>/audit/",
        audit.ProvinceAuditListView.as_view(),
        name="province_audit",
    ),
    path(
        "operator/compliance/", compliance.ComplianceListView.as_view(), name="operator_compliance"
    ),
    # Merging a province into another (issue 16).
    path("operator/merges/", merges.MergeListCreateView.as_view(), name="merges"),
    path("operator/merges/<int:pk>/", merges.MergeDetailView.as_view(), name="merge"),
    path(
        "operator/merges/<int:pk>/resolve/",
        merges.MergeResolveView.as_view(),
        name="merge_resolve",
    ),
    path("operator/merges/<int:pk>/run/", merges.MergeRunView.as_view(), name="merge_run"),
    path("operator/merges/<int:pk>/cancel/", merges.MergeCancelView.as_view(), name="merge_cancel"),
    path("operator/backups/", backups.BackupListCreateView.as_view(), name="backups"),
    path("operator/backups/status/", backups.BackupStatusView.as_view(), name="backups_status"),
    path("operator/backups/<int:pk>/", backups.BackupDetailView.as_view(), name="backup"),
    path(
        "operator/backups/<int:pk>/verify/",
        backups.BackupVerifyView.as_view(),
        name="backup_verify",
    ),
    path(
        "operator/backups/<int:pk>/restore/",
        backups.BackupRestoreView.as_view(),
        name="backup_restore",
    ),
]
