"""The editorial back office under /staff/, as staff use it: forms posted through a browser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.profiles import current_profile
from editorial.models import Item, Transition
from editorial.services import item_create, item_transition
from organization.models import Delegation
from tests.conftest import host_client
from tests.factories.pages import page_text, signed_in


class Hue:
    """Thừa Thiên Huế's first department website and its editorial board (Art. 17, 19):
    board members enter, the deputy head verifies, the head publishes."""

    def __init__(self, site, staff):
        self.site, self.staff = site, staff
        self.host = site.dev_host
        self.member = staff.holding("board_member")
        self.deputy = staff.holding("deputy_head")
        self.head = staff.holding("head")

    def client(self, user, **kwargs):
        return signed_in(self.host, user, **kwargs)

    def draft(self, title: str = "Tin Huế", **content) -> Item:
        return item_create(
            actor=self.member, site=self.site, title=title, **{"kind": "news", **content}
        )

    def at_publish_step(self, title: str = "Tin chờ đăng") -> Item:
        item = self.draft(title)
        item = item_transition(item=item, actor=self.member, decision="forward")
        return item_transition(item=item, actor=self.deputy, decision="forward")


@pytest.fixture
def hue(province_schema):
    site, staff = province_schema("thuathienhue")
    return Hue(site, staff)


def _history(item) -> list[tuple[str, str]]:
    return list(item.transitions.order_by("pk").values_list("action", "step_code"))


# --- the whole flow through the forms ------------------------------------------------------


def test_hue_item_is_entered_verified_and_published_by_three_people_through_the_forms(hue):
    member, deputy, head = (hue.client(user) for user in (hue.member, hue.deputy, hue.head))
    # step 1: a board member enters the news and submits it
    form = page_text(member.get(f"/staff/items/new/?kind=news&site={hue.site.label}"))
    assert '<label for="id_title">Tiêu đề</label>' in form
    assert 'name="fields__event_at"' in form
    assert 'type="datetime-local"' in form
    response = member.post(
        f"/staff/items/new/?kind=news&site={hue.site.label}",
        {
            "title": "Khai mạc Festival Huế",
            "summary": "Festival mở màn tối nay.",
            "body": "<p>Chương trình <script>x</script>nghệ thuật.</p>",
            "fields__event_at": "2026-11-24T19:00",
        },
    )
    assert response.status_code == 302
    item = Item.objects.get(current_revision__title="Khai mạc Festival Huế")
    assert response["Location"] == f"/staff/items/{item.pk}/"
    # the news is not marked as a major event (the mark some update deadlines depend on)
    assert item.current_revision.fields == {
        "event_at": "2026-11-24T19:00:00+07:00",
        "major_event": False,
    }
    editor = page_text(member.get(f"/staff/items/{item.pk}/"))
    assert f'href="/staff/items/{item.pk}/duyet/">Xem và quyết định</a>' in editor
    assert "Gửi duyệt</button>" in page_text(member.get(f"/staff/items/{item.pk}/duyet/"))
    response = member.post(f"/staff/items/{item.pk}/decide/", {"decision": "forward"})
    assert response.status_code == 302
    # step 2: the deputy head finds it in the queue and verifies it
    queue = page_text(deputy.get("/staff/queue/"))
    assert "Khai mạc Festival Huế" in queue
    assert "Bước 2: Xác thực thông tin" in queue
    assert "Duyệt</button>" in page_text(deputy.get(f"/staff/items/{item.pk}/duyet/"))
    response = deputy.post(
        f"/staff/items/{item.pk}/decide/", {"decision": "forward", "forward-comment": "Đúng"}
    )
    assert response.status_code == 302
    # step 3: the head publishes it
    assert "Đăng</button>" in page_text(head.get(f"/staff/items/{item.pk}/duyet/"))
    response = head.post(f"/staff/items/{item.pk}/decide/", {"decision": "forward"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED
    assert _history(item) == [
        ("create", ""),
        ("submit", "enter"),
        ("approve", "verify"),
        ("publish", "publish"),
    ]
    assert [t.actor for t in item.transitions.order_by("pk")][1:] == [
        hue.member,
        hue.deputy,
        hue.head,
    ]
    assert "Đã đăng." in page_text(head.get(f"/staff/items/{item.pk}/"))
    public = page_text(host_client(hue.host).get(f"/bai-viet/{item.slug}/"))
    assert "Khai mạc Festival Huế" in public
    assert "<script>" not in public


def test_hue_updater_is_refused_on_the_publish_step_and_nothing_changes(hue):
    item = hue.at_publish_step()
    before = (item.status, Transition.objects.filter(item=item).count())
    member = hue.client(hue.member)
    # the page offers the board member no publish action
    editor = page_text(member.get(f"/staff/items/{item.pk}/duyet/"))
    assert "Đăng</button>" not in editor
    assert "bạn không giữ vai trò này" in editor
    # and posting it anyway is refused with the reason, not a 500
    response = member.post(f"/staff/items/{item.pk}/decide/", {"decision": "forward"})
    html = page_text(response)
    assert response.status_code == 400
    assert 'class="error-summary"' in html
    assert "do Trưởng Ban Biên tập (đăng tải thông tin) thực hiện" in html
    assert "'head'" not in html
    assert "Bước 3: Đăng tải thông tin" in html
    item.refresh_from_db()
    assert (item.status, Transition.objects.filter(item=item).count()) == before


def test_rejection_needs_a_reason_and_sends_the_item_back(hue):
    item = hue.draft()
    item = item_transition(item=item, actor=hue.member, decision="forward")
    deputy = hue.client(hue.deputy)
    response = deputy.post(
        f"/staff/items/{item.pk}/decide/", {"decision": "reject", "reject-comment": " "}
    )
    assert response.status_code == 400
    html = page_text(response)
    assert "Trả lại phải kèm lý do." in html
    assert 'href="#id_reject-comment"' in html
    assert 'aria-describedby="id_reject-comment_error"' in html
    response = deputy.post(
        f"/staff/items/{item.pk}/decide/",
        {"decision": "reject", "reject-comment": "Thiếu nguồn tin"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Item.Status.DRAFT
    assert item.transitions.last().comment == "Thiếu nguồn tin"


def test_queue_shows_only_the_items_waiting_for_the_users_step(hue):
    entered = item_transition(item=hue.draft("Chờ xác thực"), actor=hue.member, decision="forward")
    waiting = hue.at_publish_step("Chờ đăng tải")
    hue.draft("Bản nháp chưa gửi")
    deputy_queue = page_text(hue.client(hue.deputy).get("/staff/queue/"))
    head_queue = page_text(hue.client(hue.head).get("/staff/queue/"))
    member_queue = page_text(hue.client(hue.member).get("/staff/queue/"))
    assert "Chờ xác thực" in deputy_queue
    assert "Chờ đăng tải" not in deputy_queue
    assert "Chờ đăng tải" in head_queue
    assert "Chờ xác thực" not in head_queue
    assert f"/staff/items/{entered.pk}/" in deputy_queue
    assert f"/staff/items/{waiting.pk}/" in head_queue
    assert "Không có bài nào chờ bạn xử lý." in member_queue


def test_queue_marks_overdue_items_with_text_not_colour_alone(hue):
    item = hue.draft("Tin quá hạn", fields={"event_at": "2026-01-05T09:00:00+07:00"})
    item_transition(item=item, actor=hue.member, decision="forward")
    html = page_text(hue.client(hue.deputy).get("/staff/queue/"))
    assert "Quá hạn" in html
    assert "16:00, 05/01/2026" in html  # Huế Art. 9(3): news by 16:00 the same day


def test_publish_time_can_be_scheduled_at_the_publish_step(hue):
    item = hue.at_publish_step()
    head = hue.client(hue.head)
    assert 'name="forward-publish_at"' in page_text(head.get(f"/staff/items/{item.pk}/duyet/"))
    when = timezone.localtime() + timedelta(days=2)
    response = head.post(
        f"/staff/items/{item.pk}/decide/",
        {"decision": "forward", "forward-publish_at": when.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status != Item.Status.PUBLISHED
    assert timezone.localtime(item.publish_at).strftime("%Y-%m-%dT%H:%M") == when.strftime(
        "%Y-%m-%dT%H:%M"
    )


@pytest.mark.parametrize("typed", ["0001-01-01T09:00", "9999-12-31T09:00"])
def test_a_publish_time_in_an_implausible_year_is_refused_and_nothing_moves(hue, typed):
    # given: an item at the publish step
    item = hue.at_publish_step()
    head = hue.client(hue.head)
    # when: the head types a year that is a slip of the keyboard
    response = head.post(
        f"/staff/items/{item.pk}/decide/", {"decision": "forward", "forward-publish_at": typed}
    )
    # then: a field error, not published at once, not scheduled for the year 9999
    assert response.status_code == 400
    assert "Năm phải trong khoảng 1900–2100" in page_text(response)
    item.refresh_from_db()
    assert item.status != Item.Status.PUBLISHED
    assert item.publish_at is None


# --- forms, refusals and accessibility -----------------------------------------------------


def test_create_form_has_an_input_for_every_field_of_the_kind(hue):
    member = hue.client(hue.member)
    html = page_text(member.get(f"/staff/items/new/?kind=legal_document&site={hue.site.label}"))
    for name in ("number", "document_type", "issuing_body", "signer", "issued_on", "effective_on"):
        assert f'name="fields__{name}"' in html, name
    assert '<select name="fields__status"' in html
    assert "Còn hiệu lực" in html
    assert 'type="date"' in html
    html = page_text(member.get(f"/staff/items/new/?kind=leader_schedule&site={hue.site.label}"))
    assert '<textarea name="fields__entries"' in html
    assert "Danh sách JSON" in html
    assert "starts_at" in html
    assert 'aria-describedby="id_fields__entries_help"' in html


def test_kind_chooser_lists_the_kinds_and_sites(hue):
    html = page_text(hue.client(hue.member).get("/staff/items/new/"))
    assert 'value="legal_document"' in html
    assert "Văn bản quy phạm pháp luật" in html
    assert f'value="{hue.site.label}"' in html


def test_invalid_list_json_and_refused_fields_show_the_form_again(hue):
    member = hue.client(hue.member)
    url = f"/staff/items/new/?kind=leader_schedule&site={hue.site.label}"
    response = member.post(
        url, {"title": "Lịch tuần", "fields__week_of": "2026-11-23", "fields__entries": "[{"}
    )
    assert response.status_code == 400
    assert "Không đọc được JSON" in page_text(response)
    response = member.post(
        url,
        {
            "title": "Lịch tuần",
            "fields__week_of": "2026-11-23",
            "fields__entries": '[{"starts_at": "2026-11-23T08:00:00+07:00", "leader": ""}]',
        },
    )
    html = page_text(response)
    assert response.status_code == 400
    assert 'id="id_fields__entries_error"' in html
    assert "#1 leader" in html
    assert not Item.objects.filter(kind="leader_schedule").exists()


def test_hue_repost_without_a_source_is_refused_on_the_form(hue):
    member = hue.client(hue.member)
    response = member.post(
        f"/staff/items/new/?kind=news&site={hue.site.label}",
        {"title": "Tin đăng lại", "is_repost": "on"},
    )
    html = page_text(response)
    assert response.status_code == 400
    assert "Tin đăng lại phải ghi rõ nguồn" in html
    assert 'href="#id_source_name"' in html
    assert not Item.objects.filter(current_revision__title="Tin đăng lại").exists()


def test_forms_need_the_csrf_token(hue):
    item = hue.draft()
    client = hue.client(hue.member, enforce_csrf_checks=True)
    response = client.post(f"/staff/items/{item.pk}/decide/", {"decision": "forward"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == Item.Status.DRAFT


def test_back_office_needs_a_sign_in(hue):
    response = host_client(hue.host).get("/staff/queue/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_staff_pages_link_the_queue_items_dashboard_and_delegations(hue):
    html = page_text(hue.client(hue.member).get("/staff/queue/"))
    for href in ("/staff/queue/", "/staff/items/", "/staff/dashboard/", "/staff/delegations/"):
        assert f'href="{href}"' in html, href
    assert 'aria-current="page">Việc chờ xử lý' in html


def test_items_list_filters_by_status_kind_and_site(hue):
    published = hue.at_publish_step("Tin đã đăng")
    item_transition(item=published, actor=hue.head, decision="forward")
    hue.draft("Tin nháp")
    client = hue.client(hue.member)
    everything = page_text(client.get("/staff/items/"))
    assert "Tin đã đăng" in everything
    assert "Tin nháp" in everything
    drafts = page_text(client.get("/staff/items/?status=draft"))
    assert "Tin nháp" in drafts
    assert "Tin đã đăng" not in drafts
    portal = page_text(client.get("/staff/items/?site=portal"))
    assert "Tin nháp" not in portal
    site = page_text(client.get(f"/staff/items/?site={hue.site.label}&kind=news"))
    assert "Tin nháp" in site


# --- editing, history, diff ----------------------------------------------------------------


def test_editing_makes_a_new_revision_and_the_diff_shows_it_with_text_labels(hue):
    item = hue.draft("Tiêu đề cũ", body="<p>Dòng giữ nguyên</p><p>Dòng cũ</p>")
    member = hue.client(hue.member)
    response = member.post(
        f"/staff/items/{item.pk}/",
        {
            "title": "Tiêu đề mới",
            "body": "<p>Dòng giữ nguyên</p><p>Dòng mới</p>",
            "comment": "Sửa tiêu đề",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.current_revision.number == 2
    html = page_text(member.get(f"/staff/items/{item.pk}/diff/?from=1&to=2"))
    deleted = '<span class="visually-hidden">Đã xoá: </span><span lang="vi"># Tiêu đề cũ</span>'
    assert f"<del>{deleted}</del>" in html
    assert (
        '<ins><span class="visually-hidden">Đã thêm: </span><span lang="vi">Dòng mới</span></ins>'
        in html
    )
    assert "Dòng giữ nguyên" in html
    assert member.get(f"/staff/items/{item.pk}/diff/?from=1&to=9").status_code == 404


def test_history_shows_who_when_as_whose_delegate_and_the_comment(hue):
    colleague = hue.staff.holding("board_member")
    now = timezone.now()
    head = hue.client(hue.head)
    response = head.post(
        "/staff/delegations/",
        {
            "assignment": str(hue.head.role_assignments.get().pk),
            "delegate": str(colleague.pk),
            "starts_at": timezone.localtime(now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "Trưởng ban đi công tác",
        },
    )
    assert response.status_code == 302
    item = hue.at_publish_step()
    delegate = hue.client(colleague)
    editor = page_text(delegate.get(f"/staff/items/{item.pk}/duyet/"))
    assert "theo uỷ quyền của" in editor
    response = delegate.post(
        f"/staff/items/{item.pk}/decide/", {"decision": "forward", "forward-comment": "Đăng thay"}
    )
    assert response.status_code == 302
    html = page_text(head.get(f"/staff/items/{item.pk}/history/"))
    assert html.count("<tr>") == 5  # header + create, submit, approve, publish
    assert "Bước 3: Đăng tải thông tin" in html
    assert colleague.full_name in html
    assert hue.head.full_name in html
    assert "Đăng thay" in html
    assert "Theo uỷ quyền của" in html


def test_delegations_can_be_listed_and_revoked(hue):
    colleague = hue.staff.holding("board_member")
    head = hue.client(hue.head)
    page = page_text(head.get("/staff/delegations/"))
    assert "Trưởng Ban Biên tập (đăng tải thông tin)" in page
    assert "(Điều 19 Quyết định số 2567/2007/QĐ-UBND)" in page
    assert "Art. 19" not in page
    # a period that ends before it starts is refused on the form
    now = timezone.localtime()
    data = {
        "assignment": str(hue.head.role_assignments.get().pk),
        "delegate": str(colleague.pk),
        "starts_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": now.strftime("%Y-%m-%dT%H:%M"),
    }
    response = head.post("/staff/delegations/", data)
    assert response.status_code == 400
    assert "Thời hạn uỷ quyền không hợp lệ." in page_text(response)
    data["ends_at"] = (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    assert head.post("/staff/delegations/", data).status_code == 302
    grant = Delegation.objects.get(delegator=hue.head)
    assert colleague.username in page_text(head.get("/staff/delegations/"))
    # only its grantor may revoke it
    refused = hue.client(colleague).post(f"/staff/delegations/{grant.pk}/revoke/")
    assert refused.status_code == 400
    assert head.post(f"/staff/delegations/{grant.pk}/revoke/").status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_the_delegations_page_says_step_by_step_where_a_delegate_may_act(
    province_schema, monkeypatch
):
    # given: Thái Nguyên's portal varied so that a deputy may act for the editor-in-chief at
    # the last step only (a step's own delegation_allowed over its workflow's)
    site, staff = province_schema("thainguyen")
    profile = current_profile()
    portal = profile.governance.workflows.portal
    steps = [*portal.steps[:-1], portal.steps[-1].model_copy(update={"delegation_allowed": True})]
    varied = profile.model_copy(
        update={
            "governance": profile.governance.model_copy(
                update={
                    "workflows": profile.governance.workflows.model_copy(
                        update={"portal": portal.model_copy(update={"steps": steps})}
                    )
                }
            )
        }
    )
    monkeypatch.setattr("frontend.views.delegations.current_profile", lambda: varied)
    # when
    editor = signed_in(site.dev_host, staff.holding("editor_in_chief"))
    page = page_text(editor.get("/staff/delegations/"))
    # then: each step of each workflow with its own answer
    assert "Kiểm duyệt: không được uỷ quyền" in page
    assert "Tổng Biên tập duyệt đăng: được uỷ quyền" in page
    assert "Ban Biên tập thành phần kiểm duyệt, đăng tải: không được uỷ quyền" in page


# --- after publication ---------------------------------------------------------------------


def test_publisher_corrects_and_withdraws_through_the_forms(hue):
    item = hue.at_publish_step("Tin có sai sót")
    item = item_transition(item=item, actor=hue.head, decision="forward")
    head, member = hue.client(hue.head), hue.client(hue.member)
    assert "Đăng đính chính" in page_text(head.get(f"/staff/items/{item.pk}/"))
    assert "Đăng đính chính" not in page_text(member.get(f"/staff/items/{item.pk}/"))
    response = head.post(
        f"/staff/items/{item.pk}/correct/",
        {"correct-reason": "", "correct-text": "x", "correct-title": "Tin có sai sót"},
    )
    assert response.status_code == 400
    assert "Hãy nêu lý do đính chính." in page_text(response)
    response = head.post(
        f"/staff/items/{item.pk}/correct/",
        {
            "correct-reason": "Sai tên đơn vị",
            "correct-text": "Sửa tên Sở",
            "correct-title": "Tin đã đính chính",
            "correct-body": "<p>Đúng</p>",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.published_revision.title == "Tin đã đính chính"
    # a board member's withdrawal is refused; the head's is recorded with its public reason
    refused = member.post(f"/staff/items/{item.pk}/withdraw/", {"withdraw-reason": "Không"})
    assert refused.status_code == 400
    response = head.post(f"/staff/items/{item.pk}/withdraw/", {"withdraw-reason": "Hết hiệu lực"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.withdrawal_reason) == ("withdrawn", "Hết hiệu lực")


def test_attachment_upload_checks_the_bytes(hue):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = hue.draft()
    member = hue.client(hue.member)
    fake = SimpleUploadedFile("bao-cao.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = member.post(f"/staff/items/{item.pk}/attachments/", {"attach-file": fake})
    assert response.status_code == 400
    assert "Chỉ nhận PDF" in page_text(response)
    pdf = SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.7 test", content_type="application/pdf")
    response = member.post(f"/staff/items/{item.pk}/attachments/", {"attach-file": pdf})
    assert response.status_code == 302
    assert item.attachments.get().original_name == "bao-cao.pdf"


def test_component_site_item_is_shared_to_the_portal(hue):
    item = hue.at_publish_step("Tin chia sẻ")
    item_transition(item=item, actor=hue.head, decision="forward")
    member = hue.client(hue.member)
    assert "Chia sẻ lên Cổng tỉnh" in page_text(member.get(f"/staff/items/{item.pk}/"))
    response = member.post(f"/staff/items/{item.pk}/share/")
    assert response.status_code == 302
    shared = Item.objects.get(shared_from=item)
    assert shared.site_id is None
    assert shared.status == Item.Status.DRAFT
    assert response["Location"] == f"/staff/items/{shared.pk}/"


def test_editor_shows_the_working_copy_to_a_reviewer_who_may_not_edit(province_schema):
    # Thái Nguyên's approver publishes but may not amend (no may_amend in the profile): the page
    # shows the working copy to read, with no edit form
    site, staff = province_schema("thainguyen")
    updater, approver = staff.holding("updater"), staff.holding("approver")
    item = item_create(
        actor=updater, kind="news", title="Tin chờ duyệt", site=site, body="<p>Nội dung cần đọc</p>"
    )
    item = item_transition(item=item, actor=updater, decision="forward")
    html = page_text(signed_in(site.dev_host, approver).get(f"/staff/items/{item.pk}/"))
    assert "Nội dung cần đọc" in html
    assert 'name="title"' not in html
    assert "Xem và quyết định</a>" in html
    review = page_text(signed_in(site.dev_host, approver).get(f"/staff/items/{item.pk}/duyet/"))
    assert "Đăng</button>" in review


def test_back_office_speaks_english_when_chosen(hue):
    item = hue.draft("Tin tiếng Việt")
    client = hue.client(hue.member)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = page_text(client.get(f"/staff/items/{item.pk}/"))
    assert '<html lang="en">' in html
    assert "Publishing workflow" in html
    assert "Quy trình duyệt đăng" not in html
    assert '<h1 lang="vi">Tin tiếng Việt</h1>' in html
    # a refusal is worded in English for the codes the page knows
    response = client.post(
        f"/staff/items/{item.pk}/decide/", {"decision": "reject", "reject-comment": "x"}
    )
    assert response.status_code == 400
    assert "The item has not been submitted yet." in page_text(response)


def test_back_office_pages_cost_a_bounded_number_of_queries(hue, django_assert_max_num_queries):
    for number in range(6):
        item_transition(item=hue.draft(f"Tin {number}"), actor=hue.member, decision="forward")
    item = hue.draft("Tin được mở")
    deputy = hue.client(hue.deputy)
    deputy.get("/staff/queue/")  # warm the host caches
    # each count includes the session's second factor (the device that verified it, ADR 0022)
    with django_assert_max_num_queries(12):
        assert deputy.get("/staff/queue/").content.decode().count("/staff/items/") >= 6
    with django_assert_max_num_queries(11):
        assert deputy.get("/staff/items/").status_code == 200
    with django_assert_max_num_queries(17):
        assert deputy.get(f"/staff/items/{item.pk}/").status_code == 200


def test_an_account_without_a_role_is_refused_the_back_office(tenant_db, in_province):
    from accounts.models import User

    with in_province("hagiang"):
        nobody = User.objects.create(username="khong_vai_tro", is_staff=True)
        nobody.set_password("Mat-khau-dai-2026!")
        nobody.save()
    client = host_client("hagiang.localhost")
    client.post("/staff/login/", {"username": "khong_vai_tro", "password": "Mat-khau-dai-2026!"})
    for path in ("/staff/items/", "/staff/queue/", "/staff/dashboard/", "/staff/delegations/"):
        assert client.get(path).status_code == 403, path
