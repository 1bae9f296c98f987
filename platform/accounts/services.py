"""Writes on accounts: creation with a one-time secret, first-login password change."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.db import transaction
from django.utils import timezone
from unidecode import unidecode

from accounts.models import User

ONE_TIME_SECRET_BYTES = 12


class AccountError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class IssuedAccount:
    user: User
    one_time_secret: str | None  # shown once, never stored in clear


def one_time_secret() -> str:
    return secrets.token_urlsafe(ONE_TIME_SECRET_BYTES)


def username_from_full_name(full_name: str, *, rule: str) -> str:
    """Huế Art. 11: initials of the family and middle names + the full given name, joined,
    without diacritics ("Nguyễn Văn An" → "nvan"). Rule "free" keeps the ASCII-folded name."""
    words = unidecode(unicodedata.normalize("NFC", full_name)).lower().split()
    words = ["".join(ch for ch in word if ch.isalnum()) for word in words]
    words = [word for word in words if word]
    if not words:
        raise AccountError("invalid_name", "Họ tên không hợp lệ.", field="full_name")
    if rule == "initials_given":
        return "".join(word[0] for word in words[:-1]) + words[-1]
    return ".".join(words)


@transaction.atomic
def user_create_with_secret(
    *, username: str, full_name: str = "", email: str = "", is_superuser: bool = False
) -> IssuedAccount:
    """Create a staff account with a random one-time secret that must be changed at first login
    (Huế Art. 11: the fixed initial password of the text is deliberately not reproduced)."""
    username = unicodedata.normalize("NFC", username).strip()
    if not username or not username.isascii() or " " in username:
        raise AccountError(
            "invalid_username",
            "Tên đăng nhập phải là chữ không dấu, không khoảng trắng.",
            field="username",
        )
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(
            "username_taken", f"Tên đăng nhập '{username}' đã tồn tại.", field="username"
        )
    secret = one_time_secret()
    user = User(
        username=username,
        full_name=unicodedata.normalize("NFC", full_name),
        email=email,
        is_staff=True,
        is_superuser=is_superuser,
        must_change_password=True,
    )
    user.set_password(secret)
    user.save()
    return IssuedAccount(user=user, one_time_secret=secret)


@transaction.atomic
def user_reset_secret(*, user: User) -> IssuedAccount:
    secret = one_time_secret()
    user.set_password(secret)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return IssuedAccount(user=user, one_time_secret=secret)


@transaction.atomic
def user_change_password(*, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password):
        raise AccountError("wrong_password", "Mật khẩu hiện tại không đúng.", field="old_password")
    if old_password == new_password:
        raise AccountError(
            "same_password", "Mật khẩu mới phải khác mật khẩu cũ.", field="new_password"
        )
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    return user
