"""Page views counted by the platform itself (issue 14, Must have 1; ADR 0028): no third-party
tracker and nothing about who looked (no address, no cookie, no account), only a number per
(Vietnam's day, site, kind of page).

A citizen's page costs one Redis command (`count_view`): a Lua script increments the field
"<site id or 0>:<kind>" of the hash "<cache prefix>:<schema>:pageviews:<day>" and renews its
expiry (EXPIRE_SECONDS). The key carries the schema name: one province's counts are never
another's. While Redis is unreachable a view is not counted and the page is served as usual
(the cache's circuit breaker of config.cache logs the outage once and stops asking).

`page_views_flush` (the beat task reports.flush_page_views, every 5 minutes, inside each
province's schema) takes each day's counts out of Redis atomically (one Lua script: HGETALL
then DEL) and adds them to PageViewDay with one INSERT ... ON CONFLICT DO UPDATE SET views =
views + excluded.views. Two runs at the same time take disjoint counts, so nothing is counted
twice; counts taken by a run whose database write fails are put back into Redis.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.utils import timezone

from config.cache import UNREACHABLE
from provinces.calendar import TZ

logger = logging.getLogger("reports.pageviews")

# A week of counts survives workers that do not run; the flush looks this far back.
EXPIRE_SECONDS = 8 * 24 * 3600
FLUSH_DAYS = 8
MAX_FIELDS = 10_000  # fields of one day's hash read by a flush (sites × kinds: far fewer)

_COUNT = """
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""
_TAKE = """
local counts = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return counts
"""


def day_key(schema_name: str, day: date) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX") or "portal"
    return f"{prefix}:{schema_name}:pageviews:{day.isoformat()}"


def vietnam_day(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(TZ).date()


# One Redis client per connection pool of the cache, and each script registered once on it:
# Django's cache makes a new client (and its table of response callbacks) on every call,
# which costs a page more than the command itself (docs/benchmarks.md).
_clients: dict[int, Any] = {}
_scripts: dict[tuple[int, str], Any] = {}


def _client():
    backend = caches["default"]._cache  # type: ignore[attr-defined]
    pool = backend._get_connection_pool(True)
    client = _clients.get(id(pool))
    if client is None or client.connection_pool is not pool:
        client = _clients[id(pool)] = backend._client(connection_pool=pool)
    return client


def _run(source: str, *, keys: list[str], args: tuple = ()) -> object:
    # redis-py's Script sends EVALSHA, and EVAL once when Redis does not know the script yet.
    client = _client()
    script = _scripts.get((id(client), source))
    if script is None:
        script = _scripts[(id(client), source)] = client.register_script(source)
    return script(keys=keys, args=list(args), client=client)


def _in_redis(call: Callable[[], object], fallback: object) -> object:
    """`call()` against Redis; `fallback` when it cannot be reached or is known to be down."""
    breaker = getattr(caches["default"], "breaker", None)
    if breaker is not None and not breaker.closed():
        return fallback
    try:
        result = call()
    except UNREACHABLE as error:
        if breaker is not None:
            breaker.failed(error)  # logged once per pause, not once per page
        return fallback
    if breaker is not None:
        breaker.succeeded()
    return result


def count_view(*, site_id: int | None, kind: str, now: datetime | None = None) -> bool:
    """Count one view of a page of `kind` on the site `site_id` (None: the provincial portal)
    of the active province. One Redis command; False when Redis could not count it."""
    key = day_key(connection.schema_name, vietnam_day(now))  # type: ignore[attr-defined]
    field = f"{site_id or 0}:{kind}"
    return bool(
        _in_redis(
            lambda: _run(_COUNT, keys=[key], args=(field, EXPIRE_SECONDS)),
            fallback=False,
        )
    )


def _parse(counts: list) -> dict[tuple[int | None, str], int]:
    parsed: dict[tuple[int | None, str], int] = {}
    pairs = zip(counts[0::2], counts[1::2], strict=True)
    for raw_field, raw_views in list(pairs)[:MAX_FIELDS]:
        field = raw_field.decode() if isinstance(raw_field, bytes) else str(raw_field)
        site, _sep, kind = field.partition(":")
        try:
            site_id, views = int(site), int(raw_views)
        except ValueError:
            continue  # not ours: skipped
        if views > 0 and kind:
            parsed[(site_id or None, kind)] = parsed.get((site_id or None, kind), 0) + views
    return parsed


def _put_back(key: str, counts: dict[tuple[int | None, str], int]) -> None:
    def call():
        pipe = _client().pipeline(transaction=True)
        for (site_id, kind), views in counts.items():
            pipe.hincrby(key, f"{site_id or 0}:{kind}", views)
        pipe.expire(key, EXPIRE_SECONDS)
        return pipe.execute()

    _in_redis(call, fallback=None)


def _store(day: date, counts: dict[tuple[int | None, str], int]) -> int:
    from organization.models import ComponentSite
    from reports.models import PageViewDay

    kinds = set(PageViewDay.PageKind.values)
    known_sites = set(
        ComponentSite.objects.filter(
            pk__in={site_id for site_id, _kind in counts if site_id is not None}
        ).values_list("pk", flat=True)
    )
    rows = [
        (day, site_id, kind if kind in kinds else PageViewDay.PageKind.OTHER.value, views)
        for (site_id, kind), views in counts.items()
        if site_id is None or site_id in known_sites  # a site removed since: its views go
    ]
    merged: dict[tuple[date, int | None, str], int] = {}
    for row_day, site_id, kind, views in rows:
        merged[(row_day, site_id, kind)] = merged.get((row_day, site_id, kind), 0) + views
    if not merged:
        return 0
    table = connection.ops.quote_name(PageViewDay._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s)"] * len(merged))
    params: list[Any] = []
    for (row_day, site_id, kind), views in merged.items():
        params += [row_day, site_id, kind, views]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, site_id, kind, views) VALUES {values} "  # noqa: S608
            "ON CONFLICT (day, site_id, kind) "
            f"DO UPDATE SET views = {table}.views + EXCLUDED.views",
            params,
        )
    return sum(merged.values())


def page_views_flush(*, now: datetime | None = None) -> int:
    """Move the active province's counts from Redis into PageViewDay (the last FLUSH_DAYS
    days). Returns the number of views moved; 0 while Redis is unreachable."""
    today = vietnam_day(now)
    moved = 0
    for back in range(FLUSH_DAYS):
        day = today - timedelta(days=back)
        key = day_key(connection.schema_name, day)  # type: ignore[attr-defined]
        taken = _in_redis(partial(_run, _TAKE, keys=[key]), fallback=None)
        if not taken:
            continue
        counts = _parse(list(taken))  # type: ignore[call-overload]
        try:
            with transaction.atomic():
                moved += _store(day, counts)
        except Exception:
            _put_back(key, counts)  # not lost: the next run adds them
            raise
    return moved
