"""Reads of API keys shared by the authentication, the administrator's page, the API and the
`api_key` command."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from integrations.models import ApiKey

# Whether a key can be used now, and if not, why (ADR 0013). In the order they are checked:
# the first that applies is the key's status.
ACTIVE = "active"
REVOKED = "revoked"
EXPIRED = "expired"
ACCOUNT_LOCKED = "account_locked"
SECRET_REISSUED = "secret_reissued"  # noqa: S105 (a status, not a secret)
PASSWORD_CHANGE_REQUIRED = "password_change_required"  # noqa: S105
STATUSES = (ACTIVE, REVOKED, EXPIRED, ACCOUNT_LOCKED, SECRET_REISSUED, PASSWORD_CHANGE_REQUIRED)


def api_key_status(api_key: ApiKey, *, now: datetime | None = None) -> str:
    """A key follows its user's credentials: it is refused once revoked or expired, while its
    account is locked or still on a one-time secret, and for good once the account's secret
    has been re-issued after the key was (a suspected compromise: the key must be re-issued)."""
    now = now or timezone.now()
    user = api_key.user
    if api_key.revoked_at is not None:
        return REVOKED
    if api_key.expires_at <= now:
        return EXPIRED
    if not user.is_active:
        return ACCOUNT_LOCKED
    if user.secret_issued_at is not None and api_key.created_at < user.secret_issued_at:
        return SECRET_REISSUED
    if user.must_change_password:
        return PASSWORD_CHANGE_REQUIRED
    return ACTIVE


def api_key_list() -> QuerySet[ApiKey]:
    """Every key of the active schema (revoked and expired ones too), newest first."""
    return ApiKey.objects.select_related("user", "created_by").order_by("-created_at", "-pk")
