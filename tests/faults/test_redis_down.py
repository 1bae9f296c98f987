"""Redis down (ADR 0024): public pages still serve, uncached; a citizen's question is stored and
its receipt waits in the outbox; once Redis is back the receipt goes out, once. The rate limits
keep counting (in each process's memory) instead of vanishing or locking staff out."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from core import limits
from qa.models import Question
from qa.services import topic_ensure
from tenants.models import OutboxTask
from tenants.outbox import outbox_resend, publish
from tests.conftest import host_client
from tests.factories.api import post_json
from tests.factories.editorial import published
from tests.faults.conftest import redis_at, silent_server

HOST = "thainguyen.localhost"
ASKER = {
    "name": "Nguyễn Thị Bình",
    "email": "binh.nguyen@example.vn",
    "title": "Hỏi về cấp giấy chứng nhận",
    "text": "Xin hỏi hồ sơ gồm những gì?",
}


@pytest.fixture
def thainguyen(province_schema):
    site, staff = province_schema("thainguyen")
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    return site, staff, topic


def _receipts() -> list:
    return [message for message in mail.outbox if message.subject.startswith("Đã tiếp nhận")]


def test_public_pages_serve_uncached_while_redis_is_down(thainguyen, redis_down):
    # given a published article, and Redis refusing every connection
    _site, staff, _topic = thainguyen
    item = published(staff, site=None, title="Thông báo lịch tiếp công dân")
    client = host_client(HOST)
    # when citizens read the home page, the article and the Q&A pages
    started = time.monotonic()
    responses = {
        path: client.get(path)
        for path in ("/", f"/bai-viet/{item.slug}/", "/hoi-dap/", "/hoi-dap/gui/", "/tin-tuc/")
    }
    elapsed = time.monotonic() - started
    # then every page is served, and nothing was kept in the unreachable cache
    assert {path: r.status_code for path, r in responses.items()} == dict.fromkeys(responses, 200)
    assert "Thông báo lịch tiếp công dân" in responses[f"/bai-viet/{item.slug}/"].content.decode()
    assert cache.get("anything") is None
    assert elapsed < 10  # no page waited for Redis on each cache call


def test_a_question_is_stored_and_its_receipt_waits_then_goes_once(
    thainguyen, redis_down, django_capture_on_commit_callbacks
):
    # given Redis refusing connections (cache and broker)
    _site, _staff, topic = thainguyen
    client = host_client(HOST)
    form = {**ASKER, "topic": topic.slug, "consent": "on", "website": ""}
    body = {**ASKER, "topic": topic.slug, "consent": True, "title": "Hỏi qua API"}
    # (rows other tests of the session committed are left out of the counts below)
    earlier = OutboxTask.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # when a citizen submits on the page and another through the API (commits run for real)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/hoi-dap/gui/", form)
    with django_capture_on_commit_callbacks(execute=True):
        api = post_json(client, "/api/v1/qa/questions/", body)
    # then both are stored and answered with their tracking codes
    assert page.status_code == 302, page.content
    assert api.status_code == 201, api.content
    codes = {page["Location"].rstrip("/").rsplit("/", 1)[-1], api.json()["tracking_code"]}
    questions = Question.objects.filter(tracking_code__in=codes)
    assert questions.count() == 2
    # and their receipts wait in the outbox, unsent
    ours = OutboxTask.objects.filter(pk__gt=earlier, task="qa.notify_received")
    waiting = ours.filter(done_at__isnull=True)
    assert sorted(waiting.values_list("args", flat=True)) == sorted(
        [[pk] for pk in questions.values_list("pk", flat=True)]
    )
    assert all(row.published_at is None and row.publish_failures == 1 for row in waiting)
    assert _receipts() == []
    # when Redis is back (eager: the worker's run happens here) and the resend runs
    later = timezone.now() + timedelta(minutes=1)
    with redis_at("redis://127.0.0.1:6379/7", eager=True):
        assert outbox_resend(now=later) >= 2
        # a second resend, and a duplicate delivery of the same message, send nothing more
        assert outbox_resend(now=later) == 0
        for row in ours:
            publish(row.pk)
    # then each asker got exactly one receipt, and the outbox rows are done
    assert sorted(m.to[0] for m in _receipts()) == [ASKER["email"]] * 2
    assert {m.subject for m in _receipts()} == {f"Đã tiếp nhận: {code}" for code in codes}
    rows = list(ours)
    assert [(row.runs, row.failed) for row in rows] == [(1, False), (1, False)]
    assert all(row.done_at is not None for row in rows)


def test_a_stalled_redis_costs_one_timeout_not_one_per_call(tenant_db):
    # given a Redis that accepts connections and never answers
    with silent_server() as port, redis_at(f"redis://127.0.0.1:{port}/0"):
        # when a page makes many cache calls
        started = time.monotonic()
        first = cache.get("home")
        first_took = time.monotonic() - started
        started = time.monotonic()
        rest = [cache.get(f"key-{n}") for n in range(200)] + [cache.set("k", 1), cache.add("k", 1)]
        rest_took = time.monotonic() - started
        # then the first waits for the read timeout, the others are answered at once (breaker)
        assert first is None
        assert 0.2 < first_took < 2
        assert rest[:200] == [None] * 200
        assert rest[200:] == [None, False]
        assert rest_took < 0.2
        assert not cache.available()


def test_the_cache_is_used_again_once_redis_answers(tenant_db, monkeypatch):
    # given the breaker opened by an outage, with a short pause
    monkeypatch.setattr(cache.breaker, "retry_after", 0.1)
    cache.breaker.failed(ConnectionError("down"))
    assert cache.get("x", "fallback") == "fallback"  # not even asked
    # when the pause is over and Redis answers
    time.sleep(0.15)
    cache.set("x", "stored")
    # then the cache works again
    assert cache.get("x") == "stored"
    assert cache.available()


def test_sign_in_limits_keep_counting_in_memory_while_redis_is_down(redis_down):
    # given the per-account limit (5 wrong passwords in 15 minutes) and Redis unreachable
    counter = limits.counter("accounts.sign_in_account", who="admin", province="p_hagiang")
    # when six wrong passwords are counted
    verdicts = [counter.hit() for _ in range(6)]
    # then the sixth is refused, as with Redis, and the account reads blocked for the window
    assert [v.allowed for v in verdicts] == [True] * 5 + [False]
    assert counter.blocked()
    assert 0 < counter.retry_after() <= 15 * 60
    # and another account, or the same name in another province, is not affected
    assert not limits.counter(
        "accounts.sign_in_account", who="admin", province="p_backan"
    ).blocked()
    # and a successful sign-in's reset clears it
    counter.reset()
    assert not counter.blocked()


def test_question_rate_limit_still_refuses_a_flood_while_redis_is_down(
    thainguyen, redis_down, settings, django_capture_on_commit_callbacks
):
    # given at most 2 submissions an hour from one address
    settings.QA_SUBMISSIONS_PER_HOUR = 2
    _site, _staff, topic = thainguyen
    client = host_client(HOST)
    body = {**ASKER, "topic": topic.slug, "consent": True}
    # when a third question comes from the same address
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [post_json(client, "/api/v1/qa/questions/", body).status_code for _ in range(3)]
    # then it is refused with 429, not stored
    assert statuses == [201, 201, 429]


def test_the_database_lost_right_after_the_commit_still_answers_201(
    thainguyen, redis_down, monkeypatch, django_capture_on_commit_callbacks
):
    # given the publication after the commit failing on a connection just cut (PostgreSQL
    # restarting between the commit and the publication)
    from django.db import OperationalError

    import tenants.outbox

    def cut(pk):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(tenants.outbox, "publish", cut)
    _site, _staff, topic = thainguyen
    body = {**ASKER, "topic": topic.slug, "consent": True}
    # when a question is submitted
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(host_client(HOST), "/api/v1/qa/questions/", body)
    # then the citizen has the tracking code, and the receipt waits for the resend
    assert response.status_code == 201, response.content
    question = Question.objects.get(tracking_code=response.json()["tracking_code"])
    row = OutboxTask.objects.get(task="qa.notify_received", args=[question.pk])
    assert row.published_at is None
    assert row.done_at is None


def test_a_lockout_is_still_audited_once_while_redis_is_down(redis_down, in_province):
    # given a Hà Giang account and Redis unreachable (the limits count in this process)
    from accounts import security
    from accounts.models import AuditEntry, User

    security._LOCAL_MARKERS.clear()
    with in_province("hagiang"):
        User.objects.create_user(username="thu.ky", password="Sông-Nho-Quế-xanh-2026")
    client = host_client("hagiang.localhost", REMOTE_ADDR="198.51.100.40")
    # when five wrong passwords lock the account and three more tries are refused
    for _ in range(5):
        client.post("/staff/login/", {"username": "thu.ky", "password": "sai-mat-khau"})
    refused = [
        client.post("/staff/login/", {"username": "thu.ky", "password": "sai"}).status_code
        for _ in range(3)
    ]
    # then the tries are refused and the lockout is in the audit once, not per try, not never
    assert refused == [429, 429, 429]
    with in_province("hagiang"):
        assert AuditEntry.objects.filter(action="sign_in_blocked", target="thu.ky").count() == 1
