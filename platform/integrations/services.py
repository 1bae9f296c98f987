"""API keys: issued once, stored hashed, scoped, revocable."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from integrations.models import ApiKey

KEY_PREFIX_BYTES = 6
KEY_SECRET_BYTES = 32


class ApiKeyError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    key: str  # shown once


def _digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *, user, name: str, scopes: list[str], expires_at: datetime | None = None
) -> IssuedKey:
    scopes = sorted(set(scopes))
    valid = set(ApiKey.Scope.values)
    unknown = [scope for scope in scopes if scope not in valid]
    if unknown or not scopes:
        raise ApiKeyError(
            "invalid_scopes",
            f"Unknown or missing scopes {unknown}; choose from {sorted(valid)}.",
            field="scopes",
        )
    # django-tenants' database wrapper adds schema_name; the package ships no type information.
    if ApiKey.Scope.OPERATOR in scopes and connection.schema_name != get_public_schema_name():  # type: ignore[attr-defined]
        raise ApiKeyError(
            "invalid_scopes",
            "The operator scope exists on the platform host only.",
            field="scopes",
        )
    prefix = secrets.token_hex(KEY_PREFIX_BYTES)
    raw_key = f"{prefix}.{secrets.token_urlsafe(KEY_SECRET_BYTES)}"
    api_key = ApiKey.objects.create(
        name=name.strip() or "api key",
        user=user,
        prefix=prefix,
        hashed_key=_digest(raw_key),
        scopes=scopes,
        expires_at=expires_at,
    )
    return IssuedKey(api_key=api_key, key=raw_key)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The active key matching raw_key in the current schema, or None."""
    prefix, _, secret = raw_key.partition(".")
    if not prefix or not secret or len(prefix) > 16:
        return None
    api_key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
    if api_key is None or not hmac.compare_digest(api_key.hashed_key, _digest(raw_key)):
        return None
    now = timezone.now()
    if api_key.revoked_at is not None or (api_key.expires_at and api_key.expires_at <= now):
        return None
    if not api_key.user.is_active:
        return None
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return api_key
