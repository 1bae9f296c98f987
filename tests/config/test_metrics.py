"""Prometheus metrics (issue 13 item 6, ADR 0026): `/metrics` for the bearer of METRICS_TOKEN
only, requests counted per province with a bounded label, the depth of the Celery queues read
from the real broker, the overdue backups, and several gunicorn workers added up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from config.celery import app as celery_app
from config.metrics import BrokerCollector, overdue_backups, queue_keys
from tests.conftest import host_client
from tests.factories.backups import backup_record

TOKEN = "metrics-test-token-7f3a9c"
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "ops" / "bench"))
from _serve import free_port  # noqa: E402


def _requests(province: str, status_class: str = "2xx", method: str = "GET") -> float:
    value = REGISTRY.get_sample_value(
        "portal_http_requests_total",
        {"province": province, "status_class": status_class, "method": method},
    )
    return value or 0.0


def _scrape(host: str = "hagiang.localhost", **headers):
    return host_client(host).get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **headers)


def _samples(body: bytes) -> dict[tuple[str, tuple], float]:
    samples = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN
    return settings


# --- who may read it -----------------------------------------------------------------------


def test_without_a_configured_token_there_is_no_endpoint(tenant_db, settings):
    settings.METRICS_TOKEN = ""
    response = host_client("hagiang.localhost").get(
        "/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"
    )
    assert response.status_code == 404
    assert b"portal_http_requests_total" not in response.content


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, 401),
        ("Bearer wrong-token", 403),
        (f"Basic {TOKEN}", 403),
        (f"Bearer {TOKEN}x", 403),
        ("Bearer " + "a" * 600, 403),
    ],
)
def test_a_request_without_the_token_reads_nothing(tenant_db, metrics_on, authorization, status):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    # from loopback with no proxy header too: loopback is no credential (ADR 0026)
    response = host_client("hagiang.localhost", REMOTE_ADDR="127.0.0.1").get("/metrics", **headers)
    assert response.status_code == status
    assert b"portal_" not in response.content
    if status == 401:
        assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'


def test_the_token_reads_the_text_format_on_any_host_prometheus_scrapes(tenant_db, metrics_on):
    # Prometheus sends the target's address as Host: no province's host, outside ALLOWED_HOSTS
    for host in ("10.0.3.7:8000", "hagiang.localhost", "platform.localhost"):
        response = _scrape(host)
        assert response.status_code == 200, host
        assert response["Content-Type"].startswith("text/plain; version=0.0.4")
        assert response["Cache-Control"] == "no-store"
        names = {
            family.name for family in text_string_to_metric_families(response.content.decode())
        }
        assert "portal_http_requests" in names
        assert "django_http_requests_before_middlewares" in names
    assert (
        host_client("hagiang.localhost")
        .post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        .status_code
        == 405
    )


# --- per province --------------------------------------------------------------------------------


def test_each_province_counts_under_its_own_label(tenant_db, metrics_on):
    # given
    before = {label: _requests(label) for label in ("hagiang", "thainguyen", "platform", "dongnai")}
    unknown_before = _requests("unknown", "4xx")
    # when
    for _ in range(3):
        assert host_client("hagiang.localhost").get("/healthz").status_code == 200
    for _ in range(2):
        assert host_client("thainguyen.localhost").get("/healthz").status_code == 200
    assert host_client("platform.localhost").get("/healthz").status_code == 200
    assert host_client("nowhere.localhost").get("/").status_code == 404
    assert host_client("evil.example.com").get("/").status_code == 404
    # then
    assert _requests("hagiang") - before["hagiang"] == 3
    assert _requests("thainguyen") - before["thainguyen"] == 2
    assert _requests("platform") - before["platform"] == 1
    assert _requests("dongnai") == before["dongnai"]
    assert _requests("unknown", "4xx") - unknown_before == 2
    # and the scrape says the same, with no host string as a label
    samples = _samples(_scrape().content)
    key = (
        "portal_http_requests_total",
        (("method", "GET"), ("province", "hagiang"), ("status_class", "2xx")),
    )
    assert samples[key] == _requests("hagiang")
    body = _scrape().content
    assert b"nowhere" not in body
    assert b"evil.example.com" not in body


def test_status_class_and_method_are_bounded(tenant_db, metrics_on):
    before_post = _requests("hagiang", "4xx", "POST")
    before_other = _requests("hagiang", "4xx", "other")
    host_client("hagiang.localhost").post("/không-có-trang-này/")
    host_client("hagiang.localhost").generic("BREW", "/không-có-trang-này/")
    assert _requests("hagiang", "4xx", "POST") - before_post == 1
    assert _requests("hagiang", "4xx", "other") - before_other == 1
    assert b'method="BREW"' not in _scrape().content


def test_database_queries_are_counted_through_the_tenant_backend(tenant_db, metrics_on):
    labels = {"alias": "default", "vendor": "postgresql"}
    before = REGISTRY.get_sample_value("django_db_execute_total", labels) or 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    # the query, and the search_path the tenant backend sets before it
    assert REGISTRY.get_sample_value("django_db_execute_total", labels) >= before + 1
    assert "django_db_execute_total" in _scrape().content.decode()


# --- the broker ------------------------------------------------------------------------------


@pytest.fixture
def broker():
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    keys = queue_keys("celery", dict(celery_app.conf.broker_transport_options or {}))
    client.delete(*keys)
    yield client
    client.delete(*keys)
    client.close()


def _depth(body: bytes, queue: str = "celery") -> float | None:
    return _samples(body).get(("portal_celery_queue_length", (("queue", queue),)))


def test_the_queue_depth_is_what_waits_in_the_broker(tenant_db, metrics_on, broker):
    # given an empty queue
    assert _depth(_scrape().content) == 0
    # when two tasks are sent with no worker running, and one waits at a higher priority
    celery_app.send_task("platform.where_am_i")
    celery_app.send_task("platform.where_am_i")
    celery_app.send_task("platform.where_am_i", priority=6)
    # then
    body = _scrape().content
    assert _depth(body) == 3
    assert _samples(body)[("portal_broker_up", ())] == 1
    assert ("portal_celery_unacked", ()) in _samples(body)


def test_an_unreachable_broker_gives_no_depth_and_says_so(tenant_db, metrics_on):
    settings = metrics_on
    settings.CELERY_BROKER_URL = "redis://:s3cret-broker@127.0.0.1:1/0"
    started = time.monotonic()
    response = _scrape()
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    samples = _samples(response.content)
    assert samples[("portal_broker_up", ())] == 0
    assert _depth(response.content) is None
    assert b"s3cret" not in response.content
    # the process's own figures are still there
    assert any(name == "portal_http_requests_total" for name, _ in samples)


def test_the_collector_reads_each_priority_list_of_a_queue():
    assert queue_keys("celery", {}) == [
        "celery",
        "celery\x06\x163",
        "celery\x06\x166",
        "celery\x06\x169",
    ]
    assert queue_keys("mail", {"global_keyprefix": "p:", "priority_steps": [0, 5]}) == [
        "p:mail",
        "p:mail\x06\x165",
    ]
    families = list(BrokerCollector(url=lambda: "amqp://guest@localhost//").collect())
    assert families == []  # not a Redis broker: nothing read, nothing claimed


# --- backups -------------------------------------------------------------------------------


def test_overdue_backups_follow_the_schedule(tenant_db):
    later = timezone.now() + timedelta(days=30)
    # no copy in 30 days: every seeded province is past its schedule
    assert overdue_backups(now=later) == len(tenant_db)
    # a fresh copy of one of them takes it off the count; a failed one does not
    backup_record(tenant_db["hagiang"], at=later - timedelta(hours=2))
    backup_record(
        tenant_db["dongnai"], at=later - timedelta(hours=2), status="failed", error="disk full"
    )
    assert overdue_backups(now=later) == len(tenant_db) - 1
    # today, just onboarded, none is
    assert overdue_backups() == 0


# --- several workers ---------------------------------------------------------------------------


def _get(port: int, host: str, path: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (http:// only)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_gunicorn_workers_are_added_up_in_multiprocess_mode(tenant_db, tmp_path):
    # given the production gunicorn settings, three workers sharing a metrics directory
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "PORT": str(port),
        "WEB_CONCURRENCY": "3",
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "GUNICORN_ACCESS_LOG": os.devnull,
        "GUNICORN_GRACEFUL_TIMEOUT": "5",
        "GUNICORN_LOG_LEVEL": "warning",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "ops/gunicorn.conf.py",
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(port, server)
        # when 30 requests are spread over the workers by the kernel
        for _ in range(30):
            assert _get(port, "backan.localhost", "/healthz")[0] == 200
        # then every scrape, whichever worker answers it, counts all 30
        for _ in range(6):
            status, body = _get(port, "10.0.3.7:8000", "/metrics", TOKEN)
            assert status == 200
            key = (
                "portal_http_requests_total",
                (("method", "GET"), ("province", "backan"), ("status_class", "2xx")),
            )
            assert _samples(body)[key] == 30
        assert len(list(tmp_path.glob("counter_*.db"))) >= 2  # more than one worker wrote
    finally:
        server.terminate()
        server.wait(timeout=30)


def _database_url() -> str:
    db = django_settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for(port: int, server: subprocess.Popen) -> None:
    # Generous: on a shared 2-core machine three workers importing Django take a while.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            stderr = server.stderr.read().decode() if server.stderr else ""
            raise AssertionError(f"gunicorn exited: {stderr[-2000:]}")
        try:
            if _get(port, "hagiang.localhost", "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer within 180 s")
