"""Builders for integrations, through integrations.services (inside a province's schema)."""

from __future__ import annotations

from integrations.services import api_key_create


def api_key(user, *, scopes=("read", "write"), name: str = "cms", **kwargs) -> str:
    """The raw secret of a new API key acting for `user` (extra `api_key_create` arguments,
    such as actor and via, pass through)."""
    return api_key_create(user=user, name=name, scopes=list(scopes), **kwargs).key
