"""Builders for accounts: users as the services leave them."""

from __future__ import annotations


def with_email(user, address: str | None = None):
    """Give `user` an e-mail address (by default `<username>@example.gov.vn`) and return it."""
    user.email = address or f"{user.username}@example.gov.vn"
    user.save(update_fields=["email"])
    return user
