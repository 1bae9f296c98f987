"""The royalty ledger under /api/v1/royalties/ on province hosts (ADR 0029); included by
api/v1/urls.py."""

from django.urls import URLPattern, path, re_path

from api.v1 import royalties

urlpatterns: list[URLPattern] = [
    path("royalties/ledger/", royalties.LedgerListView.as_view(), name="royalties-ledger"),
    re_path(
        r"^royalties/ledger/(?P<month>\d{4}-\d{2})/$",
        royalties.LedgerMonthView.as_view(),
        name="royalties-ledger-month",
    ),
]
