"""Attempts per client address (failed guesses of tracking codes and data exports, comments
on drafts): a few, then 429.

Counted in the public schema's key space, since one address guessing across provinces is one
guesser; the address comes from config.client (behind our proxies)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django_tenants.utils import get_public_schema_name, schema_context

from config.client import client_address


@dataclass(frozen=True)
class FailureLimit:
    name: str
    max_failures: int
    window_seconds: int

    def _key(self, request) -> str:
        return f"frontend:failures:{self.name}:{client_address(request)}"

    def blocked(self, request) -> bool:
        with schema_context(get_public_schema_name()):
            return cache.get(self._key(request), 0) >= self.max_failures

    def record(self, request) -> None:
        key = self._key(request)
        with schema_context(get_public_schema_name()):
            if cache.add(key, 1, self.window_seconds):
                return
            try:
                cache.incr(key)
            except ValueError:  # the window expired between add() and incr()
                cache.set(key, 1, self.window_seconds)
