"""Builders for accounts: users as the services leave them."""

from __future__ import annotations


def with_email(user, address: str | None = None):
    """Give `user` an e-mail address (by default `<username>@example.gov.vn`) and return it."""
    user.email = address or f"{user.username}@example.gov.vn"
    user.save(update_fields=["email"])
    return user


def administrator(*, password: str | None = None):
    """The province's administrator (the superuser seeded at onboarding) past its first sign-in:
    its one-time secret is unknown to a test, so no service can change it; the flag and, when
    given, the password are set on the row."""
    from accounts.models import User

    admin = User.objects.get(is_superuser=True)
    if password is not None:
        admin.set_password(password)
    admin.must_change_password = False
    admin.save()
    return admin
