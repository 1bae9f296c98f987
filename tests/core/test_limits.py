"""The core's one rate limiter (ADR 0015): named limits counted in Redis, each declared once
with its rate, its scope (the whole platform or one province) and what it counts per."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache

from core import limits
from core.limits import LIMITS, Limit, Rate, Scope


def _redis():
    return cache._cache.get_client(write=True)


@pytest.fixture
def tiny(monkeypatch):
    """A platform-wide limit of three per minute, and its twin counted per province."""
    monkeypatch.setitem(
        LIMITS,
        "test.tiny",
        Limit("test.tiny", Scope.PLATFORM, limits.KeyKind.ADDRESS, Rate(3, 60)),
    )
    monkeypatch.setitem(
        LIMITS,
        "test.tiny_province",
        Limit("test.tiny_province", Scope.PROVINCE, limits.KeyKind.ACCOUNT, Rate(3, 60)),
    )


def test_the_n_plus_first_hit_is_refused_with_the_time_left(tiny):
    counter = limits.counter("test.tiny", who="192.0.2.1", province=None)
    verdicts = [counter.hit() for _ in range(4)]
    assert [verdict.allowed for verdict in verdicts] == [True, True, True, False]
    assert 0 < verdicts[-1].retry_after <= 60
    # another address has its own allowance
    assert limits.counter("test.tiny", who="192.0.2.2", province=None).hit().allowed


def test_blocked_reads_without_counting(tiny):
    counter = limits.counter("test.tiny", who="192.0.2.1", province=None)
    for _ in range(5):
        assert not counter.blocked()
    counter.hit()
    counter.hit()
    assert not counter.blocked()
    counter.hit()
    assert counter.blocked()


def test_reset_gives_the_whole_allowance_back(tiny):
    counter = limits.counter("test.tiny_province", who="nvan", province="hagiang")
    for _ in range(3):
        counter.hit()
    assert counter.blocked()
    counter.reset()
    assert not counter.blocked()
    assert counter.hit().allowed


def test_a_platform_limit_is_one_allowance_a_province_limit_one_per_province(tiny):
    # given: the same caller counted three times on the platform and in one province
    for _ in range(3):
        limits.counter("test.tiny", who="x", province=None).hit()
        limits.counter("test.tiny_province", who="x", province="hagiang").hit()
    # then: the platform's allowance is spent, another province's is whole
    assert limits.counter("test.tiny", who="x", province=None).blocked()
    assert limits.counter("test.tiny_province", who="x", province="hagiang").blocked()
    assert not limits.counter("test.tiny_province", who="x", province="dongnai").blocked()


def test_the_scope_in_the_call_must_be_the_declared_one(tiny):
    with pytest.raises(ValueError, match=r"test\.tiny is counted platform-wide"):
        limits.counter("test.tiny", who="x", province="hagiang")
    with pytest.raises(ValueError, match=r"test\.tiny_province is counted per province"):
        limits.counter("test.tiny_province", who="x", province=None)
    with pytest.raises(KeyError):
        limits.counter("no.such.limit", who="x", province=None)


def test_keys_are_namespaced_expire_with_the_window_and_hide_the_caller(tiny):
    limits.counter("test.tiny", who="203.0.113.9", province=None).hit()
    limits.counter("test.tiny_province", who="nvan", province="hagiang").hit()
    keys = sorted(key.decode() for key in _redis().scan_iter(match="portal-test:limits:*"))
    assert len(keys) == 2
    assert keys[0].startswith("portal-test:limits:platform:test.tiny:")
    assert keys[1].startswith("portal-test:limits:province:hagiang:test.tiny_province:")
    assert not any("203.0.113.9" in key or "nvan" in key for key in keys)
    for key in keys:
        assert 0 < _redis().pttl(key) <= 60_000


def test_concurrent_hits_never_let_more_through_than_the_rate(tiny):
    # given: twenty requests of one address arriving at once
    allowed: list[bool] = []
    start = threading.Barrier(20)

    def one() -> None:
        start.wait()
        allowed.append(limits.counter("test.tiny", who="192.0.2.7", province=None).hit().allowed)

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: exactly the three the rate allows
    assert allowed.count(True) == 3


def test_a_window_that_ends_starts_a_new_allowance(monkeypatch):
    monkeypatch.setitem(
        LIMITS,
        "test.short",
        Limit("test.short", Scope.PLATFORM, limits.KeyKind.ADDRESS, Rate(1, 1)),
    )
    counter = limits.counter("test.short", who="x", province=None)
    assert counter.hit().allowed
    assert not counter.hit().allowed
    # when: the window ends (Redis expires the key a millisecond from now)
    _redis().pexpire(counter.key, 1)
    time.sleep(0.01)
    # then: a new window, with its whole allowance
    assert counter.hit().allowed
    assert 0 < _redis().pttl(counter.key) <= 1000


def test_configurable_rates_are_read_when_counting(settings):
    settings.QA_SUBMISSIONS_PER_HOUR = 2
    assert LIMITS["qa.submission"].current_rate() == Rate(2, 3600)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "7/min", "user": "9/hour"},
    }
    assert LIMITS["api.anonymous"].current_rate() == Rate(7, 60)
    assert LIMITS["api.user"].current_rate() == Rate(9, 3600)


def test_a_limit_without_a_rate_never_refuses(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    counter = limits.counter("api.anonymous", who="192.0.2.1", province="hagiang")
    assert all(counter.hit().allowed for _ in range(5))
    assert not counter.blocked()


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("120/min", Rate(120, 60)),
        ("5/hour", Rate(5, 3600)),
        ("1/s", Rate(1, 1)),
        ("10/day", Rate(10, 86400)),
    ],
)
def test_rates_are_written_as_drf_writes_them(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["", "ten/min", "5/fortnight", "-1/min", "5"])
def test_a_malformed_rate_is_refused(text):
    with pytest.raises(ValueError, match="rate"):
        Rate.parse(text)


def test_every_declared_limit_names_itself_and_has_a_positive_window():
    for name, limit in LIMITS.items():
        assert limit.name == name
        rate = limit.current_rate()
        assert rate is None or (rate.count >= 0 and rate.seconds > 0), name
