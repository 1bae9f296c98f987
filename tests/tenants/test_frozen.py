"""A province frozen while a merge copies its rows (Province.frozen_at, ADR 0032): read as
before, every change refused with 503 and nothing stored; unfrozen, it takes changes again. A
province merged into another is history: no periodic work runs in it, no backup is scheduled."""

from __future__ import annotations

import pytest
from django.utils import timezone

from backups.schedule import due_provinces, province_status
from qa.models import Question
from qa.services import topic_ensure
from tenants.hosts import province_for_host, province_hosts_forget
from tenants.models import OutboxTask, Province
from tests.conftest import host_client
from tests.factories.api import error_of, post_json
from tests.factories.backups import backup_record
from tests.factories.pages import page_text, signed_in
from tests.factories.provinces import vn
from tests.factories.qa import submitted

HOST = "thainguyen.localhost"
REASON = "Hợp nhất tỉnh Thái Nguyên vào tỉnh Bắc Kạn theo Nghị quyết của Quốc hội."


def _freeze(province: Province, reason: str = REASON) -> None:
    Province.objects.filter(pk=province.pk).update(frozen_at=timezone.now(), frozen_reason=reason)
    province_hosts_forget(province)


def _unfreeze(province: Province) -> None:
    Province.objects.filter(pk=province.pk).update(frozen_at=None, frozen_reason="")
    province_hosts_forget(province)


def _form(topic) -> dict:
    return {
        "name": "Nguyễn Thị Bình",
        "email": "binh@example.vn",
        "topic": topic.slug,
        "title": "Hỏi về cấp giấy chứng nhận",
        "text": "Xin hỏi hồ sơ gồm những gì?",
        "consent": "on",
        "website": "",
    }


@pytest.fixture
def thainguyen(tenant_db, province_schema):
    site, staff = province_schema("thainguyen")
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    return tenant_db["thainguyen"], topic, staff


def test_a_frozen_province_refuses_a_citizens_question_and_stores_nothing(thainguyen):
    # given: the portal answered once (its host is cached unfrozen), then the merge froze it
    province, topic, _staff = thainguyen
    client = host_client(HOST)
    assert client.get("/hoi-dap/gui/").status_code == 200
    _freeze(province)
    before = Question.objects.count()
    # when
    response = client.post("/hoi-dap/gui/", _form(topic))
    # then: 503, come back in five minutes, and why, in Vietnamese
    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert "no-store" in response["Cache-Control"]
    html = page_text(response)
    assert "đang được hợp nhất vào cổng thông tin của tỉnh khác" in html
    assert REASON in html
    assert "vẫn đọc được mọi trang" in html
    assert "frozen" not in html.lower()
    assert Question.objects.count() == before
    # reading goes on: the form, the list, the home page
    assert client.get("/hoi-dap/gui/").status_code == 200
    assert client.get("/hoi-dap/").status_code == 200
    assert client.head("/").status_code == 200
    # citizens' pages (shared, cached) carry no banner: only the refused change says why
    assert "mọi thay đổi tạm dừng" not in page_text(client.get("/hoi-dap/gui/"))


def test_staff_pages_still_read_while_their_changes_are_refused(thainguyen):
    # given
    province, topic, staff = thainguyen
    question = submitted(topic)
    head = staff.holding("agency_head")
    client = signed_in(HOST, head)
    _freeze(province)
    # when: the head reads the question, then tries to answer it
    page = client.get(f"/staff/hoi-dap/{question.pk}/")
    refused = client.post(
        f"/staff/hoi-dap/{question.pk}/answer/",
        {"answer-text": "Trả lời.", "answer-channel": "portal"},
    )
    # then
    assert page.status_code == 200
    assert question.title in page_text(page)
    assert "mọi thay đổi tạm dừng cho đến khi việc hợp nhất kết thúc" in page_text(page)
    assert refused.status_code == 503
    question.refresh_from_db()
    assert question.status == Question.Status.RECEIVED
    assert question.answer_text == ""


def test_the_api_refuses_a_write_with_its_error_format_and_still_reads(thainguyen):
    # given
    province, topic, _staff = thainguyen
    _freeze(province)
    client = host_client(HOST)
    payload = {
        "topic": topic.slug,
        "title": "Hỏi về Đất đai",
        "text": "Xin hỏi thủ tục?",
        "consent": True,
        "name": "Nguyễn Văn An",
        "email": "an@example.vn",
    }
    before = Question.objects.count()
    # when
    response = post_json(client, "/api/v1/qa/questions/", payload)
    # then
    error = error_of(response, 503)
    assert error["code"] == "province_frozen"
    assert "hợp nhất" in error["message"]
    assert error["fields"] == {}
    assert response["Retry-After"] == "300"
    assert Question.objects.count() == before
    assert client.get("/api/v1/qa/topics/").status_code == 200


def test_unfrozen_the_province_takes_questions_again(thainguyen):
    # given: frozen, a question refused
    province, topic, _staff = thainguyen
    client = host_client(HOST)
    _freeze(province)
    assert client.post("/hoi-dap/gui/", _form(topic)).status_code == 503
    # when: the merge ends (or fails) and clears the freeze
    _unfreeze(province)
    response = client.post("/hoi-dap/gui/", _form(topic))
    # then
    assert response.status_code == 302
    assert Question.objects.filter(title="Hỏi về cấp giấy chứng nhận").count() == 1


def test_freezing_one_province_leaves_the_others_open(tenant_db, province_schema):
    # given: Thái Nguyên frozen
    _freeze(tenant_db["thainguyen"])
    site, _staff = province_schema("hagiang")
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    # when / then: Hà Giang takes a question as ever
    response = host_client("hagiang.localhost").post("/hoi-dap/gui/", _form(topic))
    assert response.status_code == 302
    assert Question.objects.count() == 1


def test_the_host_cache_carries_the_freeze_and_the_merge(tenant_db):
    # given: the host's province cached as it was
    province = tenant_db["backan"]
    assert province_for_host("backan.localhost").frozen_at is None
    # when: frozen, then merged into Thái Nguyên, each followed by the engine's forget
    _freeze(province)
    frozen = province_for_host("backan.localhost")
    Province.objects.filter(pk=province.pk).update(
        frozen_at=None, merged_into=tenant_db["thainguyen"], merged_at=timezone.now()
    )
    province_hosts_forget(province)
    merged = province_for_host("backan.localhost")
    # then: each answer, from the database and from the cache alike, says so
    assert (frozen.frozen_at is not None, frozen.frozen_reason) == (True, REASON)
    assert (merged.frozen_at, merged.merged_into_id) == (None, tenant_db["thainguyen"].pk)
    assert province_for_host("backan.localhost").merged_into_id == tenant_db["thainguyen"].pk


def test_the_beat_fan_out_skips_a_merged_and_a_frozen_province(tenant_db):
    from qa.tasks import remind

    # given: Bắc Kạn merged into Thái Nguyên, Hà Giang frozen by a merge under way
    Province.objects.filter(pk=tenant_db["backan"].pk).update(
        merged_into=tenant_db["thainguyen"], merged_at=timezone.now()
    )
    Province.objects.filter(pk=tenant_db["hagiang"].pk).update(frozen_at=timezone.now())
    # when
    runs = remind()
    # then: one run in each of the three others' schemas, none in theirs
    queued = set(
        OutboxTask.objects.filter(task="qa.remind_in_province").values_list(
            "schema_name", flat=True
        )
    )
    assert runs == 3
    assert queued == {
        tenant_db[slug].schema_name for slug in ("dongnai", "thainguyen", "thuathienhue")
    }


def test_a_merged_province_gets_no_scheduled_backup_and_keeps_its_copies(tenant_db):
    # given: Bắc Kạn due tonight (its last copy the night before)
    now = vn(2026, 3, 4, 1, 30)
    backan = tenant_db["backan"]
    kept = backup_record(backan, at=vn(2026, 3, 3, 1, 0))
    assert "backan" in [p.slug for p in due_provinces(now)]
    others = [p.slug for p in due_provinces(now) if p.slug != "backan"]
    # when: merged into Thái Nguyên
    Province.objects.filter(pk=backan.pk).update(merged_into=tenant_db["thainguyen"], merged_at=now)
    backan.refresh_from_db()
    # then: no copy is due any more, the others' schedules are untouched, and its standing
    # keeps its last copy without ever turning late
    assert [p.slug for p in due_provinces(now)] == others
    status = province_status(backan, now=vn(2026, 6, 1, 12))
    assert status.overdue is False
    assert status.last_success == kept
