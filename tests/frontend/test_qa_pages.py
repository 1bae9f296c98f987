"""Hỏi – Đáp pages as a browser sees them: citizens submit, track and read answers without ever
seeing anyone's personal data; staff work their inbox within their role."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from organization.models import Agency
from provinces.calendar import TZ
from qa.models import Answer, Question
from qa.services import question_answer, question_submit, topic_ensure
from tests.conftest import host_client
from tests.factories.pages import page_text, signed_in

HOSTS = {"thainguyen": "thainguyen.localhost", "thuathienhue": "thuathienhue.localhost"}
ASKER = {"name": "Nguyễn Thị Bình", "email": "binh.nguyen@example.vn", "phone": "0912 345 678"}


@pytest.fixture
def thainguyen(province_schema):
    """Thái Nguyên with two agencies, a topic each, and its staff factory."""
    site, staff = province_schema("thainguyen")
    other = Agency.objects.exclude(pk=site.agency.pk).order_by("pk").first()
    land = topic_ensure(name="Đất đai", agency=site.agency)
    school = topic_ensure(name="Giáo dục", agency=other)
    return {
        "host": HOSTS["thainguyen"],
        "agency": site.agency,
        "other": other,
        "land": land,
        "school": school,
        "staff": staff,
        "site": site,
    }


def _ask(topic, *, title="Thủ tục cấp giấy chứng nhận quyền sử dụng đất đai", received_at=None):
    return question_submit(
        topic=topic.slug,
        title=title,
        text="Tôi muốn hỏi hồ sơ cần những gì và nộp ở đâu?",
        consent=True,
        received_at=received_at,
        **ASKER,
    )


def _answer_publicly(question, agency, staff):
    head = staff.holding("agency_head", agency=agency)
    return question_answer(
        question=question,
        actor=head,
        text="Hồ sơ gồm đơn đề nghị và giấy tờ về quyền sử dụng đất; nộp tại bộ phận một cửa.",
        channel="portal",
        publish=True,
    )


def _form(topic, /, **overrides):
    data = {
        "name": ASKER["name"],
        "email": ASKER["email"],
        "phone": ASKER["phone"],
        "topic": topic.slug,
        "title": "Hỏi về cấp giấy chứng nhận",
        "text": "Xin hỏi hồ sơ gồm những gì?",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _assert_no_personal_data(html: str) -> None:
    for value in ASKER.values():
        assert value not in html
    assert "binh.nguyen" not in html


# --- the submission form ---------------------------------------------------------------------


def test_form_labels_every_field_and_states_the_retention_period(thainguyen):
    # when
    response = host_client(thainguyen["host"]).get("/hoi-dap/gui/")
    # then
    html = page_text(response)
    assert response.status_code == 200
    for field in ("name", "email", "phone", "topic", "title", "text", "attachments", "consent"):
        assert f'for="id_{field}"' in html
    assert '<option value="dat-dai">Đất đai</option>' in html
    assert "1825 ngày" in html
    assert 'enctype="multipart/form-data"' in html
    # the honeypot is hidden from people and from screen readers
    assert '<div hidden aria-hidden="true">' in html
    assert 'name="website"' in html


def test_submission_shows_the_tracking_code_and_the_due_date_with_its_rule(thainguyen):
    # given
    client = host_client(thainguyen["host"])
    before = Question.objects.count()
    # when
    response = client.post("/hoi-dap/gui/", _form(thainguyen["land"]))
    # then
    assert response.status_code == 302
    question = Question.objects.get()
    assert Question.objects.count() == before + 1
    assert response["Location"] == f"/hoi-dap/da-gui/{question.tracking_code}/"
    assert question.agency == thainguyen["agency"]
    html = page_text(client.get(response["Location"]))
    assert question.tracking_code in html
    assert f"{question.due_at.astimezone(TZ):%H:%M %d/%m/%Y}" in html
    assert "Thuộc thẩm quyền giải quyết: 05 ngày làm việc" in html
    assert "Điều 14 khoản 4 điểm a Quyết định số 40/2012/QĐ-UBND" in html
    assert "Art." not in html
    _assert_no_personal_data(html)


def test_a_filled_honeypot_is_told_received_and_nothing_is_stored(thainguyen):
    # given
    before = Question.objects.count()
    # when
    response = host_client(thainguyen["host"]).post(
        "/hoi-dap/gui/", _form(thainguyen["land"], website="http://spam.example")
    )
    # then
    assert response.status_code == 200
    html = page_text(response)
    assert "Đã tiếp nhận" in html
    assert re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", html)
    assert Question.objects.count() == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"consent": None}, "consent", "Cần đồng ý cho phép xử lý dữ liệu cá nhân để gửi."),
        ({"text": "   "}, "text", "Hãy nhập nội dung."),
        ({"topic": "khong-co"}, "topic", "Lĩnh vực không tồn tại; hãy chọn trong danh sách."),
        ({"email": "", "phone": ""}, "email", "Cần ít nhất thư điện tử hoặc số điện thoại."),
        ({"phone": "abc"}, "phone", "Số điện thoại không hợp lệ."),
    ],
)
def test_invalid_submission_shows_the_form_again_and_stores_nothing(
    thainguyen, overrides, field, message
):
    # given
    before = Question.objects.count()
    # when
    response = host_client(thainguyen["host"]).post(
        "/hoi-dap/gui/", _form(thainguyen["land"], **overrides)
    )
    # then
    html = page_text(response)
    assert response.status_code == 400
    assert Question.objects.count() == before
    assert 'class="error-summary"' in html
    assert f'href="#id_{field}"' in html
    assert message in html
    assert 'aria-invalid="true"' in html
    # what the citizen typed is kept
    assert "Hỏi về cấp giấy chứng nhận" in html


def test_too_many_submissions_get_a_429_page(thainguyen, settings):
    # given
    settings.QA_SUBMISSIONS_PER_HOUR = 1
    client = host_client(thainguyen["host"])
    assert client.post("/hoi-dap/gui/", _form(thainguyen["land"])).status_code == 302
    # when
    response = client.post("/hoi-dap/gui/", _form(thainguyen["land"]))
    # then
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Vui lòng thử lại sau 60 phút." in page_text(response)
    assert Question.objects.count() == 1


def test_each_intake_has_its_form_only_where_the_profile_offers_it(province_schema):
    # given
    province_schema("thuathienhue")
    # when / then
    complaint = host_client(HOSTS["thuathienhue"]).get("/hoi-dap/gui/?loai=complaint")
    assert complaint.status_code == 200
    assert "<h1>Gửi khiếu nại</h1>" in page_text(complaint)
    assert host_client(HOSTS["thainguyen"]).get("/hoi-dap/gui/?loai=complaint").status_code == 404
    assert host_client("dongnai.localhost").get("/hoi-dap/gui/?loai=feedback").status_code == 200
    assert host_client(HOSTS["thainguyen"]).get("/hoi-dap/gui/?loai=feedback").status_code == 404


def test_a_complaint_is_stored_as_a_complaint(province_schema):
    # given
    site, _staff = province_schema("thuathienhue")
    topic = topic_ensure(name="Xây dựng", agency=site.agency)
    # when
    response = host_client(HOSTS["thuathienhue"]).post("/hoi-dap/gui/?loai=complaint", _form(topic))
    # then
    assert response.status_code == 302
    assert Question.objects.get().intake == Question.Intake.COMPLAINT


# --- tracking and the answered list: never personal data -------------------------------------


def test_tracking_shows_status_dates_and_answer_but_no_personal_data(thainguyen):
    # given
    question = _ask(thainguyen["land"])
    client = host_client(thainguyen["host"])
    # when: open
    html = page_text(client.get(f"/hoi-dap/tra-cuu/?ma={question.tracking_code.lower()}"))
    # then
    assert "Đã tiếp nhận" in html
    assert f"{question.due_at.astimezone(TZ):%H:%M %d/%m/%Y}" in html
    _assert_no_personal_data(html)
    # when: answered
    _answer_publicly(question, thainguyen["agency"], thainguyen["staff"])
    html = page_text(client.get(f"/hoi-dap/tra-cuu/?ma={question.tracking_code}"))
    # then
    assert "Đã trả lời" in html
    assert "nộp tại bộ phận một cửa" in html
    _assert_no_personal_data(html)


def test_tracking_an_unknown_code_says_so(thainguyen):
    response = host_client(thainguyen["host"]).get("/hoi-dap/tra-cuu/?ma=ZZZZ-ZZZZ")
    assert response.status_code == 404
    assert "Không tìm thấy câu hỏi nào có mã này." in page_text(response)


def test_answered_list_shows_published_answers_with_the_disclaimer_and_no_personal_data(
    thainguyen,
):
    # given
    answered = _ask(thainguyen["land"])
    _answer_publicly(answered, thainguyen["agency"], thainguyen["staff"])
    _ask(thainguyen["land"], title="Câu hỏi chưa trả lời")
    # when
    response = host_client(thainguyen["host"]).get("/hoi-dap/")
    # then
    html = page_text(response)
    assert response.status_code == 200
    assert answered.title in html
    assert "nộp tại bộ phận một cửa" in html
    assert "Câu hỏi chưa trả lời" not in html
    assert "không phải là cơ sở pháp lý trực tiếp" in html  # Thái Nguyên Art. 14(5)
    assert "Điều 14 khoản 5 Quyết định số 40/2012/QĐ-UBND" in html
    assert answered.tracking_code not in html
    _assert_no_personal_data(html)


def test_search_is_accent_insensitive(thainguyen):
    # given
    land = _ask(thainguyen["land"], title="Tranh chấp Đất đai giữa hai hộ")
    school = _ask(thainguyen["school"], title="Học phí năm học mới")
    for question, agency in ((land, thainguyen["agency"]), (school, thainguyen["other"])):
        _answer_publicly(question, agency, thainguyen["staff"])
    # when
    html = page_text(host_client(thainguyen["host"]).get("/hoi-dap/?q=dat+dai"))
    # then
    assert "Tranh chấp Đất đai giữa hai hộ" in html
    assert "Học phí năm học mới" not in html
    assert "Tìm thấy 1 câu hỏi" in html


def test_list_filters_by_topic_and_agency(thainguyen):
    land = _ask(thainguyen["land"], title="Câu hỏi về đất")
    school = _ask(thainguyen["school"], title="Câu hỏi về trường")
    _answer_publicly(land, thainguyen["agency"], thainguyen["staff"])
    _answer_publicly(school, thainguyen["other"], thainguyen["staff"])
    client = host_client(thainguyen["host"])
    by_topic = page_text(client.get("/hoi-dap/?linh_vuc=giao-duc"))
    assert "Câu hỏi về trường" in by_topic
    assert "Câu hỏi về đất" not in by_topic
    by_agency = page_text(client.get(f"/hoi-dap/?co_quan={thainguyen['agency'].pk}"))
    assert "Câu hỏi về đất" in by_agency
    assert "Câu hỏi về trường" not in by_agency


def test_province_without_a_disclaimer_shows_none(province_schema):
    site, staff = province_schema("thuathienhue")
    topic = topic_ensure(name="Xây dựng", agency=site.agency)
    question = _ask(topic)
    _answer_publicly(question, site.agency, staff)
    html = page_text(host_client(HOSTS["thuathienhue"]).get("/hoi-dap/"))
    assert question.title in html
    assert "qa-disclaimer" not in html


def test_answered_list_costs_a_bounded_number_of_queries(thainguyen, django_assert_max_num_queries):
    # given
    for index in range(12):
        question = _ask(thainguyen["land"], title=f"Câu hỏi số {index}")
        _answer_publicly(question, thainguyen["agency"], thainguyen["staff"])
    client = host_client(thainguyen["host"])
    client.get("/hoi-dap/")
    # then: topics (with their agencies), the count, one page (+ SET search_path)
    with django_assert_max_num_queries(4):
        response = client.get("/hoi-dap/?q=cau+hoi&trang=2")
    assert response.status_code == 200
    assert "Câu hỏi số 1" in page_text(response)


# --- the asker's own data --------------------------------------------------------------------


def test_asker_sees_and_downloads_own_data_with_code_and_email(thainguyen):
    # given
    question = _ask(thainguyen["land"])
    client = host_client(thainguyen["host"])
    # when
    page = client.post(
        "/hoi-dap/du-lieu-cua-toi/", {"code": question.tracking_code, "email": ASKER["email"]}
    )
    download = client.post(
        "/hoi-dap/du-lieu-cua-toi/",
        {"code": question.tracking_code, "email": ASKER["email"], "format": "json"},
    )
    # then
    assert page.status_code == 200
    assert ASKER["name"] in page_text(page)
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    data = json.loads(download.content)
    assert data["tracking_code"] == question.tracking_code
    assert data["phone"] == ASKER["phone"]


def test_asker_data_needs_the_matching_email(thainguyen):
    question = _ask(thainguyen["land"])
    response = host_client(thainguyen["host"]).post(
        "/hoi-dap/du-lieu-cua-toi/", {"code": question.tracking_code, "email": "other@example.vn"}
    )
    assert response.status_code == 404
    assert ASKER["name"] not in page_text(response)


# --- staff -----------------------------------------------------------------------------------


def test_staff_pages_need_a_sign_in(thainguyen):
    response = host_client(thainguyen["host"]).get("/staff/hoi-dap/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_inbox_shows_only_the_items_of_the_users_agency(thainguyen):
    # given
    mine = _ask(thainguyen["land"])
    theirs = _ask(thainguyen["school"])
    updater = thainguyen["staff"].holding("updater", agency=thainguyen["agency"])
    board = thainguyen["staff"].holding("editor_in_chief")
    # when
    html = page_text(signed_in(thainguyen["host"], updater).get("/staff/hoi-dap/"))
    board_html = page_text(signed_in(thainguyen["host"], board).get("/staff/hoi-dap/"))
    # then
    assert mine.tracking_code in html
    assert theirs.tracking_code not in html
    assert "Còn 5 ngày làm việc" in html or "Hạn hôm nay" in html or "ngày làm việc" in html
    assert mine.tracking_code in board_html
    assert theirs.tracking_code in board_html


def test_inbox_marks_overdue_items_in_words(thainguyen):
    # given
    late = _ask(thainguyen["land"], received_at=timezone.now() - timedelta(days=30))
    updater = thainguyen["staff"].holding("updater", agency=thainguyen["agency"])
    # when
    html = page_text(signed_in(thainguyen["host"], updater).get("/staff/hoi-dap/?qua_han=1"))
    # then
    assert late.tracking_code in html
    assert '<span class="badge badge-overdue">Quá hạn</span>' in html


def test_detail_shows_the_contact_to_the_agency_and_refuses_other_agencies(thainguyen):
    # given
    question = _ask(thainguyen["land"])
    mine = thainguyen["staff"].holding("updater", agency=thainguyen["agency"])
    other = thainguyen["staff"].holding("updater", agency=thainguyen["other"])
    url = f"/staff/hoi-dap/{question.pk}/"
    # when
    html = page_text(signed_in(thainguyen["host"], mine).get(url))
    refused = signed_in(thainguyen["host"], other).get(url)
    # then
    assert ASKER["email"] in html
    assert ASKER["phone"] in html
    assert "Tiếp nhận" in html  # the history
    assert refused.status_code == 403
    assert ASKER["email"] not in page_text(refused)


def test_non_head_cannot_send_and_the_draft_then_approve_path_works(thainguyen):
    # given
    question = _ask(thainguyen["land"])
    updater = thainguyen["staff"].holding("updater", agency=thainguyen["agency"])
    head = thainguyen["staff"].holding("agency_head", agency=thainguyen["agency"])
    drafting = signed_in(thainguyen["host"], updater)
    base = f"/staff/hoi-dap/{question.pk}/"
    # when: the updater tries to send
    refused = drafting.post(
        base + "gui-tra-loi/",
        {"answer-text": "Trả lời thẳng", "answer-channel": "portal", "answer-publish": "on"},
    )
    # then
    assert refused.status_code == 403
    assert "Chỉ thủ trưởng cơ quan hoặc người được uỷ quyền" in page_text(refused)
    question.refresh_from_db()
    assert question.status == Question.Status.RECEIVED
    # when: the updater drafts, the head approves
    drafted = drafting.post(base + "soan-tra-loi/", {"draft-text": "Dự thảo trả lời."})
    assert drafted.status_code == 302
    draft = Answer.objects.get(question=question)
    assert draft.status == Answer.Status.SUBMITTED
    approving = signed_in(thainguyen["host"], head)
    page = page_text(approving.get(base))
    assert "Duyệt và gửi bản này" in page
    approved = approving.post(
        base + "duyet-ban-nhap/",
        {
            "answer": draft.pk,
            f"approve-{draft.pk}-channel": "portal",
            f"approve-{draft.pk}-publish": "on",
        },
    )
    # then
    assert approved.status_code == 302
    question.refresh_from_db()
    draft.refresh_from_db()
    assert question.status == Question.Status.ANSWERED
    assert question.is_public
    assert question.answer_text == "Dự thảo trả lời."
    assert draft.status == Answer.Status.SENT
    assert "Dự thảo trả lời." in page_text(host_client(thainguyen["host"]).get("/hoi-dap/"))


def test_a_refused_action_rerenders_the_page_with_the_message(thainguyen):
    # given
    question = _ask(thainguyen["land"])
    updater = thainguyen["staff"].holding("updater", agency=thainguyen["agency"])
    client = signed_in(thainguyen["host"], updater)
    too_late = (timezone.now() + timedelta(days=60)).astimezone(TZ).date().isoformat()
    # when
    late = client.post(
        f"/staff/hoi-dap/{question.pk}/hen-tra-loi/",
        {"appointment-day": too_late, "appointment-reason": "Cần nghiên cứu thêm"},
    )
    empty = client.post(f"/staff/hoi-dap/{question.pk}/chuyen-co-quan/", {})
    # then
    assert late.status_code == 400
    assert "Ngày hẹn muộn nhất là" in page_text(late)
    assert 'href="#id_appointment-day"' in page_text(late)
    assert empty.status_code == 400
    assert "Chuyển cơ quan phải nêu lý do." in page_text(empty)


def test_reassigning_moves_the_item_to_the_other_agency(thainguyen):
    question = _ask(thainguyen["land"])
    updater = thainguyen["staff"].holding("updater", agency=thainguyen["agency"])
    response = signed_in(thainguyen["host"], updater).post(
        f"/staff/hoi-dap/{question.pk}/chuyen-co-quan/",
        {"reassign-agency": thainguyen["other"].pk, "reassign-reason": "Thuộc lĩnh vực giáo dục"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/hoi-dap/"
    question.refresh_from_db()
    assert question.agency == thainguyen["other"]


def test_who_is_late_groups_overdue_items_by_agency_for_the_board(thainguyen):
    # given
    month_ago = timezone.now() - timedelta(days=30)
    first = _ask(thainguyen["land"], received_at=month_ago)
    _ask(thainguyen["land"], received_at=month_ago)
    other = _ask(thainguyen["school"], received_at=month_ago)
    on_time = _ask(thainguyen["land"])
    board = thainguyen["staff"].holding("editor_in_chief")
    updater = thainguyen["staff"].holding("updater", agency=thainguyen["agency"])
    # when
    response = signed_in(thainguyen["host"], board).get("/staff/hoi-dap/tre-han/")
    # then
    html = page_text(response)
    assert response.status_code == 200
    assert "3 câu hỏi quá hạn" in html
    assert first.tracking_code in html
    assert other.tracking_code in html
    assert on_time.tracking_code not in html
    agency_row = (
        f'<th scope="row"><a href="#agency-1">{thainguyen["agency"].name}</a></th><td>2</td>'
    )
    assert agency_row in html
    assert signed_in(thainguyen["host"], updater).get("/staff/hoi-dap/tre-han/").status_code == 403


def test_an_attachment_of_a_refused_type_shows_the_form_again(thainguyen):
    # given
    script = SimpleUploadedFile("hoso.pdf", b"#!/bin/sh\necho not a pdf\n", "application/pdf")
    # when
    response = host_client(thainguyen["host"]).post(
        "/hoi-dap/gui/", {**_form(thainguyen["land"]), "attachments": [script]}
    )
    # then
    assert response.status_code == 400
    assert 'href="#id_attachments"' in page_text(response)
    assert "kiểm tra theo nội dung tệp" in page_text(response)
    assert Question.objects.count() == 0


def test_pages_follow_the_chosen_language(thainguyen):
    client = host_client(thainguyen["host"])
    client.cookies["django_language"] = "en"
    html = page_text(client.get("/hoi-dap/gui/"))
    assert "<h1>Ask a question</h1>" in html
    assert "Personal data protection" in html


def test_suspect_text_waits_for_the_board_which_lets_it_through(thainguyen):
    # given
    question = _ask(thainguyen["land"], title="Vay tiền nhanh casino")
    assert question.status == Question.Status.MODERATION
    board = signed_in(thainguyen["host"], thainguyen["staff"].holding("editor_in_chief"))
    updater = thainguyen["staff"].holding("updater", agency=thainguyen["agency"])
    # then: only the board's inbox lists it
    assert question.tracking_code in page_text(board.get("/staff/hoi-dap/?trang_thai=moderation"))
    updater_client = signed_in(thainguyen["host"], updater)
    assert question.tracking_code not in page_text(updater_client.get("/staff/hoi-dap/"))
    refused = updater_client.post(
        f"/staff/hoi-dap/{question.pk}/kiem-duyet/", {"moderate-decision": "accept"}
    )
    assert refused.status_code == 403
    assert "Chỉ Ban biên tập hoặc thủ trưởng cơ quan được kiểm duyệt." in page_text(refused)
    # when
    accepted = board.post(
        f"/staff/hoi-dap/{question.pk}/kiem-duyet/", {"moderate-decision": "accept"}
    )
    # then
    assert accepted.status_code == 302
    question.refresh_from_db()
    assert question.status == Question.Status.RECEIVED


def test_hue_records_a_complaint_result_and_the_complainant_can_read_it(province_schema):
    # given
    site, staff = province_schema("thuathienhue")
    topic = topic_ensure(name="Xây dựng", agency=site.agency)
    complaint = question_submit(
        intake="complaint", topic=topic.slug, title="Khiếu nại về cấp phép", text="Nội dung",
        consent=True, **ASKER,
    )  # fmt: skip
    head = signed_in(HOSTS["thuathienhue"], staff.holding("agency_head", agency=site.agency))
    # when
    response = head.post(
        f"/staff/hoi-dap/{complaint.pk}/ket-qua-khieu-nai/",
        {"result-result": "Giữ nguyên quyết định cấp phép."},
    )
    # then
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Question.Status.CLOSED
    assert complaint.result == "Giữ nguyên quyết định cấp phép."
    html = page_text(
        host_client(HOSTS["thuathienhue"]).get(f"/hoi-dap/tra-cuu/?ma={complaint.tracking_code}")
    )
    assert "Kết quả giải quyết" in html
    assert "Giữ nguyên quyết định cấp phép." in html
    _assert_no_personal_data(html)
    assert complaint.title not in page_text(host_client(HOSTS["thuathienhue"]).get("/hoi-dap/"))


def test_hue_staff_send_a_progress_notice_with_a_later_date(province_schema):
    # given
    site, staff = province_schema("thuathienhue")
    topic = topic_ensure(name="Xây dựng", agency=site.agency)
    question = _ask(topic)
    updater = signed_in(HOSTS["thuathienhue"], staff.holding("board_member", agency=site.agency))
    new_due = (question.due_at + timedelta(days=10)).astimezone(TZ).date()
    # when
    response = updater.post(
        f"/staff/hoi-dap/{question.pk}/thong-bao-tien-do/",
        {"progress-new_due": new_due.isoformat(), "progress-text": "Đang xin ý kiến Sở Xây dựng."},
    )
    # then
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.progress_due_at.astimezone(TZ).date() == new_due
    assert "Thông báo tiến độ" in page_text(updater.get(f"/staff/hoi-dap/{question.pk}/"))


def test_guessing_tracking_codes_is_slowed_down(tenant_db):
    client = host_client("hagiang.localhost")
    statuses = {client.get(f"/hoi-dap/tra-cuu/?ma=ZZZZ-{n:04d}").status_code for n in range(30)}
    assert statuses == {404}
    assert client.get("/hoi-dap/tra-cuu/?ma=ZZZZ-9999").status_code == 429
