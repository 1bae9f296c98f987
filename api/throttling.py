"""The API's rate limits: DRF throttle classes that count with the core's limiter (core.limits),
so an action the web pages also offer is counted in the same bucket against the same rate.

`AnonRateThrottle` and `UserRateThrottle` are the default classes
(REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]; their rates are REST_FRAMEWORK's "anon" and
"user", read when a request is counted). Anonymous requests are counted per client address as
config.client reads it behind our own proxies (TRUSTED_PROXIES), signed-in callers (a session
or an API key) per user; both per province, since users exist per province (the same id is
another person elsewhere) and each province's hosts have their own allowance.

`TrackingCodeGuesses` and `ExportGuesses` guard the public look-ups by tracking code: they
refuse once the address has spent its allowance of failed guesses, the web's and the API's
together; the view counts a failure with `failed(request)`."""

from __future__ import annotations

from django.db import connection
from rest_framework.throttling import BaseThrottle

from config.client import client_address
from core import limits


class CoreThrottle(BaseThrottle):
    """One limit of core.limits, counted on every request it lets through."""

    limit: str

    def who(self, request) -> str | None:
        """What the request is counted as; None: this throttle does not count it."""
        raise NotImplementedError

    def counter(self, request) -> limits.Counter | None:
        who = self.who(request)
        if who is None:
            return None
        scope = limits.LIMITS[self.limit].scope
        province = connection.schema_name if scope == limits.Scope.PROVINCE else None
        return limits.counter(self.limit, who=who, province=province)

    def allow_request(self, request, view) -> bool:
        counter = self.counter(request)
        if counter is None:
            return True
        verdict = counter.hit()
        self.retry_after = verdict.retry_after
        return verdict.allowed

    def wait(self) -> float | None:
        return getattr(self, "retry_after", None)


class AnonRateThrottle(CoreThrottle):
    """`anon`: requests without a user, per client address and province."""

    limit = "api.anonymous"

    def who(self, request) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return client_address(request)


class UserRateThrottle(CoreThrottle):
    """`user`: requests of a signed-in user or an API key's user, per user of this province
    (anonymous requests are counted by `AnonRateThrottle`)."""

    limit = "api.user"

    def who(self, request) -> str | None:
        if request.user and request.user.is_authenticated:
            return str(request.user.pk)
        return None


class FailedGuesses(CoreThrottle):
    """A limit that counts failures: a request is refused while the address's allowance is
    spent; the view counts a failure itself (`failed`)."""

    def who(self, request) -> str | None:
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        counter = self.counter(request)
        if counter is None or not counter.blocked():
            return True
        self.retry_after = max(1, counter.retry_after())
        return False

    @classmethod
    def failed(cls, request) -> None:
        counter = cls().counter(request)
        if counter is not None:
            counter.hit()


class TrackingCodeGuesses(FailedGuesses):
    """Unknown tracking codes, the web's and the API's: a code is the key to one asker's item."""

    limit = "qa.tracking_code_guess"


class ExportGuesses(FailedGuesses):
    """An asker's export refused (code and e-mail do not match), the web's and the API's."""

    limit = "qa.export_guess"
