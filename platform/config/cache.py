"""The platform's cache: its keys, and a Redis backend that an outage does not turn into errors.

Cache keys: deployment prefix, then the schema of the active province, then the key. Every key
carries the schema name, so one province's entry never answers another's; the prefix comes
first so that one deployment (or the test run) can find and drop its own keys."""

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


def make_key(key: str, key_prefix: str, version: int) -> str:
    return f"{key_prefix}:{connection.schema_name}:{version}:{key}"


def reverse_key(key: str) -> str:
    return key.split(":", 3)[3]


# --- A cache that a Redis outage does not turn into errors --------------------------------
# (ADR 0024) Pages, sessions' side data and counters read and write the cache on every
# request. With Redis down, each call of Django's RedisCache raises (after the socket's own
# timeout), so a public page would answer 500. ResilientRedisCache answers as an empty cache
# instead: a read is a miss, a write does nothing, `add` says the key exists (so a cache used as
# a lock never lets two callers through), and after one failure it stops asking Redis for
# `RETRY_AFTER` seconds (a circuit breaker), so a page pays the connect timeout at most once per
# pause, not once per call. The outage is logged as a warning at most once per `WARN_EVERY`
# seconds and the recovery once.
#
# OPTIONS (beside the Redis pool's own, e.g. socket_connect_timeout and socket_timeout):
# `RETRY_AFTER` (seconds, default 5) and `WARN_EVERY` (seconds, default 60).

logger = logging.getLogger("config.cache")

# What an unreachable or stalled Redis raises (a refused or reset socket is an OSError inside
# redis-py, re-raised as its ConnectionError; a read past socket_timeout as its TimeoutError).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class Breaker:
    """The circuit breaker of one cache (thread-safe, per process)."""

    def __init__(self, *, name: str, retry_after: float, warn_every: float) -> None:
        self.name = name
        self.retry_after = retry_after
        self.warn_every = warn_every
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._warned_at: float | None = None
        self._down = False

    def closed(self) -> bool:
        """Whether Redis may be asked now (no failure within the last `retry_after` s)."""
        return time.monotonic() >= self._open_until

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self._open_until = now + self.retry_after
            self._down = True
            warn = self._warned_at is None or now - self._warned_at >= self.warn_every
            if warn:
                self._warned_at = now
        if warn:
            # The error's class only: its text may carry the server's address.
            logger.warning(
                "cache %s unreachable (%s): answering as an empty cache, retrying every %s s",
                self.name,
                type(error).__name__,
                self.retry_after,
            )

    def succeeded(self) -> None:
        if self._down:
            with self._lock:
                was_down, self._down, self._warned_at = self._down, False, None
            if was_down:
                logger.warning("cache %s reachable again", self.name)

    def reset(self) -> None:
        with self._lock:
            self._open_until, self._down, self._warned_at = 0.0, False, None


_MISSING = object()


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, answering as an empty cache while Redis is unreachable."""

    def __init__(self, server, params) -> None:
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        retry_after = float(options.pop("RETRY_AFTER", 5))
        warn_every = float(options.pop("WARN_EVERY", 60))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self.breaker = Breaker(
            name=str(params.get("KEY_PREFIX") or "default"),
            retry_after=retry_after,
            warn_every=warn_every,
        )

    def available(self) -> bool:
        """False while the breaker is open: callers with a fallback of their own (the rate
        limits of core.limits) use it without waiting for a timeout."""
        return self.breaker.closed()

    def _call(self, fallback: Any, call, *args, **kwargs) -> Any:
        if not self.breaker.closed():
            return fallback
        try:
            result = call(*args, **kwargs)
        except UNREACHABLE as error:
            self.breaker.failed(error)
            return fallback
        self.breaker.succeeded()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        # "Already there": a cache used as a lock or a once-only marker lets nobody through
        # twice while it cannot tell.
        return self._call(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self._call(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._call(False, super().touch, key, timeout, version)

    def delete(self, key, version=None) -> bool:
        return self._call(False, super().delete, key, version)

    def get_many(self, keys, version=None) -> dict:
        return self._call({}, super().get_many, keys, version)

    def has_key(self, key, version=None) -> bool:
        return self._call(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None) -> int:
        result = self._call(_MISSING, super().incr, key, delta, version)
        if result is _MISSING:
            raise ValueError(f"Key '{key}' not found (cache unreachable)")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        # Every key "failed", as Django's contract for set_many says.
        return self._call(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None) -> None:
        self._call(None, super().delete_many, keys, version)

    def clear(self) -> bool:
        return self._call(False, super().clear)


class LocalMemo:
    """A few seconds' memory, in this process, of answers that change rarely and are asked on
    every request (which province a host belongs to, which component site): the request pays
    no cache round trip for them. Another process sees a change at most `seconds` late; the
    process that made the change forgets at once (`forget`). Bounded: past `size` entries the
    memory starts again empty. `LocalMemo.clear_all()` empties every one (tests do, with the
    cache)."""

    instances: list["LocalMemo"] = []

    def __init__(self, seconds: float, size: int = 4096):
        self.seconds = seconds
        self.size = size
        self._entries: dict[Any, tuple[float, Any]] = {}
        LocalMemo.instances.append(self)

    @classmethod
    def clear_all(cls) -> None:
        for memo in cls.instances:
            memo.clear()

    def get(self, key: Any, default: Any = None) -> Any:
        found = self._entries.get(key)
        if found is None or found[0] <= time.monotonic():
            return default
        return found[1]

    def set(self, key: Any, value: Any) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.seconds, value)

    def forget(self, *keys: Any) -> None:
        for key in keys:
            self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
