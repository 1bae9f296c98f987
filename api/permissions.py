from django.db import connection
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from editorial.models import Kind
from integrations.models import ApiKey
from organization.selectors import role_assignment_list


def _scopes(request) -> set[str] | None:
    """The key's scopes, or None for a session (staff signed in on this host)."""
    auth = request.auth
    return set(auth.scopes) if isinstance(auth, ApiKey) else None


class ReadScopeOrPublic(BasePermission):
    """Reads are public; writes need a signed-in user or a key with the write scope."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        scopes = _scopes(request)
        if scopes is None:
            return bool(request.user and request.user.is_authenticated)
        return "write" in scopes


# A key writes procedures (the public-service catalogue) with the `catalogue` scope only, and
# every other kind with the `write` scope only: a newsroom's key cannot change the catalogue.
WRITE_SCOPES = frozenset({ApiKey.Scope.WRITE, ApiKey.Scope.CATALOGUE})
CATALOGUE_KINDS = frozenset({Kind.PROCEDURE})


def write_scope_of(kind: str) -> str:
    """The scope a key needs to write an item of `kind`."""
    return ApiKey.Scope.CATALOGUE if kind in CATALOGUE_KINDS else ApiKey.Scope.WRITE


def require_write_scope(request, *, kind: str) -> None:
    """403 when the caller's key lacks the scope that writes items of `kind` (a signed-in
    session is not scoped: the services decide what its user may do)."""
    scopes = _scopes(request)
    if scopes is None or write_scope_of(kind) in scopes:
        return
    if kind in CATALOGUE_KINDS:
        message = _("Khoá API cần quyền ghi danh mục thủ tục hành chính (catalogue).")
    else:
        message = _("Khoá API cần quyền ghi (write).")
    raise exceptions.PermissionDenied(message, code="scope_missing")


def require_catalogue_scope(request) -> None:
    """403 when the caller's key lacks the `catalogue` scope (the catalogue's staff reads: its
    files and import jobs); a signed-in session is not scoped."""
    require_write_scope(request, kind=Kind.PROCEDURE)


class ItemWriteScope(BasePermission):
    """Reads are public; writes need a signed-in user or a key with a scope that writes some
    kind (`write` or `catalogue`). The view then checks the kind it writes with
    `require_write_scope`."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        scopes = _scopes(request)
        if scopes is None:
            return bool(request.user and request.user.is_authenticated)
        return bool(scopes & WRITE_SCOPES)


class CatalogueWriteScope(BasePermission):
    """Reads are public; writes to the catalogue need a signed-in user or a key with the
    `catalogue` scope."""

    message = _("Khoá API cần quyền ghi danh mục thủ tục hành chính (catalogue).")

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        scopes = _scopes(request)
        if scopes is None:
            return bool(request.user and request.user.is_authenticated)
        return ApiKey.Scope.CATALOGUE in scopes


class IsOperator(BasePermission):
    """Ministry operators only, and only on the platform host (public schema)."""

    message = "Operator access is needed, on the platform host."

    def has_permission(self, request, view):
        if connection.schema_name != get_public_schema_name():
            return False
        user = request.user
        if not (user and user.is_authenticated and user.is_staff):
            return False
        if getattr(user, "must_change_password", False):
            return False
        scopes = _scopes(request)
        return scopes is None or "operator" in scopes


def is_province_staff(request) -> bool:
    """The caller (signed in, or the user of the key) is active, has changed any one-time
    password, and holds a role in this province (cached on the request)."""
    user = request.user
    if not (user and user.is_authenticated and user.is_active):
        return False
    if getattr(user, "must_change_password", False):
        return False
    if not hasattr(request, "_province_staff"):
        request._province_staff = role_assignment_list(user=user).exists()
    return request._province_staff


class IsProvinceStaff(BasePermission):
    """Staff of this province; writes with an API key need its "write" scope."""

    message = "Only staff holding a role in this province may do this."

    def has_permission(self, request, view):
        scopes = _scopes(request)
        if scopes is not None and request.method not in SAFE_METHODS and "write" not in scopes:
            return False
        return is_province_staff(request)


class ReportsScope(BasePermission):
    """The activity figures, reports and royalty ledgers of this province (not public: they
    name staff and amounts paid): staff of the province signed in on its host, or a key of such
    staff with the `reports` scope (a `read` key is refused)."""

    message = _("Khoá API cần quyền đọc báo cáo, số liệu hoạt động (reports).")

    def has_permission(self, request, view):
        scopes = _scopes(request)
        if scopes is not None and ApiKey.Scope.REPORTS not in scopes:
            return False
        return is_province_staff(request)
