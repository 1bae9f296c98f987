"""Translatable labels for the choices of platform models.

The models keep their Vietnamese labels as plain strings; the web pages show these, so that
the English version of a page does not fall back to Vietnamese."""

from django.utils.translation import gettext_lazy as _

AGENCY_KIND_LABELS = {
    "department": _("Sở, ban, ngành"),
    "district": _("UBND cấp huyện"),
    "commune": _("UBND cấp xã"),
    "sector": _("Cơ quan ngành dọc"),
    "other": _("Khác"),
}

ROLE_SCOPE_LABELS = {
    "portal": _("Cổng tỉnh"),
    "agency": _("Cơ quan"),
}


def agency_kind_label(kind: str) -> str:
    return str(AGENCY_KIND_LABELS.get(kind, kind))


def role_scope_label(scope: str) -> str:
    return str(ROLE_SCOPE_LABELS.get(scope, scope))
