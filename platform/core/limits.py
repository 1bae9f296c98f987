"""The platform's one rate limiter: every limit the web pages and the API apply, declared once
by name and counted in Redis (ADR 0015).

A limit is a fixed window that opens at its first hit: Redis counts the hits under one key
that expires with the window (INCR and PEXPIRE in one Lua script, so concurrent requests never
let more through than the rate). The web and the API name the same limit for the same action,
so they count in the same bucket against the same rate.

The scope is explicit in every call and checked against the declaration: a platform-wide limit
(`province=None`) is one allowance whichever province's host is called; a per-province limit is
counted in the province given (the schema name of the host's province). Keys read
`<prefix>:limits:platform:<name>:<digest>` or `<prefix>:limits:province:<schema>:<name>:<digest>`
(the default cache's prefix, so a deployment or the test run finds its own); the digest hides
the address or account counted."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.cache import caches
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# One INCR; the first hit of a window (or a key left without expiry) sets the window's end.
_HIT = """
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {count, left}
"""

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*([smhd])[a-z]*\s*$")


class Scope(StrEnum):
    PLATFORM = "platform"  # one allowance across every province of the platform
    PROVINCE = "province"  # each province counts its own


class KeyKind(StrEnum):
    ADDRESS = "address"  # the client's address, as config.client.client_address reads it
    ACCOUNT = "account"  # an account of the province: a user name or a user's id


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """A rate as DRF writes it: "120/min", "5/hour", "1/s", "10/day"."""
        match = _RATE.match(text or "")
        if match is None:
            raise ValueError(f"not a rate: {text!r} (expected '<count>/<s|min|hour|day>')")
        return cls(int(match[1]), _PERIODS[match[2]])


@dataclass(frozen=True)
class Limit:
    name: str
    scope: Scope
    key: KeyKind
    rate: Rate | Callable[[], Rate | None]  # a callable is read at each count (settings)
    counts: str = ""  # what one hit is, for the reader of the table

    def current_rate(self) -> Rate | None:
        """None: no rate configured, nothing is refused (as DRF does for a missing scope)."""
        return self.rate() if callable(self.rate) else self.rate

    def window(self) -> int:
        """The window in seconds (what a page tells the refused to wait at most)."""
        rate = self.current_rate()
        return rate.seconds if rate is not None else 0


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # whole seconds until the window ends (0 when nothing is counted)


def _per_hour(setting: str) -> Callable[[], Rate]:
    return lambda: Rate(int(getattr(settings, setting)), 3600)


def _api_rate(scope: str) -> Callable[[], Rate | None]:
    def read() -> Rate | None:
        rates = getattr(settings, "REST_FRAMEWORK", {}).get("DEFAULT_THROTTLE_RATES", {})
        return Rate.parse(rates[scope]) if rates.get(scope) else None

    return read


_DECLARED = (
    # Bot protection without a third party; one allowance whichever province is asked.
    Limit(
        "qa.submission",
        Scope.PLATFORM,
        KeyKind.ADDRESS,
        _per_hour("QA_SUBMISSIONS_PER_HOUR"),
        "a question, feedback or complaint received (web form or API)",
    ),
    # A tracking code is the key to one asker's item: guessing is slowed down.
    Limit(
        "qa.tracking_code_guess",
        Scope.PLATFORM,
        KeyKind.ADDRESS,
        Rate(30, 10 * 60),
        "a look-up of an unknown tracking code (web page or API)",
    ),
    # Guessing an asker's e-mail for a known code, slowed down as sign-in guessing is.
    Limit(
        "qa.export_guess",
        Scope.PLATFORM,
        KeyKind.ADDRESS,
        Rate(10, 15 * 60),
        "an asker's data export refused for a code and e-mail that do not match",
    ),
    Limit(
        "editorial.draft_comment",
        Scope.PLATFORM,
        KeyKind.ADDRESS,
        Rate(10, 60 * 60),
        "a citizen's comment on a draft document open for comment",
    ),
    Limit(
        "accounts.sign_in_account",
        Scope.PROVINCE,
        KeyKind.ACCOUNT,
        Rate(5, 15 * 60),
        "a wrong password for one account of the province (sign-in or password change)",
    ),
    # Offices often reach the portal through one shared address: a looser limit per address.
    Limit(
        "accounts.sign_in_address",
        Scope.PLATFORM,
        KeyKind.ADDRESS,
        Rate(20, 15 * 60),
        "a wrong password from one address, whichever province and account",
    ),
    # Users exist per province (user 5 of one province is another person in the next), and
    # each province's hosts keep their own API allowance.
    Limit(
        "api.anonymous",
        Scope.PROVINCE,
        KeyKind.ADDRESS,
        _api_rate("anon"),
        "an API request without a user",
    ),
    Limit(
        "api.user",
        Scope.PROVINCE,
        KeyKind.ACCOUNT,
        _api_rate("user"),
        "an API request of a signed-in user or an API key's user",
    ),
)
LIMITS: dict[str, Limit] = {limit.name: limit for limit in _DECLARED}


def _redis(key: str):
    # The Redis client of Django's cache (one connection pool for the process).
    return caches["default"]._cache.get_client(key, write=True)  # type: ignore[attr-defined]


# --- Redis down (ADR 0024) -------------------------------------------------------------------
# A limit never silently disappears, and an outage locks no one out: while Redis cannot be
# reached, each process counts in its own memory, with the same windows and rates. A limit
# then lets through at most its rate per process (gunicorn's workers times the rate, a handful
# of sign-in guesses more, not an open door), and staff can still sign in. The cache's
# circuit breaker (config.cache) is shared, so a counter does not wait for a timeout on every
# hit once Redis is known to be down. Counts made in memory are not carried back to Redis.

_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
_LOCAL_KEYS = 10_000  # the memory counters of one process, at most


class _LocalCounts:
    """Fixed windows in this process's memory: key -> (count, window's end, monotonic)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def _live(self, key: str, now: float) -> tuple[int, float] | None:
        entry = self._counts.get(key)
        if entry is not None and entry[1] <= now:
            del self._counts[key]
            return None
        return entry

    def hit(self, key: str, seconds: int) -> tuple[int, int]:
        now = time.monotonic()
        with self._lock:
            entry = self._live(key, now)
            if entry is None:
                if len(self._counts) >= _LOCAL_KEYS:
                    self._prune(now)
                entry = (0, now + seconds)
            entry = (entry[0] + 1, entry[1])
            self._counts[key] = entry
            return entry[0], int((entry[1] - now) * 1000)

    def count(self, key: str) -> int:
        with self._lock:
            entry = self._live(key, time.monotonic())
            return entry[0] if entry else 0

    def left_ms(self, key: str) -> int:
        now = time.monotonic()
        with self._lock:
            entry = self._live(key, now)
            return int((entry[1] - now) * 1000) if entry else 0

    def delete(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()

    def _prune(self, now: float) -> None:
        for key in [key for key, (_c, end) in self._counts.items() if end <= now]:
            del self._counts[key]
        while len(self._counts) >= _LOCAL_KEYS:  # the windows that end first go first
            del self._counts[min(self._counts, key=lambda k: self._counts[k][1])]


LOCAL = _LocalCounts()


_DOWN = object()


def _in_redis(call: Callable[[], object]) -> object:
    """`call()` against Redis, or _DOWN when it cannot be reached (or is known to be down)."""
    cache = caches["default"]
    breaker = getattr(cache, "breaker", None)
    if breaker is not None and not breaker.closed():
        return _DOWN
    try:
        result = call()
    except _UNREACHABLE as error:
        if breaker is not None:
            breaker.failed(error)
        return _DOWN
    if breaker is not None:
        breaker.succeeded()
    return result


def _digest(who: str) -> str:
    return hashlib.sha256(who.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Counter:
    limit: Limit
    key: str

    def hit(self) -> Verdict:
        """Count one and say whether it is within the rate."""
        rate = self.limit.current_rate()
        if rate is None:
            return Verdict(allowed=True, count=0, retry_after=0)
        counted = _in_redis(
            lambda: _redis(self.key).register_script(_HIT)(
                keys=[self.key], args=[rate.seconds * 1000]
            )
        )
        if counted is _DOWN:
            count, left_ms = LOCAL.hit(self.key, rate.seconds)
        else:
            count, left_ms = counted  # type: ignore[misc]
        return Verdict(
            allowed=int(count) <= rate.count, count=int(count), retry_after=_seconds(left_ms)
        )

    def blocked(self) -> bool:
        """Whether the rate is spent, without counting (for limits that count failures)."""
        rate = self.limit.current_rate()
        if rate is None:
            return False
        stored = _in_redis(lambda: _redis(self.key).get(self.key))
        count = LOCAL.count(self.key) if stored is _DOWN else int(stored or 0)  # type: ignore[call-overload]
        return count >= rate.count

    def retry_after(self) -> int:
        left = _in_redis(lambda: _redis(self.key).pttl(self.key))
        return _seconds(LOCAL.left_ms(self.key) if left is _DOWN else left)

    def reset(self) -> None:
        LOCAL.delete(self.key)
        _in_redis(lambda: _redis(self.key).delete(self.key))


def _seconds(milliseconds) -> int:
    milliseconds = int(milliseconds)
    return max(0, -(-milliseconds // 1000))  # rounded up: never "retry after 0" too early


def counter(name: str, *, who: str, province: str | None) -> Counter:
    """The counter of limit `name` for `who` (an address or an account, as the limit declares);
    `province` is the host's province's schema for a per-province limit, None for a
    platform-wide one — any other combination is a programming error."""
    limit = LIMITS[name]
    if limit.scope == Scope.PLATFORM:
        if province is not None:
            raise ValueError(f"{name} is counted platform-wide: call it with province=None")
        place = "platform"
    else:
        if not province:
            raise ValueError(f"{name} is counted per province: name the province")
        place = f"province:{province}"
    prefix = caches["default"].key_prefix
    return Counter(limit, f"{prefix}:limits:{place}:{name}:{_digest(who)}")
