"""The approver's page (/staff/items/<pk>/duyet/): the content and what changed first, the
submitter's comment beside it, the step's rule and deadline, then the decision, its buttons
named by what they do; after a decision, a page that says what happened and what comes next."""

from __future__ import annotations

import pytest

from editorial.models import Item
from editorial.services import item_create, item_transition, item_update
from tests.conftest import host_client
from tests.factories.pages import page_text, signed_in


@pytest.fixture
def hue(province_schema):
    site, staff = province_schema("thuathienhue")
    staff.site = site
    staff.member = staff.holding("board_member")
    staff.deputy = staff.holding("deputy_head")
    staff.head = staff.holding("head")
    return staff


def _client(staff, user):
    return signed_in(staff.site.dev_host, user)


def _submitted(hue, *, comment: str = "") -> Item:
    item = item_create(
        actor=hue.member,
        site=hue.site,
        kind="news",
        title="Khai mạc Festival Huế",
        body="<p>Chương trình nghệ thuật đêm khai mạc.</p><p>Dòng giữ nguyên.</p>",
    )
    return item_transition(item=item, actor=hue.member, decision="forward", comment=comment)


def _position(html: str, text: str) -> int:
    assert text in html, text
    return html.index(text)


def test_the_approver_reads_the_content_the_comment_and_the_rule_before_the_decision(hue):
    # given: a board member submitted a news item with a comment
    item = _submitted(hue, comment="Nhờ anh xem giúp trước 16 giờ")
    # when: the deputy head opens the decision page
    response = _client(hue, hue.deputy).get(f"/staff/items/{item.pk}/duyet/")
    html = page_text(response)
    # then: the content rendered as citizens see it (not as HTML source), the comment, the
    # step's name, who acts and its article in Vietnamese, all before the decision buttons
    assert response.status_code == 200
    assert "<p>Chương trình nghệ thuật đêm khai mạc.</p>" in html
    assert "&lt;p&gt;" not in response.content.decode()
    assert "Nhờ anh xem giúp trước 16 giờ" in html
    assert "Bước 2: Xác thực thông tin" in html
    assert "Phó Trưởng Ban Biên tập (xác thực thông tin)" in html
    assert "Điều 19" in html
    assert "deputy_head" not in html.replace(hue.deputy.username, "")
    decision = _position(html, 'id="decision-heading"')
    assert _position(html, "Chương trình nghệ thuật") < decision
    assert _position(html, "Nhờ anh xem giúp") < decision
    assert "<title>Xem và quyết định: Khai mạc Festival Huế" in html
    assert "<h1>Xem và quyết định" in html


def test_hue_deputy_head_amends_and_the_head_sees_what_changed(hue):
    # given: the deputy head amends the submitted text, then verifies it
    item = _submitted(hue)
    item = item_update(
        item=item,
        actor=hue.deputy,
        body="<p>Chương trình nghệ thuật đêm khai mạc lúc 19 giờ.</p><p>Dòng giữ nguyên.</p>",
        comment="Bổ sung giờ khai mạc",
    )
    item = item_transition(item=item, actor=hue.deputy, decision="forward")
    # when: the head opens the decision page
    html = page_text(_client(hue, hue.head).get(f"/staff/items/{item.pk}/duyet/"))
    # then: the lines removed and added since the submitted revision, before the decision
    decision = _position(html, 'id="decision-heading"')
    removed = _position(html, "Chương trình nghệ thuật đêm khai mạc.</span></del>")
    added = _position(html, "Chương trình nghệ thuật đêm khai mạc lúc 19 giờ.</span></ins>")
    assert removed < decision
    assert added < decision
    assert "So với phiên bản 1, phiên bản 2" in html
    assert "Bổ sung giờ khai mạc" in html


def test_a_first_submission_has_nothing_to_compare_and_says_so(hue):
    item = _submitted(hue)
    html = page_text(_client(hue, hue.deputy).get(f"/staff/items/{item.pk}/duyet/"))
    assert "chưa có bản nào để so sánh" in html
    assert "Người gửi không ghi ý kiến." in html


def test_buttons_are_named_by_what_the_step_does_not_by_its_name(hue):
    item = item_create(actor=hue.member, site=hue.site, kind="news", title="Tin")
    page = f"/staff/items/{item.pk}/duyet/"
    assert "Gửi duyệt</button>" in page_text(_client(hue, hue.member).get(page))
    item = item_transition(item=item, actor=hue.member, decision="forward")
    html = page_text(_client(hue, hue.deputy).get(page))
    assert "Duyệt</button>" in html
    assert "Trả lại</button>" in html
    assert "Xác thực thông tin</button>" not in html
    item_transition(item=item, actor=hue.deputy, decision="forward")
    assert "Đăng</button>" in page_text(_client(hue, hue.head).get(page))


def test_after_submitting_the_author_reads_what_happened_and_what_comes_next(hue):
    item = item_create(actor=hue.member, site=hue.site, kind="news", title="Tin")
    member = _client(hue, hue.member)
    response = member.post(f"/staff/items/{item.pk}/duyet/", {"decision": "forward"})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/items/{item.pk}/"
    html = page_text(member.get(response["Location"]))
    assert (
        "Đã gửi duyệt. Bước tiếp theo: Bước 2: Xác thực thông tin — người duyệt: "
        "Phó Trưởng Ban Biên tập (xác thực thông tin)." in html
    )
    assert "Bước “Bước" not in html


def test_after_approving_the_deputy_reads_the_next_step_and_its_role(hue):
    item = _submitted(hue)
    deputy = _client(hue, hue.deputy)
    response = deputy.post(f"/staff/items/{item.pk}/duyet/", {"decision": "forward"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/staff/items/{item.pk}/"
    assert "Đã duyệt. Bước tiếp theo: Bước 3: Đăng tải thông tin — người duyệt: Trưởng Ban" in (
        page_text(response)
    )


def test_right_after_publishing_the_head_reads_published_with_the_public_address(hue):
    item = _submitted(hue)
    item = item_transition(item=item, actor=hue.deputy, decision="forward")
    head = _client(hue, hue.head)
    response = head.post(f"/staff/items/{item.pk}/duyet/", {"decision": "forward"}, follow=True)
    html = page_text(response)
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED
    assert "/decide/" not in response.redirect_chain[-1][0]
    assert "Đã đăng." in html
    assert f"/bai-viet/{item.slug}/" in html
    assert "chưa ở trong quy trình" not in html
    review = page_text(head.get(f"/staff/items/{item.pk}/duyet/"))
    assert "Đã đăng." in review
    assert f"/bai-viet/{item.slug}/" in review


def test_a_refused_decision_shows_its_error_on_the_decision_page_with_the_form_kept(hue):
    item = _submitted(hue)
    deputy = _client(hue, hue.deputy)
    response = deputy.post(
        f"/staff/items/{item.pk}/duyet/", {"decision": "reject", "reject-comment": " "}
    )
    html = page_text(response)
    assert response.status_code == 400
    assert 'class="error-summary"' in html
    assert "Trả lại phải kèm lý do." in html
    assert "<title>Lỗi:" in html
    assert "Chương trình nghệ thuật đêm khai mạc." in html  # still the decision page
    assert f'action="/staff/items/{item.pk}/duyet/"' in html
    item.refresh_from_db()
    assert item.status == Item.Status.IN_WORKFLOW


def test_a_refused_publish_keeps_the_typed_comment_and_time(hue):
    # given: an item at the head's publish step
    item = _submitted(hue)
    item = item_transition(item=item, actor=hue.deputy, decision="forward")
    # when: the head types a publication time in an implausible year, with a comment
    response = _client(hue, hue.head).post(
        f"/staff/items/{item.pk}/duyet/",
        {
            "decision": "forward",
            "forward-comment": "Đăng sáng mai",
            "forward-publish_at": "9999-12-31T09:00",
        },
    )
    # then: the decision page again, the error and what was typed kept; nothing moved
    html = page_text(response)
    assert response.status_code == 400
    assert 'class="error-summary"' in html
    assert "Đăng sáng mai</textarea>" in html
    assert 'value="9999-12-31T09:00"' in html
    item.refresh_from_db()
    assert item.status == Item.Status.IN_WORKFLOW


def test_dong_nai_post_publication_check_is_a_hau_kiem_button(province_schema):
    _site, staff = province_schema("dongnai")
    provider = staff.holding("agency_provider")
    editor, checker = staff.holding("support_editor"), staff.holding("support_checker")
    item = item_create(actor=provider, site=None, kind="news", title="Tin Cổng Đồng Nai")
    for actor in (provider, editor, checker, editor):
        item = item_transition(item=item, actor=actor, decision="forward")
    assert item.status == Item.Status.PUBLISHED
    client = signed_in("dongnai.localhost", checker)
    html = page_text(client.get(f"/staff/items/{item.pk}/duyet/"))
    assert "Hậu kiểm</button>" in html
    response = client.post(f"/staff/items/{item.pk}/duyet/", {"decision": "forward"}, follow=True)
    assert "Đã hậu kiểm." in page_text(response)


def test_the_decision_page_is_for_staff_and_for_items_that_exist(hue):
    item = _submitted(hue)
    assert host_client(hue.site.dev_host).get(f"/staff/items/{item.pk}/duyet/").status_code == 302
    assert _client(hue, hue.deputy).get("/staff/items/999999/duyet/").status_code == 404


def test_the_queue_and_the_editor_link_the_decision_page(hue):
    # given: an item waiting at the deputy head's step
    item = _submitted(hue)
    deputy = _client(hue, hue.deputy)
    review = f'href="/staff/items/{item.pk}/duyet/">Xem và quyết định'
    # then: both the queue and the item's page lead to the decision page
    assert review in page_text(deputy.get("/staff/queue/"))
    assert review in page_text(deputy.get(f"/staff/items/{item.pk}/"))


def test_the_decision_page_gives_the_deadline_and_its_rule_or_says_there_is_none(hue):
    # given: a news item on an event long past (Huế Art. 9(3): by 16:00 the same day), and a
    # static page, which no update deadline covers
    late = item_create(
        actor=hue.member,
        site=hue.site,
        kind="news",
        title="Tin quá hạn",
        fields={"event_at": "2026-01-05T09:00:00+07:00"},
    )
    late = item_transition(item=late, actor=hue.member, decision="forward")
    page = item_create(actor=hue.member, site=hue.site, kind="static_page", title="Giới thiệu")
    page = item_transition(item=page, actor=hue.member, decision="forward")
    deputy = _client(hue, hue.deputy)
    # then: the due time, "Quá hạn" in words, the rule with its article in Vietnamese
    html = page_text(deputy.get(f"/staff/items/{late.pk}/duyet/"))
    assert "16:00, 05/01/2026" in html
    assert "Quá hạn</strong>" in html
    assert "(Điều 9" in html
    # and, without a deadline yet, why: Huế's pages count from when the information was complete
    # (Art. 9(1)), which the author has not entered
    html = page_text(deputy.get(f"/staff/items/{page.pk}/duyet/"))
    assert "Chưa tính được hạn: chưa nhập “Thời điểm thông tin hoàn thành”" in html


def test_a_decision_by_someone_without_the_role_is_refused_in_names_not_codes(hue):
    # given: an item at the head's publish step
    item = _submitted(hue)
    item = item_transition(item=item, actor=hue.deputy, decision="forward")
    # when: the board member posts the publish decision anyway
    response = _client(hue, hue.member).post(
        f"/staff/items/{item.pk}/duyet/", {"decision": "forward"}
    )
    # then: refused on the decision page, the step and role named as staff read them
    html = page_text(response)
    assert response.status_code == 400
    assert (
        "Bước 3: Đăng tải thông tin do Trưởng Ban Biên tập (đăng tải thông tin) thực hiện" in html
    )
    assert "'head'" not in html
    assert "Art." not in html
    item.refresh_from_db()
    assert item.status == Item.Status.IN_WORKFLOW


def test_a_published_item_offers_no_step_to_someone_outside_the_workflow(hue):
    # given: a published item
    item = _submitted(hue)
    item = item_transition(item=item, actor=hue.deputy, decision="forward")
    item = item_transition(item=item, actor=hue.head, decision="forward")
    # when: the deputy head opens it
    html = page_text(_client(hue, hue.deputy).get(f"/staff/items/{item.pk}/"))
    # then: published, with its address; no step said to wait for someone
    assert "Đã đăng." in html
    assert f"/bai-viet/{item.slug}/" in html
    assert "bạn không giữ vai trò này" not in html


def test_a_published_item_with_a_new_working_copy_can_be_submitted_again(hue):
    # given: a published item
    item = _submitted(hue)
    item = item_transition(item=item, actor=hue.deputy, decision="forward")
    item = item_transition(item=item, actor=hue.head, decision="forward")
    member = _client(hue, hue.member)
    page = f"/staff/items/{item.pk}/duyet/"
    # then: nothing to decide while the working copy is the published one
    assert "Gửi duyệt</button>" not in page_text(member.get(page))
    # when: a board member saves a new working copy
    item_update(item=item, actor=hue.member, title="Khai mạc Festival Huế (cập nhật)")
    # then: the page shows the change against the published version and offers submission
    html = page_text(member.get(page))
    assert "Đã đăng." in html
    assert "Khai mạc Festival Huế (cập nhật)</span></ins>" in html
    assert "Gửi duyệt</button>" in html
