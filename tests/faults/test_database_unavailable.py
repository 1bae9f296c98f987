"""PostgreSQL unreachable in the middle of a request (ADR 0024): 503 with Retry-After, the
portal's page or the API's error format, nothing stored; any other error stays a 500. The
real restart under load is ops/drills/pg-restart (tests/ops/test_pg_restart_drill.py)."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends import utils

from qa.models import Question
from qa.services import topic_ensure
from tests.conftest import host_client
from tests.factories.api import post_json

HOST = "thainguyen.localhost"
ASKER = {"name": "Trần Văn An", "email": "an@example.vn", "title": "Hỏi", "text": "Xin hỏi?"}


@pytest.fixture
def topic(province_schema):
    site, _staff = province_schema("thainguyen")
    return topic_ensure(name="Đất đai", agency=site.agency)


@pytest.fixture
def failing_insert(monkeypatch):
    """Make the INSERT of a question fail with `error` (as a connection cut by a restart)."""

    def fail_with(error: Exception) -> None:
        real = utils.CursorWrapper.execute

        def execute(self, sql, params=None):
            if sql.startswith('INSERT INTO "qa_question"'):
                raise error
            return real(self, sql, params)

        monkeypatch.setattr(utils.CursorWrapper, "execute", execute)

    return fail_with


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
    ],
)
def test_the_api_answers_503_with_retry_after_and_stores_nothing(topic, failing_insert, error):
    failing_insert(error)
    before = Question.objects.count()
    client = host_client(HOST, raise_request_exception=False)
    response = post_json(
        client, "/api/v1/qa/questions/", {**ASKER, "topic": topic.slug, "consent": True}
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    assert response.json()["error"]["code"] == "service_unavailable"
    assert "server closed" not in response.content.decode()  # no internals shown
    assert Question.objects.count() == before


def test_the_page_answers_503_in_the_portals_look(topic, failing_insert):
    failing_insert(OperationalError("terminating connection due to administrator command"))
    client = host_client(HOST, raise_request_exception=False)
    form = {**ASKER, "topic": topic.slug, "consent": "on", "website": ""}
    response = client.post("/hoi-dap/gui/", form)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert "503 – Tạm thời gián đoạn" in html
    assert "administrator command" not in html


def test_any_other_error_is_still_a_500(topic, failing_insert):
    failing_insert(ValueError("a bug"))
    client = host_client(HOST, raise_request_exception=False)
    response = post_json(
        client, "/api/v1/qa/questions/", {**ASKER, "topic": topic.slug, "consent": True}
    )
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_an_error_raised_while_handling_a_lost_connection_is_a_503(topic, failing_insert):
    # e.g. a rollback or a clean-up failing on the connection the restart cut
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError as lost:
        chained = RuntimeError("clean-up failed")
        chained.__context__ = lost
    failing_insert(chained)
    client = host_client(HOST, raise_request_exception=False)
    response = post_json(
        client, "/api/v1/qa/questions/", {**ASKER, "topic": topic.slug, "consent": True}
    )
    assert response.status_code == 503
