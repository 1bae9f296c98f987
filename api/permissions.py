from django.db import connection
from django_tenants.utils import get_public_schema_name
from rest_framework.permissions import SAFE_METHODS, BasePermission

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
