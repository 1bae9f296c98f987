"""Structured logs (issue 13 item 6): every line names its province and its request id, the id
the response returned in `X-Request-ID`; one JSON object per line in production; Sentry events
tagged the same way, without personal data."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from django.test import RequestFactory

from config import celery_app
from config.logs import (
    JsonFormatter,
    LogContextFilter,
    RequestIdMiddleware,
    RequestProvinceMiddleware,
)
from config.sentry import tag_event
from tests.conftest import host_client
from tests.factories.celery import real_worker

ROOT = Path(__file__).resolve().parents[2]
HEX32 = r"[0-9a-f]{32}"


@pytest.fixture
def json_lines():
    """The root logger also writes to a buffer through the filter and formatter of
    production's handler; the fixture returns a reader of the parsed lines."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(LogContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_a_request_on_a_province_host_logs_its_province_and_the_id_it_returned(
    tenant_db, json_lines
):
    # when a page that does not exist is asked for on Hà Giang's host
    response = host_client("hagiang.localhost").get("/khong-co-trang-nay/")
    # then the response carries a new request id
    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    int(request_id, 16)
    # and the line Django wrote for it names the province and that id
    line = next(line for line in json_lines() if line["logger"] == "django.request")
    assert line["province"] == "hagiang"
    assert line["request_id"] == request_id
    assert line["level"] == "WARNING"
    assert "/khong-co-trang-nay/" in line["message"]


def test_each_request_gets_its_own_id_and_lines_after_it_carry_none(tenant_db, json_lines):
    client = host_client("hagiang.localhost")
    first = client.get("/khong-co-trang-nay/")["X-Request-ID"]
    second = client.get("/khong-co-trang-nay/")["X-Request-ID"]
    assert first != second
    # a line written once the response is closed belongs to no request
    logging.getLogger("tests.after").warning("after the requests")
    after = [line for line in json_lines() if line["logger"] == "tests.after"]
    assert after[0]["request_id"] is None


def test_the_platform_host_logs_as_platform(tenant_db, json_lines):
    response = host_client("platform.localhost").get("/khong-co-trang-nay/")
    line = next(line for line in json_lines() if line["logger"] == "django.request")
    assert line["province"] == "platform"
    assert line["request_id"] == response["X-Request-ID"]


def test_an_unknown_host_is_logged_with_its_id_and_no_province(tenant_db, json_lines):
    # the host matches no tenant: its province is never known
    response = host_client("khongco.localhost").get("/")
    assert response.status_code == 404
    line = next(line for line in json_lines() if line["logger"] == "django.request")
    assert line["province"] is None
    assert line["request_id"] == response["X-Request-ID"]


@pytest.mark.parametrize(
    "incoming", ["a1b2c3", "9f0e-4a.trace_7", "x" * 64, "d41d8cd98f00b204e9800998ecf8427e"]
)
def test_a_sane_incoming_request_id_is_kept(tenant_db, json_lines, incoming):
    response = host_client("hagiang.localhost", HTTP_X_REQUEST_ID=incoming).get("/khong-co/")
    assert response["X-Request-ID"] == incoming
    line = next(line for line in json_lines() if line["logger"] == "django.request")
    assert line["request_id"] == incoming


@pytest.mark.parametrize(
    "incoming",
    [
        "x" * 65,  # too long
        "abc def",  # a space
        "abc\r\nSet-Cookie: sessionid=1",  # a header smuggled in
        "abc\nfake log line",
        'id"quoted',
        "mã-yêu-cầu",  # letters outside ASCII
        "",
    ],
)
def test_an_insane_incoming_request_id_is_replaced(tenant_db, incoming):
    response = host_client("hagiang.localhost", HTTP_X_REQUEST_ID=incoming).get("/khong-co/")
    returned = response["X-Request-ID"]
    assert returned != incoming
    assert len(returned) == 32
    int(returned, 16)
    assert not response.has_header("Set-Cookie") or "sessionid=1" not in response["Set-Cookie"]


@pytest.mark.without_services
def test_the_json_line_parses_and_has_every_field_and_nothing_of_the_request():
    # given a record such as Django's request logger writes, with the request attached
    request = RequestFactory().get(
        "/", HTTP_COOKIE="sessionid=secret-session", HTTP_AUTHORIZATION="Api-Key secret-key"
    )
    try:
        raise ValueError("không hợp lệ")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Lỗi ở %s", ("/hoi-dap/",), exc_info
    )
    record.request = request
    record.status_code = 500
    LogContextFilter().filter(record)
    # when
    text = JsonFormatter().format(record)
    # then one line, valid JSON, with the fields and the exception
    assert "\n" not in text
    line = json.loads(text)
    assert set(line) == {
        "time",
        "level",
        "logger",
        "message",
        "province",
        "request_id",
        "exception",
    }
    assert line["level"] == "ERROR"
    assert line["logger"] == "django.request"
    assert line["message"] == "Lỗi ở /hoi-dap/"
    assert "ValueError: không hợp lệ" in line["exception"]
    assert datetime.fromisoformat(line["time"]).utcoffset().total_seconds() == 0
    assert "secret" not in text


def test_the_sentry_hook_tags_the_request_province_and_id_and_drops_personal_data(tenant_db):
    # given a request on Hà Giang's host going through the two log middlewares
    events = []

    def view(request):
        events.append(
            tag_event(
                {
                    "tags": {"handled": "no"},
                    "request": {
                        "url": "http://hagiang.localhost/hoi-dap/",
                        "cookies": {"sessionid": "secret-session"},
                        "data": {"email": "dan@example.vn"},
                        "query_string": "email=dan@example.vn",
                        "headers": {"Cookie": "sessionid=x", "User-Agent": "Firefox"},
                    },
                    "user": {"id": "7", "ip_address": "203.0.113.9", "email": "a@b.vn"},
                },
                {},
            )
        )
        from django.http import HttpResponse

        return HttpResponse("ok")

    request = RequestFactory().get("/hoi-dap/", HTTP_HOST="hagiang.localhost")
    request.tenant = tenant_db["hagiang"]
    response = RequestIdMiddleware(RequestProvinceMiddleware(view))(request)
    response.close()  # as the server does once it has sent the response
    # then the event carries the province and the id the response returned
    event = events[0]
    assert event["tags"] == {
        "handled": "no",
        "province": "hagiang",
        "request_id": response["X-Request-ID"],
    }
    assert event["request"] == {
        "url": "http://hagiang.localhost/hoi-dap/",
        "headers": {"User-Agent": "Firefox"},
    }
    assert event["user"] == {"id": "7"}


def test_the_sentry_hook_outside_a_request_tags_the_schema_province(in_province):
    # a task or a command working in Đồng Nai's schema
    with in_province("dongnai"):
        event = tag_event({"message": "x"}, None)
    assert event["tags"] == {"province": "dongnai"}
    assert "request_id" not in event["tags"]


def _settings_log_line(settings_module: str, **environment: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"LOG_FORMAT", "SENTRY_DSN", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(DJANGO_SETTINGS_MODULE=settings_module, DJANGO_SECRET_KEY="x" * 50, **environment)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, logging; django.setup(); "
            "logging.getLogger('portal.check').warning('Xin chào %s', 'Hà Giang')",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.without_services
def test_production_writes_json_lines_and_development_human_ones():
    production = _settings_log_line("config.settings.production")
    line = json.loads(production.stderr.strip().splitlines()[-1])
    assert line["message"] == "Xin chào Hà Giang"
    assert line["logger"] == "portal.check"
    assert line["province"] == "platform"  # a command in the public schema
    assert line["request_id"] is None

    development = _settings_log_line("config.settings.dev")
    last = development.stderr.strip().splitlines()[-1]
    assert last.endswith("WARNING portal.check [platform -] Xin chào Hà Giang")

    told_plain = _settings_log_line("config.settings.production", LOG_FORMAT="plain")
    assert told_plain.stderr.strip().splitlines()[-1].endswith("Xin chào Hà Giang")

    unknown = _settings_log_line("config.settings.production", LOG_FORMAT="yaml")
    assert unknown.returncode != 0
    assert "LOG_FORMAT must be one of plain, json" in unknown.stderr


def _succeeded(line: dict, task_id: str) -> bool:
    return task_id in line["message"] and "succeeded" in line["message"]


def test_a_worker_logs_json_lines_naming_the_province_of_its_task(tenant_db, tmp_path):
    # given a real worker writing JSON lines
    from django_tenants.utils import schema_context

    log_file = tmp_path / "worker.log"
    with (
        log_file.open("w") as output,
        real_worker(log_level="info", output=output, LOG_FORMAT="json") as queue,
    ):
        # when a task is sent from Hà Giang's schema
        with schema_context(tenant_db["hagiang"].schema_name):
            result = celery_app.send_task("platform.where_am_i", queue=queue)
        assert result.get(timeout=60) == "p_hagiang"
        # then the worker's line about it names Hà Giang
        deadline = time.monotonic() + 15
        lines: list[dict] = []
        while time.monotonic() < deadline:
            # the worker's banner is printed as text; its log lines are JSON
            lines = [
                json.loads(text)
                for text in log_file.read_text().splitlines()
                if text.startswith("{")
            ]
            if any(_succeeded(line, result.id) for line in lines):
                break
            time.sleep(0.2)
    # "received" is written before the task enters its schema; its run's lines are Hà Giang's
    done = [line for line in lines if _succeeded(line, result.id)]
    assert done, lines
    assert done[0]["province"] == "hagiang"
    assert done[0]["logger"] == "celery.app.trace"
