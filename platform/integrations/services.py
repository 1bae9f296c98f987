"""API keys: issued once, stored hashed, scoped, expiring, revocable; every issue and every
revocation is an audit row (accounts.AuditEntry), whoever does it — the administrator's page,
the API or the server's command line (ADR 0013)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name

from accounts.models import User
from accounts.services import audit_record
from core.errors import ErrorKind, ServiceError
from integrations import selectors
from integrations.models import ApiKey

KEY_PREFIX_BYTES = 6
KEY_SECRET_BYTES = 32
# Platform default: a key lives one year unless its issuer asks for less (or up to three).
DEFAULT_LIFETIME_DAYS = 365
MAX_LIFETIME_DAYS = 3 * 365
NAME_MAX_LENGTH = 120
# How an issue or a revocation reached the service (recorded in the audit row).
VIA_PAGE, VIA_API, VIA_COMMAND = "page", "api", "command"


class ApiKeyError(ServiceError):
    """A refused key operation: code, message, the field to blame, and its kind."""


class ApiKeyRefused(ApiKeyError):
    """A genuine key that may not be used now; the message says why and what to do."""


# The API's words for a refused key (ADR 0013): why, and what to do about it.
REFUSALS = {
    selectors.REVOKED: _(
        "Khoá API này đã bị thu hồi. Hãy đề nghị quản trị viên của tỉnh cấp khoá mới."
    ),
    selectors.EXPIRED: _(
        "Khoá API này đã hết hạn ngày %(expired)s. Hãy đề nghị quản trị viên của tỉnh cấp khoá mới."
    ),
    selectors.ACCOUNT_LOCKED: _(
        "Tài khoản mà khoá API này thay mặt đã bị khoá. Hãy liên hệ quản trị viên của tỉnh."
    ),
    selectors.SECRET_REISSUED: _(
        "Khoá API này được cấp trước khi quản trị viên cấp lại mật khẩu dùng một lần cho tài "
        "khoản của nó, nên không còn dùng được, kể cả sau khi mật khẩu đã được đổi. Hãy đề nghị "
        "quản trị viên của tỉnh cấp khoá mới."
    ),
    selectors.PASSWORD_CHANGE_REQUIRED: _(
        "Tài khoản mà khoá API này thay mặt phải đổi mật khẩu dùng một lần trước: hãy đăng nhập "
        "trên cổng, đổi mật khẩu rồi dùng lại khoá."
    ),
}


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    key: str  # shown once


def _digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _require_administrator(actor: User | None) -> None:
    """The page and the API act for a signed-in administrator of this schema; the command
    line (actor None) acts for whoever may run commands on the server."""
    if actor is not None and not (actor.is_active and actor.is_superuser):
        raise ApiKeyError(
            "not_allowed",
            _("Chỉ quản trị viên của tỉnh được cấp hoặc thu hồi khoá API."),
            kind=ErrorKind.FORBIDDEN,
        )


def _target(api_key: ApiKey) -> str:
    return f"khoá API {api_key.prefix}… ({api_key.name}) của {api_key.user.get_username()}"


def _audit(action: str, api_key: ApiKey, *, actor: User | None, via: str, **data) -> None:
    # actor None: audit_record names the server's command line.
    audit_record(
        actor=actor,
        action=action,
        target=_target(api_key),
        via=via,
        **data,
    )


@transaction.atomic
def api_key_create(
    *,
    user: User,
    name: str,
    scopes: list[str],
    actor: User | None = None,
    via: str = VIA_COMMAND,
    expires_in_days: int = DEFAULT_LIFETIME_DAYS,
) -> IssuedKey:
    """Issue a key acting for `user` with `scopes`, valid `expires_in_days` days (one year by
    default). The key is returned once; only its prefix and a digest are kept."""
    _require_administrator(actor)
    name = name.strip() or "api key"
    if len(name) > NAME_MAX_LENGTH:
        raise ApiKeyError(
            "name_too_long",
            _("Tên khoá dài tối đa %(max)d ký tự.") % {"max": NAME_MAX_LENGTH},
            field="name",
        )
    scopes = sorted(set(scopes))
    valid = set(ApiKey.Scope.values)
    unknown = [scope for scope in scopes if scope not in valid]
    if unknown or not scopes:
        raise ApiKeyError(
            "invalid_scopes",
            _("Quyền không hợp lệ hoặc chưa chọn quyền nào; chọn trong: %(valid)s.")
            % {"valid": ", ".join(sorted(valid))},
            field="scopes",
        )
    # django-tenants' database wrapper adds schema_name; the package ships no type information.
    if ApiKey.Scope.OPERATOR in scopes and connection.schema_name != get_public_schema_name():  # type: ignore[attr-defined]
        raise ApiKeyError(
            "invalid_scopes",
            _("Quyền vận hành (operator) chỉ có trên tên miền của nền tảng."),
            field="scopes",
        )
    if (
        isinstance(expires_in_days, bool)
        or not isinstance(expires_in_days, int)
        or not 1 <= expires_in_days <= MAX_LIFETIME_DAYS
    ):
        raise ApiKeyError(
            "invalid_expiry",
            _("Khoá có hiệu lực từ 1 đến %(max)d ngày.") % {"max": MAX_LIFETIME_DAYS},
            field="expires_in_days",
        )
    if not user.is_active:
        raise ApiKeyError(
            "account_locked",
            _("Tài khoản “%(user)s” đã bị khoá.") % {"user": user.get_username()},
            field="user",
        )
    now = timezone.now()
    prefix = secrets.token_hex(KEY_PREFIX_BYTES)
    raw_key = f"{prefix}.{secrets.token_urlsafe(KEY_SECRET_BYTES)}"
    api_key = ApiKey.objects.create(
        name=name,
        user=user,
        prefix=prefix,
        hashed_key=_digest(raw_key),
        scopes=scopes,
        expires_at=now + timedelta(days=expires_in_days),
        created_by=actor,
    )
    _audit(
        "api_key_issued",
        api_key,
        actor=actor,
        via=via,
        scopes=scopes,
        expires_at=timezone.localdate(api_key.expires_at).isoformat(),
    )
    return IssuedKey(api_key=api_key, key=raw_key)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: User | None = None, via: str = VIA_COMMAND) -> ApiKey:
    """Revoke a key for good (once: revoking a revoked key changes nothing and records nothing)."""
    _require_administrator(actor)
    locked = ApiKey.objects.select_for_update().select_related("user").filter(pk=api_key.pk).first()
    if locked is None:
        raise ApiKeyError("not_found", _("Không có khoá API này."))
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        _audit("api_key_revoked", locked, actor=actor, via=via)
    return locked


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The key matching raw_key in the current schema, or None when there is none; raises
    ApiKeyRefused (with why and what to do) when it exists but may not be used now."""
    prefix, _dot, secret = raw_key.partition(".")
    if not prefix or not secret or len(prefix) > 16:
        return None
    api_key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
    if api_key is None or not hmac.compare_digest(api_key.hashed_key, _digest(raw_key)):
        return None
    now = timezone.now()
    status = selectors.api_key_status(api_key, now=now)
    if status != selectors.ACTIVE:
        expired = timezone.localdate(api_key.expires_at).isoformat()
        raise ApiKeyRefused(f"api_key_{status}", REFUSALS[status] % {"expired": expired})
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return api_key
