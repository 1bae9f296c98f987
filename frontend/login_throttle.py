"""Failed sign-ins counted in the cache, per (host, user name) and per client address.

Five failures for one account on one host, or twenty from one address on any host, within
15 minutes block further attempts until the window ends. The counters live in Redis, not
in a third-party service. The per-address counter is kept in the public schema's key space
so that spreading attempts over several provinces does not reset it."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

from config.client import client_address

MAX_FAILURES_PER_ACCOUNT = 5
# Offices often reach the portal through one shared address: a looser limit per address.
MAX_FAILURES_PER_ADDRESS = 20
WINDOW_SECONDS = 15 * 60


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _increment(key: str) -> int:
    if cache.add(key, 1, WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, WINDOW_SECONDS)
        return 1


@dataclass(frozen=True)
class LoginThrottle:
    account_key: str
    address_key: str

    @classmethod
    def for_request(cls, request, *, username: str) -> LoginThrottle:
        # Per account of this province (its schema), whichever of its hosts is tried.
        name = unicodedata.normalize("NFC", username).strip().casefold()
        address = client_address(request)
        return cls(
            account_key=f"frontend:login-failures:account:{_digest(connection.schema_name, name)}",
            address_key=f"frontend:login-failures:address:{_digest(address)}",
        )

    def is_blocked(self) -> bool:
        if cache.get(self.account_key, 0) >= MAX_FAILURES_PER_ACCOUNT:
            return True
        with schema_context(get_public_schema_name()):
            return cache.get(self.address_key, 0) >= MAX_FAILURES_PER_ADDRESS

    def record_failure(self) -> None:
        _increment(self.account_key)
        with schema_context(get_public_schema_name()):
            _increment(self.address_key)

    def record_success(self) -> None:
        cache.delete(self.account_key)
