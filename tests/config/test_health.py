"""Liveness and readiness (issue 13 item 6): `/healthz` answers while the process runs,
`/readyz` only while the database, the cache and the task broker answer, on a province's host
and on the platform's, naming each check and never an address or a secret."""

import pytest

from tests.conftest import host_client

HOSTS = ("hagiang.localhost", "platform.localhost")


@pytest.mark.parametrize("host", HOSTS)
def test_a_ready_process_says_so_and_names_each_check(tenant_db, host):
    response = host_client(host).get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }
    assert "no-store" in response["Cache-Control"]
    assert host_client(host).get("/healthz").content == b"ok"


def test_an_unreachable_broker_makes_the_process_not_ready(tenant_db, settings):
    # given a broker address where nothing listens (a real refused connection, not a mock)
    settings.CELERY_BROKER_URL = "redis://:s3cret-broker@127.0.0.1:1/0"
    # when
    response = host_client("hagiang.localhost").get("/readyz")
    # then it is not ready, says which check failed, and leaks neither address nor password
    assert response.status_code == 503
    body = response.json()
    assert body == {
        "status": "not_ready",
        "checks": {"database": "ok", "cache": "ok", "broker": "failed"},
    }
    assert b"s3cret" not in response.content
    assert b"127.0.0.1" not in response.content
    # and liveness is not affected: the process itself is fine
    assert host_client("hagiang.localhost").get("/healthz").status_code == 200
