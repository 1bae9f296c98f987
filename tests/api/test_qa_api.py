"""The citizens' Q&A API: anonymous submission and tracking, the answered archive, and the
agencies' handling, where only the head of the agency (or a delegate) sends an answer."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from integrations.services import api_key_create
from organization.models import Agency, ComponentSite
from organization.services import delegation_create
from provinces.loader import resolve_profile
from qa.models import Answer, Question
from qa.services import question_answer, topic_ensure
from tests.conftest import Staff, host_client
from tests.factories.accounts import verified_login
from tests.factories.api import error_of, post_json
from tests.factories.qa import answered, submitted

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PERSON = {"name": "Nguyễn Văn Riêng", "email": "rieng.tu@example.vn", "phone": "0912 345 678"}
_addresses = itertools.count(1)


class Province:
    """A seed province's schema, entered for the test, with one topic on its first agency."""

    def __init__(self, slug: str, schema_name: str):
        self.slug = slug
        self.host = f"{slug}.localhost"
        self._context = schema_context(schema_name)
        self._context.__enter__()
        self.site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        self.agency = self.site.agency
        self.other_agency = Agency.objects.exclude(pk=self.agency.pk).order_by("pk").first()
        self.staff = Staff(self.agency)
        self.topic = topic_ensure(name="Đất đai", agency=self.agency)
        self.profile = resolve_profile(slug)

    def client(self, user=None, **headers):
        client = host_client(self.host, REMOTE_ADDR=f"198.51.100.{next(_addresses)}", **headers)
        if user is not None:
            verified_login(client, user, host=self.host)
        return client

    def submit(self, **overrides) -> Question:
        text = "Xin hỏi thủ tục cấp giấy chứng nhận quyền sử dụng đất?"
        values = PERSON | {"title": "Hỏi về Đất đai", "text": text}
        return submitted(self.topic, **(values | overrides))

    def answered(self, *, publish: bool = True, **overrides) -> Question:
        question = self.submit(**overrides)
        head = self.staff.holding("agency_head", agency=question.agency)
        return answered(question, by=head, publish=publish)

    def leave(self):
        self._context.__exit__(None, None, None)


@pytest.fixture
def province(tenant_db):
    entered = []

    def enter(slug: str) -> Province:
        entered.append(Province(slug, tenant_db[slug].schema_name))
        return entered[-1]

    yield enter
    for each in reversed(entered):
        each.leave()


def _payload(province: Province, **overrides) -> dict:
    return {
        "topic": province.topic.slug,
        "title": "Hỏi về Đất đai",
        "text": "Xin hỏi thủ tục?",
        "consent": True,
        **PERSON,
        **overrides,
    }


# --- Submission -------------------------------------------------------------------------------


def test_submission_returns_a_tracking_code_and_the_due_date(province):
    # given
    tn = province("thainguyen")
    # when
    response = post_json(tn.client(), "/api/v1/qa/questions/", _payload(tn))
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= {"tracking_code", "due_at", "deadline_rule", "deadline_source", "status"}
    question = Question.objects.get(tracking_code=body["tracking_code"])
    assert body["status"] == "received"
    assert body["due_at"].endswith("+07:00")
    assert datetime.fromisoformat(body["due_at"]) == question.due_at
    assert question.due_at > timezone.now()
    assert body["deadline_source"] == "QĐ 40/2012 Art. 14(4)(a)"
    assert not set(PERSON.values()) & set(body.values())


def test_thai_nguyen_question_received_wednesday_1659_is_due_next_wednesday_1700(province):
    # given: received after the 08:00 clock start, so day 1 is Thursday (Art. 14(4)(a), (c))
    tn = province("thainguyen")
    question = tn.submit(received_at=datetime(2026, 3, 4, 16, 59, tzinfo=VN))
    # when
    body = tn.client().get(f"/api/v1/qa/track/{question.tracking_code}/").json()
    # then
    assert body["due_at"] == "2026-03-11T17:00:00+07:00"
    assert body["received_at"] == "2026-03-04T16:59:00+07:00"
    assert body["deadline_working_days"] == 5
    assert body["deadline_source"] == "QĐ 40/2012 Art. 14(4)(a)"


def test_multipart_submission_stores_the_attachment(province, settings, tmp_path):
    # given
    settings.MEDIA_ROOT = tmp_path
    tn = province("thainguyen")
    png = SimpleUploadedFile("so-do.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")
    # when
    response = tn.client().post(
        "/api/v1/qa/questions/", data=_payload(tn, consent="true", attachments=[png])
    )
    # then
    assert response.status_code == 201, response.content
    question = Question.objects.get(tracking_code=response.json()["tracking_code"])
    assert [a.original_name for a in question.attachments.all()] == ["so-do.png"]


def test_script_tags_are_kept_as_plain_text_and_never_served_as_html(province):
    # given
    tn = province("thainguyen")
    script = "<script>alert(1)</script>"
    # when
    created = post_json(
        tn.client(), "/api/v1/qa/questions/", _payload(tn, title=f"{script} Hỏi", text=script)
    )
    track = tn.client().get(f"/api/v1/qa/track/{created.json()['tracking_code']}/")
    # then
    assert created.status_code == 201
    assert Question.objects.get(tracking_code=created.json()["tracking_code"]).text == script
    assert track["Content-Type"].startswith("application/json")
    assert track["X-Content-Type-Options"] == "nosniff"
    assert track.json()["title"] == f"{script} Hỏi"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"text": ""}, "required", "text"),
        ({"text": "   "}, "required", "text"),
        ({"text": "x" * 10_001}, "too_long", "text"),
        ({"title": "x" * 301}, "too_long", "title"),
        ({"text": 123}, "validation_error", "text"),
        ({"text": ["a", "b"]}, "validation_error", "text"),
        ({"topic": {"slug": "dat-dai"}}, "validation_error", "topic"),
        ({"consent": "maybe"}, "validation_error", "consent"),
        ({"consent": False}, "consent_required", "consent"),
        ({"attachments": "not-a-file"}, "validation_error", "attachments"),
        ({"topic": "khong-co"}, "unknown_topic", "topic"),
        ({"intake": "complaint"}, "intake_not_offered", "intake"),
        ({"intake": "petition"}, "validation_error", "intake"),
        ({"email": "", "phone": ""}, "contact_required", "email"),
        ({"email": "not-an-email"}, "invalid_email", "email"),
    ],
)
def test_bad_submissions_are_refused_with_a_4xx_and_store_nothing(province, body, code, field):
    # given: Thái Nguyên receives questions only (QĐ 40/2012 Art. 14(1))
    tn = province("thainguyen")
    before = Question.objects.count()
    # when
    response = post_json(tn.client(), "/api/v1/qa/questions/", _payload(tn, **body))
    # then
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert (error["code"], list(error["fields"])) == (code, [field])
    assert Question.objects.count() == before


@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        ("application/json", b'{"title": "unterminated'),
        ("application/json", b'["a list", "not an object"]'),
        ("application/json", b""),
        ("text/plain", b"title=x"),
    ],
)
def test_malformed_bodies_are_refused_with_a_4xx(province, content_type, raw):
    tn = province("thainguyen")
    before = Question.objects.count()
    response = tn.client().post("/api/v1/qa/questions/", data=raw, content_type=content_type)
    assert 400 <= response.status_code < 500
    error_of(response)
    assert Question.objects.count() == before


def test_a_10_mb_body_is_refused_with_413_not_a_server_error(province):
    # given
    tn = province("thainguyen")
    before = Question.objects.count()
    huge = "x" * (10 * 1024 * 1024)
    # when
    as_json = post_json(tn.client(), "/api/v1/qa/questions/", _payload(tn, text=huge))
    as_form = tn.client().post("/api/v1/qa/questions/", data=_payload(tn, text=huge))
    # then
    for response in (as_json, as_form):
        assert response.status_code == 413
        assert error_of(response)["code"] == "request_too_large"
    assert Question.objects.count() == before


def test_too_many_submissions_from_one_address_get_429(province):
    # given: five an hour per client address (qa.services.RATE_LIMIT)
    tn = province("thainguyen")
    client = tn.client()
    for _ in range(5):
        assert post_json(client, "/api/v1/qa/questions/", _payload(tn)).status_code == 201
    before = Question.objects.count()
    # when
    response = post_json(client, "/api/v1/qa/questions/", _payload(tn))
    # then
    assert response.status_code == 429
    assert error_of(response)["code"] == "rate_limited"
    assert Question.objects.count() == before
    assert post_json(tn.client(), "/api/v1/qa/questions/", _payload(tn)).status_code == 201


# --- Public reads -----------------------------------------------------------------------------


def test_unknown_tracking_code_is_404(province):
    tn = province("thainguyen")
    response = tn.client().get("/api/v1/qa/track/ABCD-EFGH/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_tracking_shows_the_answer_once_answered_even_when_sent_by_email(province):
    # given
    tn = province("thainguyen")
    question = tn.submit()
    code = question.tracking_code
    before = tn.client().get(f"/api/v1/qa/track/{code.lower()}/").json()
    head = tn.staff.holding("agency_head")
    question_answer(
        question=question, actor=head, text="Đã trả lời", channel="email", publish=False
    )
    # when
    after = tn.client().get(f"/api/v1/qa/track/{code}/").json()
    # then
    assert (before["status"], before["answer"]) == ("received", None)
    assert (after["status"], after["answer"]) == ("answered", "Đã trả lời")
    assert after["disclaimer"] == tn.profile.qa.disclaimer


def test_no_public_response_carries_personal_data(province):
    # given: one answered and published, one still open
    tn = province("thainguyen")
    published = tn.answered()
    submitted = post_json(tn.client(), "/api/v1/qa/questions/", _payload(tn))
    client = tn.client()
    # when
    responses = [
        submitted,
        client.get(f"/api/v1/qa/track/{published.tracking_code}/"),
        client.get(f"/api/v1/qa/track/{submitted.json()['tracking_code']}/"),
        client.get("/api/v1/qa/answered/"),
        client.get("/api/v1/qa/answered/?q=dat dai"),
        client.get("/api/v1/qa/topics/"),
    ]
    # then
    for response in responses:
        assert response.status_code in (200, 201)
        text = response.content.decode()
        for value in PERSON.values():
            assert value not in text
            assert json.dumps(value)[1:-1] not in text
        assert "0912345678" not in text.replace(" ", "")


def test_answered_archive_search_ignores_accents_and_shows_the_disclaimer(province):
    # given
    tn = province("thainguyen")
    land = tn.answered(title="Hồ sơ Đất đai ở Phổ Yên")
    tax_topic = topic_ensure(name="Thuế", agency=tn.other_agency)
    tax = tn.answered(title="Thuế môn bài", text="Mức thuế?", topic=tax_topic.slug)
    tn.answered(publish=False, title="Đất đai, trả lời riêng qua thư")
    tn.submit(title="Đất đai chưa trả lời")
    client = tn.client()
    # when
    found = client.get("/api/v1/qa/answered/", {"q": "dat dai"}).json()
    upper = client.get("/api/v1/qa/answered/", {"q": "ĐẤT ĐAI phổ yên"}).json()
    everything = client.get("/api/v1/qa/answered/").json()
    by_topic = client.get("/api/v1/qa/answered/", {"topic": tax_topic.slug}).json()
    by_agency = client.get("/api/v1/qa/answered/", {"agency": tn.other_agency.pk}).json()
    # then
    assert [item["id"] for item in found["results"]] == [land.pk]
    assert [item["id"] for item in upper["results"]] == [land.pk]
    assert [item["id"] for item in everything["results"]] == [tax.pk, land.pk]
    assert [item["id"] for item in by_topic["results"]] == [tax.pk]
    assert [item["id"] for item in by_agency["results"]] == [tax.pk]
    assert found["disclaimer"] == tn.profile.qa.disclaimer  # Thái Nguyên Art. 14(5)
    assert found["disclaimer_source"] == "QĐ 40/2012 Art. 14(5)"
    assert found["results"][0]["answer"] == "Trả lời: nộp hồ sơ."


def test_a_province_without_a_disclaimer_says_none(province):
    hg = province("hagiang")
    body = hg.client().get("/api/v1/qa/answered/").json()
    assert (body["disclaimer"], body["results"]) == (None, [])


def test_topics_name_their_agency(province):
    tn = province("thainguyen")
    body = tn.client().get("/api/v1/qa/topics/").json()
    agency = {"id": tn.agency.pk, "name": tn.agency.name}
    assert {"slug": "dat-dai", "name": "Đất đai", "agency": agency} in body


def test_public_lists_run_a_bounded_number_of_queries(province, django_assert_max_num_queries):
    # given
    tn = province("thainguyen")
    for number in range(3):
        tn.answered(title=f"Đất đai {number}")
    client = tn.client()
    client.get("/api/v1/qa/answered/")  # warm the host and profile caches
    for number in range(3, 8):
        tn.answered(title=f"Đất đai {number}")
    # then: the schema switch and one query for the page, whatever its length
    with django_assert_max_num_queries(2):
        body = client.get("/api/v1/qa/answered/?q=dat dai").json()
    assert len(body["results"]) == 8
    with django_assert_max_num_queries(2):
        assert client.get("/api/v1/qa/topics/").status_code == 200
    code = Question.objects.first().tracking_code
    with django_assert_max_num_queries(2):
        assert client.get(f"/api/v1/qa/track/{code}/").status_code == 200


def test_the_asker_exports_their_data_with_code_and_email_only(province):
    # given
    tn = province("thainguyen")
    question = tn.submit()
    client = tn.client()
    # when
    wrong = post_json(
        client,
        "/api/v1/qa/export/",
        {"tracking_code": question.tracking_code, "email": "someone.else@example.vn"},
    )
    right = post_json(
        client,
        "/api/v1/qa/export/",
        {"tracking_code": question.tracking_code, "email": PERSON["email"].upper()},
    )
    # then
    assert wrong.status_code == 404
    assert PERSON["name"] not in wrong.content.decode()
    assert right.status_code == 200
    assert right.json()["name"] == PERSON["name"]


# --- Staff ------------------------------------------------------------------------------------


def test_contact_details_are_only_for_the_handling_agency_and_the_board(province):
    # given
    tn = province("thainguyen")
    question = tn.submit()
    url = f"/api/v1/qa/questions/{question.pk}/"
    citizen = User.objects.create(username="citizen_with_account")
    handling = tn.staff.holding("updater")
    other_agency = tn.staff.holding("updater", agency=tn.other_agency)
    board = tn.staff.holding("portal_approver")
    # when / then: no one outside the province's staff reads the item at all
    for path_ in (url, f"{url}events/", "/api/v1/qa/inbox/"):
        assert tn.client().get(path_).status_code == 401
        assert tn.client(citizen).get(path_).status_code == 403
    # and within the staff, only the handling agency and the board see the contact details
    assert tn.client(handling).get(url).json()["contact"]["email"] == PERSON["email"]
    assert tn.client(board).get(url).json()["contact"]["phone"] == PERSON["phone"]
    # staff of another agency do not read the item at all, as on the web pages
    seen_by_other = tn.client(other_agency).get(url)
    assert seen_by_other.status_code == 403
    assert tn.client(other_agency).get(f"{url}events/").status_code == 403
    for value in PERSON.values():
        assert value not in seen_by_other.content.decode()


def test_only_the_head_or_a_delegate_sends_the_answer(province):
    # given: Thái Nguyên Art. 14(3)
    tn = province("thainguyen")
    question = tn.submit()
    drafter = tn.staff.holding("updater")
    head = tn.staff.holding("agency_head")
    base = f"/api/v1/qa/questions/{question.pk}"
    send = {"text": "Trả lời", "channel": "portal", "publish": True}
    # when: the drafter tries to send
    refused = post_json(tn.client(drafter), f"{base}/answer/", send)
    # then
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "not_allowed"
    question.refresh_from_db()
    assert question.status == Question.Status.RECEIVED
    # when: the drafter drafts, and the head approves and sends the draft
    draft = post_json(tn.client(drafter), f"{base}/answers/", {"text": "Nội dung soạn sẵn"})
    sent = post_json(
        tn.client(head),
        f"{base}/answer/",
        {"answer": draft.json()["id"], "channel": "portal", "publish": True},
    )
    # then
    assert draft.status_code == 201
    assert draft.json()["status"] == "submitted"
    assert sent.status_code == 200, sent.content
    assert (sent.json()["status"], sent.json()["answer_text"]) == ("answered", "Nội dung soạn sẵn")
    assert Answer.objects.get(pk=draft.json()["id"]).status == Answer.Status.SENT
    events = tn.client(drafter).get(f"{base}/events/").json()
    assert [event["action"] for event in events] == ["received", "answer_drafted", "answered"]
    public = tn.client().get("/api/v1/qa/answered/").json()["results"]
    assert [item["id"] for item in public] == [question.pk]


def test_a_delegate_of_the_head_sends_on_the_heads_behalf(province):
    tn = province("thainguyen")
    question = tn.submit()
    head = tn.staff.holding("agency_head")
    deputy = tn.staff.holding("updater")
    now = timezone.now()
    delegation_create(
        actor=head,
        delegator=head,
        delegate=deputy,
        role_code="agency_head",
        agency_name=tn.agency.name,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=3),
    )
    response = post_json(
        tn.client(deputy),
        f"/api/v1/qa/questions/{question.pk}/answer/",
        {"text": "Trả lời", "channel": "email", "publish": False},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["answered_by"], response.json()["answered_on_behalf_of"]) == (
        deputy.username,
        head.username,
    )


def test_the_head_returns_a_draft_to_its_author(province):
    tn = province("thainguyen")
    question = tn.submit()
    drafter = tn.staff.holding("updater")
    head = tn.staff.holding("agency_head")
    base = f"/api/v1/qa/questions/{question.pk}/answers"
    draft = post_json(tn.client(drafter), f"{base}/", {"text": "Bản đầu"}).json()
    by_drafter = post_json(tn.client(drafter), f"{base}/{draft['id']}/return/", {"comment": "x"})
    no_comment = post_json(tn.client(head), f"{base}/{draft['id']}/return/", {})
    returned = post_json(tn.client(head), f"{base}/{draft['id']}/return/", {"comment": "Bổ sung"})
    unknown = post_json(tn.client(head), f"{base}/999999/return/", {"comment": "x"})
    assert by_drafter.status_code == 403
    assert (no_comment.status_code, list(error_of(no_comment)["fields"])) == (400, ["comment"])
    assert (returned.status_code, returned.json()["status"]) == (200, "returned")
    assert unknown.status_code == 404


def test_handling_steps_map_refusals_to_their_http_status(province):
    # given
    tn = province("thainguyen")
    question = tn.submit()
    staff = tn.staff.holding("updater")
    client = tn.client(staff)
    base = f"/api/v1/qa/questions/{question.pk}"
    too_late = datetime(2100, 1, 1, tzinfo=VN).isoformat()
    # when / then
    cases = [
        ("kind/", {"kind": "nonsense"}, 400, "kind"),
        ("appointment/", {"at": too_late, "reason": "Cần nghiên cứu"}, 400, "at"),
        ("appointment/", {"at": too_late, "reason": ""}, 400, "reason"),
        ("return/", {"reason": ""}, 400, "reason"),
        ("reassign/", {"agency": 999999, "reason": "x"}, 400, "agency"),
        ("moderation/", {"accept": True}, 409, None),
        ("result/", {"result": "x"}, 400, "intake"),
    ]
    for step, body, expected, field in cases:
        response = post_json(client, f"{base}/{step}", body)
        assert response.status_code == expected, (step, response.content)
        assert list(error_of(response)["fields"]) == ([field] if field else [])
    assert post_json(client, "/api/v1/qa/questions/999999/kind/", {"kind": "x"}).status_code == 404
    # when: reclassified as inter-agency (Art. 14(4)(b)), then returned
    kind = post_json(client, f"{base}/kind/", {"kind": "interagency", "reason": "Liên ngành"})
    returned = post_json(client, f"{base}/return/", {"reason": "Không thuộc phạm vi"})
    again = post_json(client, f"{base}/return/", {"reason": "Lần nữa"})
    # then
    assert (kind.status_code, kind.json()["deadline_working_days"]) == (200, 10)
    assert (returned.status_code, returned.json()["status"]) == (200, "returned")
    assert (again.status_code, error_of(again)["code"]) == (409, "not_open")
    track = tn.client().get(f"/api/v1/qa/track/{question.tracking_code}/").json()
    assert track["return_reason"] == "Không thuộc phạm vi"


def test_a_progress_notice_moves_the_promised_date_and_reassigning_hands_the_item_over(province):
    # given: Hà Giang answers, or sends a progress notice, within 15 working days (Decree 43/2011)
    tn = province("hagiang")
    question = tn.submit()
    staff = tn.staff.holding("site_editor")
    client = tn.client(staff)
    base = f"/api/v1/qa/questions/{question.pk}"
    later = (question.due_at + timedelta(days=7)).isoformat()
    progress = post_json(client, f"{base}/progress/", {"new_due": later, "text": "Đang xin ý kiến"})
    moved = post_json(client, f"{base}/reassign/", {"agency": tn.other_agency.pk, "reason": "Sai"})
    assert progress.status_code == 200, progress.content
    assert datetime.fromisoformat(progress.json()["due_at"]) == datetime.fromisoformat(later)
    assert moved.status_code == 200, moved.content
    assert moved.json()["agency"]["id"] == tn.other_agency.pk
    assert moved.json()["contact"] is None  # no longer the handling agency's staff


def test_moderation_is_for_the_board(province):
    tn = province("thainguyen")
    suspect = tn.submit(text="Mời chơi casino trực tuyến")
    agency_staff = tn.staff.holding("updater")
    board = tn.staff.holding("portal_approver")
    url = f"/api/v1/qa/questions/{suspect.pk}/moderation/"
    refused = post_json(tn.client(agency_staff), url, {"accept": True})
    accepted = post_json(tn.client(board), url, {"accept": True})
    assert (suspect.status, refused.status_code) == ("moderation", 403)
    assert (accepted.status_code, accepted.json()["status"]) == (200, "received")


def test_complaint_result_is_recorded_and_closes_the_complaint(province):
    # given: Huế tracks complaints from receipt to result (Art. 13(1))
    hue = province("thuathienhue")
    complaint = hue.submit(intake="complaint", email="", phone=PERSON["phone"])
    head = hue.staff.holding("agency_head")
    # when
    response = post_json(
        hue.client(head), f"/api/v1/qa/questions/{complaint.pk}/result/", {"result": "Đã xử lý"}
    )
    # then
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["result"]) == ("closed", "Đã xử lý")


def test_inbox_shows_the_callers_agencies_with_overdue_flags(
    province, django_assert_max_num_queries
):
    # given
    tn = province("thainguyen")
    late = tn.submit(received_at=timezone.now() - timedelta(days=30))
    fresh = tn.submit()
    elsewhere_topic = topic_ensure(name="Giao thông", agency=tn.other_agency)
    elsewhere = tn.submit(topic=elsewhere_topic.slug)
    tn.answered()  # answered: not in anyone's inbox
    staff = tn.staff.holding("updater")
    board = tn.staff.holding("portal_approver")
    # when
    mine = tn.client(staff).get("/api/v1/qa/inbox/").json()["results"]
    everyone = tn.client(board).get("/api/v1/qa/inbox/").json()["results"]
    overdue = tn.client(board).get("/api/v1/qa/inbox/?overdue=true").json()["results"]
    # then
    assert [(item["id"], item["overdue"]) for item in mine] == [(late.pk, True), (fresh.pk, False)]
    assert {item["id"] for item in everyone} == {late.pk, fresh.pk, elsewhere.pk}
    assert [item["id"] for item in overdue] == [late.pk]
    assert all("email" not in item and "name" not in item for item in everyone)
    # and the page costs the same few queries however long it is
    client = tn.client(board)
    client.get("/api/v1/qa/inbox/")
    for _ in range(4):
        tn.submit()
    # schema switch, session, user, the device that verified the session's second factor
    # (ADR 0022), staff check, the caller's agencies, the page
    with django_assert_max_num_queries(7):
        assert len(client.get("/api/v1/qa/inbox/").json()["results"]) == 7


def test_an_api_key_needs_the_write_scope_to_act(province):
    tn = province("thainguyen")
    question = tn.submit()
    staff = tn.staff.holding("updater")
    read = api_key_create(user=staff, name="đọc", scopes=["read"]).key
    write = api_key_create(user=staff, name="ghi", scopes=["read", "write"]).key
    url = f"/api/v1/qa/questions/{question.pk}/return/"
    body = {"reason": "Không thuộc phạm vi"}
    by_reader = post_json(tn.client(HTTP_AUTHORIZATION=f"Api-Key {read}"), url, body)
    reading = tn.client(HTTP_AUTHORIZATION=f"Api-Key {read}").get("/api/v1/qa/inbox/")
    by_writer = post_json(tn.client(HTTP_AUTHORIZATION=f"Api-Key {write}"), url, body)
    assert (by_reader.status_code, reading.status_code, by_writer.status_code) == (403, 200, 200)


def test_a_province_host_serves_only_its_own_questions(province):
    tn = province("thainguyen")
    question = tn.submit()
    connection.set_schema_to_public()
    other = host_client("hagiang.localhost")
    assert other.get(f"/api/v1/qa/track/{question.tracking_code}/").status_code == 404
