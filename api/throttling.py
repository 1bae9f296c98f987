"""The API's rate limits (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] and "_RATES").

Anonymous requests are counted per client address as config.client reads it behind our own
proxies (TRUSTED_PROXIES): the same address every per-address limit of the platform uses, not
DRF's own reading of X-Forwarded-For. Signed-in callers (a session or an API key) are counted
per user. Both counters live in the default cache, whose keys carry the schema of the host's
province (config.cache): users exist per province (the same id is another person elsewhere),
and each province's hosts have their own allowance. The rates are read when a request is
counted, so settings (and tests) can change them."""

from __future__ import annotations

from rest_framework import throttling
from rest_framework.settings import api_settings

from config.client import client_address


class _LiveRates:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_address(request)


class AnonRateThrottle(_LiveRates, throttling.AnonRateThrottle):
    """`anon`: requests without a user, per client address and province."""


class UserRateThrottle(_LiveRates, throttling.UserRateThrottle):
    """`user`: requests of a signed-in user or an API key's user, per user (of this province);
    anonymous requests fall back to the address."""
