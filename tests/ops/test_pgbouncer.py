"""Past one server (issue 13 item 8, ADR 0026): the platform behind a real PgBouncer in session
mode, a small pool whose server connections pass from province to province, many concurrent
requests across the five provinces, and not one answer read from another province's schema.

django-tenants sets search_path once per request (TENANT_LIMIT_SET_CALLS): a pooled server
connection that carried one province's search_path into another client's request would show
here as a province listing another's component sites. Two variants: a connection per request
(CONN_MAX_AGE=0, so PgBouncer hands each request whichever server connection is free) and
persistent connections (CONN_MAX_AGE=60, as production runs)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories.pgbouncer import PGBOUNCER, pgbouncer, province_load

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "ops" / "bench"))
from _serve import free_port, gunicorn  # noqa: E402

SLUGS = ("thainguyen", "thuathienhue", "dongnai", "hagiang", "backan")
THREADS = int(os.environ.get("PGBOUNCER_TEST_THREADS", "8"))
REQUESTS_PER_THREAD = int(os.environ.get("PGBOUNCER_TEST_REQUESTS", "200"))


def _in_ci() -> bool:
    return bool(os.environ.get("CI"))


@pytest.fixture
def bouncer_binary():
    if not Path(PGBOUNCER).is_file():
        reason = f"{PGBOUNCER} missing (apt-get install pgbouncer)"
        if _in_ci():
            pytest.fail(f"{reason}: CI must run the PgBouncer test")
        pytest.skip(reason)
    return PGBOUNCER


def _serve_through(bouncer, *, workers: int, conn_max_age: int):
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": bouncer.url(database["NAME"]),
        "DB_CONN_MAX_AGE": str(conn_max_age),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
    }
    port = free_port()
    return port, gunicorn(["config.wsgi:application"], port, env, workers=workers)


def _report(label: str, tally, logins: int) -> None:
    rate = tally.total / tally.seconds if tally.seconds else 0.0
    print(
        f"\n{label}: {tally.total} answers ({dict(tally.answered)}), "
        f"{len(tally.mismatches)} from another schema, {len(tally.failures)} failed, "
        f"{rate:.0f} req/s, {logins} server logins"
    )


@pytest.mark.parametrize(
    ("conn_max_age", "workers", "pool_size"),
    [
        # a connection per request: 6 workers share 3 server connections, each handed from
        # client to client (and from province to province) after DISCARD ALL
        pytest.param(0, 6, 3, id="connection-per-request"),
        # persistent connections, as production runs (CONN_MAX_AGE=60): session mode pins each
        # worker's client connection to one server connection, so the pool covers the workers;
        # the server connections are handed from province to province, request after request
        pytest.param(60, 4, 4, id="persistent-connections"),
    ],
)
def test_no_request_is_answered_from_another_provinces_schema(
    tenant_db, bouncer_binary, conn_max_age, workers, pool_size
):
    with pgbouncer(settings.DATABASES["default"]["NAME"], pool_size=pool_size) as bouncer:
        port, server = _serve_through(bouncer, workers=workers, conn_max_age=conn_max_age)
        try:
            # when 8 clients send 200 requests each, across the five provinces' hosts
            tally = province_load(
                port, SLUGS, threads=THREADS, requests_per_thread=REQUESTS_PER_THREAD
            )
            pools = bouncer.show("POOLS")
        finally:
            server.terminate()
            server.wait(timeout=30)
        logins = bouncer.server_logins()
        _report(f"pgbouncer session, CONN_MAX_AGE={conn_max_age}", tally, logins)

    # then every request was answered, each from its own province's schema
    assert tally.failures == []
    assert tally.mismatches == []
    assert tally.total == THREADS * REQUESTS_PER_THREAD
    assert set(tally.answered) == set(SLUGS)
    # through no more server connections than the pool has: they were shared
    database = settings.DATABASES["default"]["NAME"]
    pool = next(row for row in pools if row["database"] == database)
    in_pool = sum(
        int(pool[column]) for column in ("sv_active", "sv_idle", "sv_used", "sv_tested", "sv_login")
    )
    assert in_pool <= pool_size
    assert logins <= pool_size * 2  # a few reconnects at most, not per request


def test_transaction_mode_answers_from_other_provinces_schemas(tenant_db, bouncer_binary):
    # The same load through PgBouncer in transaction mode: the request's SET search_path and
    # its query are two transactions, lent two server connections. The check sees it (and this
    # is why the platform uses session mode, ADR 0026).
    database = settings.DATABASES["default"]["NAME"]
    with pgbouncer(database, pool_mode="transaction", pool_size=2) as bouncer:
        port, server = _serve_through(bouncer, workers=4, conn_max_age=60)
        try:
            tally = province_load(port, SLUGS, threads=8, requests_per_thread=40)
        finally:
            server.terminate()
            server.wait(timeout=30)
        _report("pgbouncer transaction, CONN_MAX_AGE=60", tally, bouncer.server_logins())
    assert tally.mismatches, "transaction mode served every request from its own schema"
    # and what it got is another province's rows, named by that province's site hosts
    assert any(_names_another_province(mismatch) for mismatch in tally.mismatches)


def _names_another_province(mismatch: str) -> bool:
    slug, _, body = mismatch.partition(": ")
    return any(f".{other}." in body for other in SLUGS if other != slug)


def test_the_check_finds_an_answer_from_another_schema():
    # The marker the load relies on: a province listing another's sites is caught.
    from tests.factories.pgbouncer import own_schema_marker

    assert own_schema_marker("hagiang", {"results": [{"host": "bacquang.hagiang.gov.vn"}]})
    assert not own_schema_marker("hagiang", {"results": [{"host": "daitu.thainguyen.gov.vn"}]})
    assert not own_schema_marker(
        "hagiang",
        {"results": [{"host": "bacquang.hagiang.gov.vn"}, {"host": "babe.backan.gov.vn"}]},
    )
    assert not own_schema_marker("hagiang", {"results": []})
