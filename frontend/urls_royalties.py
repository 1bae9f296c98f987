"""The royalty ledger's staff pages (ADR 0029); included by frontend/urls_tenant.py."""

from django.urls import URLPattern, path, re_path

from frontend.views import royalties

MONTH = r"(?P<month>\d{4}-\d{2})"

urlpatterns: list[URLPattern] = [
    path("staff/nhuan-but/", royalties.royalties_home, name="staff_royalties"),
    path(
        "staff/nhuan-but/bai/<int:item_pk>/",
        royalties.royalties_assign,
        name="staff_royalties_assign",
    ),
    re_path(
        rf"^staff/nhuan-but/{MONTH}/$", royalties.royalties_month, name="staff_royalties_month"
    ),
    re_path(
        rf"^staff/nhuan-but/{MONTH}/ky-duyet/$",
        royalties.royalties_sign_off,
        name="staff_royalties_sign_off",
    ),
    re_path(
        rf"^staff/nhuan-but/{MONTH}/so-nhuan-but\.xlsx$",
        royalties.royalties_month_xlsx,
        name="staff_royalties_month_xlsx",
    ),
    re_path(
        rf"^staff/nhuan-but/{MONTH}/so-nhuan-but\.csv$",
        royalties.royalties_month_csv,
        name="staff_royalties_month_csv",
    ),
    re_path(
        rf"^staff/nhuan-but/{MONTH}/bang-ke\.xlsx$",
        royalties.royalties_statement_xlsx,
        name="staff_royalties_statement_xlsx",
    ),
]
