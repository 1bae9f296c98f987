"""Drafts open for comment, as citizens and staff use them: the list of drafts (`/du-thao/`), a
draft's page with its period, its approved comments and the comment form (consent required,
rate-limited), the back office's moderation and the synthesis the drafting agency downloads."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEntry
from editorial import rules
from editorial.models import PublicComment
from editorial.services import public_comment_moderate, public_comment_submit
from organization.models import Agency, ComponentSite
from tests.conftest import host_client
from tests.factories.editorial import Desk, workflow
from tests.factories.organization import Staff
from tests.factories.pages import page_text, signed_in

CONSENTING = {"consent": "on"}


@pytest.fixture
def newsroom(province_schema) -> Desk:
    site, staff = province_schema("dongnai")
    return Desk(staff, site)


def draft(newsroom: Desk, *, title="Dự thảo Nghị quyết về phí", opens=-1, closes=10, **extra):
    """A published draft open from `opens` to `closes` days from today."""
    today = timezone.localdate()
    fields = {
        "drafting_body": "Sở Tư pháp",
        "opens_on": (today + timedelta(days=opens)).isoformat(),
        "closes_on": (today + timedelta(days=closes)).isoformat(),
    }
    return newsroom.publish(kind="draft_document", title=title, fields=fields, **extra)


def commented(item, *, name="Lê Văn A", email="a@example.vn", text="Đề nghị sửa Điều 3."):
    return public_comment_submit(item=item, name=name, email=email, text=text, consent=True)


def approved(comment, newsroom: Desk):
    return public_comment_moderate(
        comment=comment, decision="approve", acting_user=newsroom.author(newsroom.site)
    )


# --- the list of drafts ---------------------------------------------------------------------


def test_the_list_shows_open_drafts_with_days_left_and_recently_closed_ones(newsroom):
    # given drafts open, not yet open, closed last week and closed long ago
    draft(newsroom, title="Dự thảo đang mở", closes=5)
    draft(newsroom, title="Dự thảo hạn cuối hôm nay", closes=0)
    draft(newsroom, title="Dự thảo sắp mở", opens=3, closes=20)
    draft(newsroom, title="Dự thảo vừa đóng", opens=-30, closes=-7)
    draft(newsroom, title="Dự thảo đóng lâu rồi", opens=-400, closes=-300)
    draft(newsroom, title="Dự thảo của Cổng tỉnh", on_portal=True)
    # when
    response = host_client(newsroom.site.dev_host).get("/du-thao/")
    # then
    html = page_text(response)
    assert response.status_code == 200
    opened = html[html.index('id="open-heading"') : html.index('id="upcoming-heading"')]
    assert "Dự thảo đang mở" in opened
    assert "Còn 5 ngày" in opened
    assert "Dự thảo hạn cuối hôm nay" in opened
    assert "Hôm nay là ngày cuối" in opened
    upcoming = html[html.index('id="upcoming-heading"') : html.index('id="closed-heading"')]
    assert "Dự thảo sắp mở" in upcoming
    closed = html[html.index('id="closed-heading"') :]
    assert "Dự thảo vừa đóng" in closed
    assert "Đã kết thúc" in closed
    assert "Dự thảo đóng lâu rồi" not in html
    assert "Dự thảo của Cổng tỉnh" not in html  # another site's draft
    assert "Sở Tư pháp" in html


def test_the_list_costs_at_most_ten_queries(newsroom, django_assert_max_num_queries):
    for number in range(8):
        draft(newsroom, title=f"Dự thảo {number}", opens=number - 20, closes=number - 3)
    client = host_client(newsroom.site.dev_host)
    client.get("/")
    with django_assert_max_num_queries(10):
        assert client.get("/du-thao/").status_code == 200


# --- a draft's page and the comment form ----------------------------------------------------


def test_a_drafts_page_shows_its_period_and_a_form_that_asks_for_consent(newsroom):
    item = draft(newsroom, closes=4)
    html = page_text(host_client(newsroom.site.dev_host).get(f"/bai-viet/{item.slug}/"))
    assert "Cơ quan chủ trì soạn thảo" in html
    assert "Sở Tư pháp" in html
    assert "Còn 4 ngày để góp ý." in html
    assert 'type="checkbox" name="consent"' in html
    assert "Tôi đồng ý để họ tên và nội dung góp ý của tôi được công khai" in html
    assert "Chưa có góp ý nào được công bố." in html


def test_a_comment_without_consent_is_refused_and_nothing_is_stored(newsroom):
    item = draft(newsroom)
    client = host_client(newsroom.site.dev_host)
    response = client.post(
        f"/bai-viet/{item.slug}/gop-y/", {"name": "Lê Văn A", "text": "Đề nghị sửa Điều 3."}
    )
    html = page_text(response)
    assert response.status_code == 400
    assert "Hãy đồng ý cho công khai họ tên và nội dung góp ý để gửi góp ý." in html
    assert re.search(r'name="consent"[^>]*aria-invalid="true"', html)
    assert not PublicComment.objects.filter(item=item).exists()


def test_a_consenting_comment_is_held_until_approved_then_shown_without_its_email(
    newsroom, django_capture_on_commit_callbacks
):
    # given an open draft
    item = draft(newsroom)
    client = host_client(newsroom.site.dev_host)
    # when a citizen comments with consent
    response = client.post(
        f"/bai-viet/{item.slug}/gop-y/",
        {"name": "Lê Văn A", "email": "a@example.vn", "text": "Đề nghị sửa Điều 3.", **CONSENTING},
    )
    assert response.status_code == 302
    comment = PublicComment.objects.get(item=item)
    assert comment.consented_at is not None
    # then the comment is not public while pending
    assert "Đề nghị sửa Điều 3." not in page_text(client.get(f"/bai-viet/{item.slug}/"))
    # and once approved, its name, date and text show, never the e-mail
    with django_capture_on_commit_callbacks(execute=True):
        approved(comment, newsroom)
    html = page_text(host_client(newsroom.site.dev_host).get(f"/bai-viet/{item.slug}/"))
    section = html[html.index('id="draft-comments-heading"') :]
    assert "Lê Văn A" in section
    assert "Đề nghị sửa Điều 3." in section
    assert timezone.localtime(comment.created_at).strftime("%d/%m/%Y") in section
    assert "a@example.vn" not in html


def test_rejected_comments_are_not_shown(newsroom, django_capture_on_commit_callbacks):
    item = draft(newsroom)
    shown = commented(item, name="Người được duyệt", text="Góp ý được duyệt")
    hidden = commented(item, name="Người bị từ chối", text="Góp ý bị từ chối")
    with django_capture_on_commit_callbacks(execute=True):
        approved(shown, newsroom)
        public_comment_moderate(
            comment=hidden, decision="reject", acting_user=newsroom.author(newsroom.site)
        )
    html = page_text(host_client(newsroom.site.dev_host).get(f"/bai-viet/{item.slug}/"))
    assert "Góp ý được duyệt" in html
    assert "Góp ý bị từ chối" not in html


def test_a_closed_draft_offers_no_form_and_refuses_a_comment(newsroom):
    item = draft(newsroom, opens=-20, closes=-1)
    client = host_client(newsroom.site.dev_host)
    html = page_text(client.get(f"/bai-viet/{item.slug}/"))
    assert "Đã hết thời hạn góp ý" in html
    assert 'name="consent"' not in html
    response = client.post(
        f"/bai-viet/{item.slug}/gop-y/", {"name": "A", "text": "Muộn", **CONSENTING}
    )
    assert response.status_code == 400
    assert "Đã hết thời hạn góp ý." in page_text(response)
    assert not PublicComment.objects.filter(item=item).exists()


def test_comments_are_limited_per_address_with_a_page_that_says_so(newsroom):
    item = draft(newsroom)
    client = host_client(newsroom.site.dev_host)
    url = f"/bai-viet/{item.slug}/gop-y/"
    codes = [
        client.post(url, {"name": "B", "text": f"Ý kiến {n}", **CONSENTING}).status_code
        for n in range(10)
    ]
    assert codes == [302] * 10
    # when the eleventh comes within the hour
    response = client.post(url, {"name": "B", "text": "Ý kiến 11", **CONSENTING})
    # then a page in the portal's look says to wait, and nothing more is stored
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert int(response["Retry-After"]) > 0
    html = page_text(response)
    assert "<h1>" in html
    assert "Vui lòng thử lại sau" in html
    assert f'href="/bai-viet/{item.slug}/"' in html
    assert PublicComment.objects.filter(item=item).count() == 10


def test_a_drafts_page_costs_at_most_ten_queries(
    newsroom, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    item = draft(newsroom)
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(5):
            approved(commented(item, name=f"Người {number}"), newsroom)
    client = host_client(newsroom.site.dev_host)
    client.get("/")
    with django_assert_max_num_queries(10):
        assert client.get(f"/bai-viet/{item.slug}/").status_code == 200


# --- the back office: moderation ------------------------------------------------------------


def test_the_moderation_page_lists_pending_comments_with_approve_and_reject(newsroom):
    item = draft(newsroom)
    pending = commented(item, name="Trần Thị B", email="b@example.vn", text="Nên bỏ khoản 2.")
    editor = newsroom.author(newsroom.site)
    client = signed_in(newsroom.site.dev_host, editor)
    overview = page_text(client.get("/staff/gop-y/"))
    assert "Dự thảo Nghị quyết về phí" in overview
    assert f'href="/staff/gop-y/{item.pk}/"' in overview
    html = page_text(client.get(f"/staff/gop-y/{item.pk}/"))
    assert "Nên bỏ khoản 2." in html
    assert "b@example.vn" in html  # staff see the e-mail to answer
    assert f'action="/staff/gop-y/y-kien/{pending.pk}/"' in html
    assert 'name="decision" value="approve"' in html
    assert 'name="decision" value="reject"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_approving_from_the_back_office_publishes_the_comment(
    newsroom, django_capture_on_commit_callbacks
):
    item = draft(newsroom)
    pending = commented(item, text="Góp ý chờ duyệt")
    client = signed_in(newsroom.site.dev_host, newsroom.author(newsroom.site))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/gop-y/y-kien/{pending.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/gop-y/{item.pk}/"
    pending.refresh_from_db()
    assert pending.status == PublicComment.Status.VISIBLE
    public = page_text(host_client(newsroom.site.dev_host).get(f"/bai-viet/{item.slug}/"))
    assert "Góp ý chờ duyệt" in public


def test_a_staff_member_of_another_agency_may_not_moderate_nor_read(newsroom):
    item = draft(newsroom)
    pending = commented(item)
    other = Agency.objects.exclude(pk=newsroom.site.agency_id).order_by("pk").first()
    outsider = newsroom.staff.holding(workflow().steps[0].role, agency=other)
    client = signed_in(newsroom.site.dev_host, outsider)
    assert (
        client.post(f"/staff/gop-y/y-kien/{pending.pk}/", {"decision": "approve"}).status_code
        == 403
    )
    pending.refresh_from_db()
    assert pending.status == PublicComment.Status.PENDING
    for path in ("", "tong-hop/", "tong-hop.csv", "tong-hop.xlsx"):
        assert client.get(f"/staff/gop-y/{item.pk}/{path}").status_code == 403
    assert "Dự thảo Nghị quyết về phí" not in page_text(client.get("/staff/gop-y/"))


def test_anonymous_visitors_are_sent_to_sign_in(newsroom):
    item = draft(newsroom)
    pending = commented(item)
    client = host_client(newsroom.site.dev_host)
    for path in ("/staff/gop-y/", f"/staff/gop-y/{item.pk}/tong-hop.csv"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/login/")
    response = client.post(f"/staff/gop-y/y-kien/{pending.pk}/", {"decision": "approve"})
    assert response.status_code in (302, 403)  # the CSRF check or the sign-in page
    pending.refresh_from_db()
    assert pending.status == PublicComment.Status.PENDING


def test_a_draft_of_another_province_is_not_found(newsroom, in_province):
    # given a draft in Đồng Nai, and an editor of Bắc Kạn's first component site
    item = draft(newsroom)
    with in_province("backan"):
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        backan_editor = Staff(site.agency).holding(workflow().steps[0].role)
        client = signed_in(site.dev_host, backan_editor)
    # then the draft's id on Bắc Kạn's host names no draft of Bắc Kạn
    assert client.get(f"/staff/gop-y/{item.pk}/").status_code == 404
    assert client.get(f"/staff/gop-y/{item.pk}/tong-hop.csv").status_code == 404


# --- the synthesis --------------------------------------------------------------------------


def _synthesis_draft(newsroom: Desk, django_capture_on_commit_callbacks):
    item = draft(newsroom, title="Dự thảo Quy định về phí", opens=-2, closes=10)
    first = commented(item, name="Lê Văn A", email="a@example.vn", text="Đề nghị sửa Điều 3.")
    commented(item, name="Nguyễn Thị Ngọc", email="", text='=HYPERLINK("http://x")')
    with django_capture_on_commit_callbacks(execute=True):
        approved(first, newsroom)
    return item


def test_the_synthesis_as_csv_reads_in_excel(newsroom, django_capture_on_commit_callbacks):
    # given a draft with an approved comment and a pending one that looks like a formula
    item = _synthesis_draft(newsroom, django_capture_on_commit_callbacks)
    client = signed_in(newsroom.site.dev_host, newsroom.author(newsroom.site))
    # when
    response = client.get(f"/staff/gop-y/{item.pk}/tong-hop.csv")
    # then: UTF-8 with a byte-order mark, a heading naming the draft and its period, one row
    # per comment with the e-mail for staff
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    today = timezone.localdate()
    assert rows[0] == ["Tổng hợp ý kiến góp ý dự thảo: Dự thảo Quy định về phí"]
    assert rows[1] == ["Cơ quan chủ trì soạn thảo: Sở Tư pháp"]
    period = (
        f"Thời hạn lấy ý kiến: từ {(today - timedelta(days=2)):%d/%m/%Y} "
        f"đến hết {(today + timedelta(days=10)):%d/%m/%Y}"
    )
    assert rows[2] == [period]
    header = rows.index(
        ["STT", "Họ và tên", "Thư điện tử", "Thời điểm gửi", "Tình trạng", "Nội dung góp ý"]
    )
    body = rows[header + 1 :]
    assert [row[:3] for row in body] == [
        ["1", "Lê Văn A", "a@example.vn"],
        ["2", "Nguyễn Thị Ngọc", ""],
    ]
    assert [row[4] for row in body] == ["Đã duyệt, công khai", "Chờ duyệt"]
    assert body[0][5] == "Đề nghị sửa Điều 3."
    assert body[1][5] == '\'=HYPERLINK("http://x")'  # never a formula in a spreadsheet
    assert AuditEntry.objects.filter(action="draft_comments_exported", data__format="csv").exists()


def test_the_synthesis_as_xlsx_opens_with_the_same_contents(
    newsroom, django_capture_on_commit_callbacks
):
    item = _synthesis_draft(newsroom, django_capture_on_commit_callbacks)
    client = signed_in(newsroom.site.dev_host, newsroom.author(newsroom.site))
    response = client.get(f"/staff/gop-y/{item.pk}/tong-hop.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Tổng hợp ý kiến góp ý dự thảo: Dự thảo Quy định về phí"
    assert values[1][0] == "Cơ quan chủ trì soạn thảo: Sở Tư pháp"
    assert values[2][0].startswith("Thời hạn lấy ý kiến: từ ")
    header = next(i for i, row in enumerate(values) if row[0] == "STT")
    assert values[header] == [
        "STT",
        "Họ và tên",
        "Thư điện tử",
        "Thời điểm gửi",
        "Tình trạng",
        "Nội dung góp ý",
    ]
    first, second = values[header + 1], values[header + 2]
    assert first[:3] == [1, "Lê Văn A", "a@example.vn"]
    assert first[3].date() == timezone.localdate()  # a real date cell
    assert first[4:] == ["Đã duyệt, công khai", "Đề nghị sửa Điều 3."]
    assert second[1] == "Nguyễn Thị Ngọc"
    assert second[5] == '\'=HYPERLINK("http://x")'
    assert sheet.cell(row=header + 3, column=6).data_type == "s"


def test_the_printable_synthesis_names_the_draft_and_lists_every_comment(
    newsroom, django_capture_on_commit_callbacks
):
    item = _synthesis_draft(newsroom, django_capture_on_commit_callbacks)
    client = signed_in(newsroom.site.dev_host, newsroom.author(newsroom.site))
    html = page_text(client.get(f"/staff/gop-y/{item.pk}/tong-hop/"))
    assert "Tổng hợp ý kiến góp ý dự thảo" in html
    assert "Dự thảo Quy định về phí" in html
    assert "Sở Tư pháp" in html
    assert "Tổng số góp ý: 2 (đã duyệt, công khai: 1; chờ duyệt: 1; không duyệt: 0)." in html
    assert "a@example.vn" in html
    assert 'href="/static/frontend/documents.css"' in html


def test_the_drafting_agencys_staff_and_the_portals_editors_download_the_synthesis(
    newsroom, django_capture_on_commit_callbacks
):
    item = _synthesis_draft(newsroom, django_capture_on_commit_callbacks)
    portal = workflow(on_portal=True)
    portal_editor = newsroom.staff.holding(
        portal.steps[rules.publish_step_index(portal.steps)].role
    )
    colleague = newsroom.staff.holding("agency_head", agency=newsroom.site.agency)
    for reader in (portal_editor, colleague):
        client = signed_in(newsroom.site.dev_host, reader)
        assert client.get(f"/staff/gop-y/{item.pk}/tong-hop.xlsx").status_code == 200
        page = page_text(client.get(f"/staff/gop-y/{item.pk}/"))
        assert 'name="decision"' not in page  # they read; the draft's editors decide
        pending = PublicComment.objects.filter(item=item, status="pending").first()
        assert (
            client.post(f"/staff/gop-y/y-kien/{pending.pk}/", {"decision": "approve"}).status_code
            == 403
        )


def test_the_editor_and_staff_home_link_to_the_comments(newsroom):
    item = draft(newsroom)
    editor = newsroom.author(newsroom.site)
    client = signed_in(newsroom.site.dev_host, editor)
    assert f'href="/staff/gop-y/{item.pk}/"' in page_text(client.get(f"/staff/items/{item.pk}/"))
    assert 'href="/staff/gop-y/"' in page_text(client.get("/staff/"))
