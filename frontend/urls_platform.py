"""Pages of the platform host: the operator console.

The names login, logout, password_change and staff_home exist here as on a province's hosts:
settings (LOGIN_URL, LOGIN_REDIRECT_URL) and accounts' middleware reverse them on any host."""

from django.urls import include, path, re_path

from frontend.views import (
    console,
    console_agencies,
    console_backups,
    console_compliance,
    console_merges,
    console_profiles,
    language,
    look,
    staff,
    two_factor,
)

app_name = "frontend"

urlpatterns = [
    path("", console.console_home, name="home"),
    path("", console.console_home, name="staff_home"),
    path("nhat-ky/", console.console_audit, name="console_audit"),
    path(
        "tinh/<slug:slug>/nhat-ky/",
        console.console_province_audit,
        name="console_province_audit",
    ),
    path("sao-luu/", console_backups.backups_home, name="console_backups"),
    path("sao-luu/tao/", console_backups.backup_start, name="console_backup_start"),
    path("sao-luu/<int:pk>/", console_backups.backup_detail, name="console_backup"),
    path("sao-luu/<int:pk>/kiem-tra/", console_backups.backup_verify, name="console_backup_verify"),
    path(
        "sao-luu/<int:pk>/phuc-hoi/",
        console_backups.backup_restore_start,
        name="console_backup_restore",
    ),
    path(
        "sao-luu/phuc-hoi/<int:pk>/xoa-luoc-do-giu-lai/",
        console_backups.kept_schema_drop_view,
        name="console_kept_schema_drop",
    ),
    # The provinces' compliance figures (ADR 0030).
    path("tuan-thu/", console_compliance.compliance_board_page, name="console_compliance"),
    path(
        "tuan-thu/cap-nhat/",
        console_compliance.compliance_refresh,
        name="console_compliance_refresh",
    ),
    # The provinces' rule profiles: uploads reviewed by a second operator (issue 15).
    path("ho-so-quy-che/", console_profiles.profiles_home, name="console_profiles"),
    path("ho-so-quy-che/<int:pk>/", console_profiles.profile_detail, name="console_profile"),
    path(
        "ho-so-quy-che/<int:pk>/tai-ve/",
        console_profiles.profile_export,
        name="console_profile_export",
    ),
    path(
        "ho-so-quy-che/<int:pk>/duyet/",
        console_profiles.profile_approve,
        name="console_profile_approve",
    ),
    path(
        "ho-so-quy-che/<int:pk>/tu-choi/",
        console_profiles.profile_reject,
        name="console_profile_reject",
    ),
    path(
        "ho-so-quy-che/tinh/<slug:slug>/",
        console_profiles.profile_history,
        name="console_profile_history",
    ),
    # Merging a province into another (issue 16): dry run, answers, run, cancel.
    path("hop-nhat/", console_merges.merges_home, name="console_merges"),
    path("hop-nhat/<int:pk>/", console_merges.merge_detail, name="console_merge"),
    path(
        "hop-nhat/<int:pk>/thu-tuc/",
        console_merges.merge_resolve_view,
        name="console_merge_resolve",
    ),
    path("hop-nhat/<int:pk>/chay/", console_merges.merge_run_view, name="console_merge_run"),
    path("hop-nhat/<int:pk>/huy/", console_merges.merge_cancel_view, name="console_merge_cancel"),
    # Agencies renamed, merged and retired inside a province (issue 16).
    path("sap-xep-co-quan/", console_agencies.agencies_home, name="console_agencies"),
    path(
        "sap-xep-co-quan/<slug:slug>/",
        console_agencies.agencies_province,
        name="console_agencies_province",
    ),
    path(
        "sap-xep-co-quan/<slug:slug>/thuc-hien/",
        console_agencies.agencies_apply,
        name="console_agencies_apply",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("ngon-ngu/", language.choose_language, name="choose_language"),
    # The profile's colour as a stylesheet (no inline style under the Content-Security-Policy).
    re_path(
        r"^giao-dien/(?P<colour>[0-9a-f]{6})\.css$",
        look.theme_stylesheet,
        name="theme_stylesheet",
    ),
    path("login/", staff.login, name="login"),
    path("logout/", staff.logout, name="logout"),
    path("password/", staff.password_change, name="password_change"),
    # The second factor, as on a province's hosts (ADR 0022).
    path("login/xac-thuc/", two_factor.verify, name="two_factor_verify"),
    path("bao-mat/", two_factor.security, name="two_factor_security"),
    path("bao-mat/dang-ky/", two_factor.enrol, name="two_factor_enrol"),
    path("bao-mat/ma-khoi-phuc/", two_factor.recovery_renew, name="two_factor_recovery_renew"),
]
