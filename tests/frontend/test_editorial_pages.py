"""Citizen pages of editorial content: what a visitor of a portal or component site reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.profiles import current_profile
from editorial.models import PublicComment
from editorial.services import (
    item_correct,
    item_create,
    item_transition,
    item_unpublish,
    item_update,
    item_withdraw,
)
from tests.conftest import host_client
from tests.factories.editorial import Desk, run_to_the_end
from tests.factories.pages import meta, page_text


@pytest.fixture
def desk(province_schema):
    def open_desk(slug: str) -> Desk:
        site, staff = province_schema(slug)
        return Desk(staff, site)

    return open_desk


# --- an item's page ----------------------------------------------------------------------


def test_item_page_shows_the_published_revision_never_a_newer_working_copy(desk):
    # given an item published on a component site, then edited without a new publication
    newsroom = desk("backan")
    item = newsroom.publish(
        title="Bản đã duyệt", summary="Tóm tắt đã duyệt", body="<p>Nội dung <b>đã duyệt</b></p>"
    )
    item_update(
        item=item,
        actor=newsroom.author(newsroom.site),
        title="Bản nháp chưa duyệt",
        body="<p>x</p>",
    )
    # when
    response = host_client(newsroom.site.dev_host).get(f"/bai-viet/{item.slug}/")
    # then
    html = page_text(response)
    assert response.status_code == 200
    assert "Bản đã duyệt" in html
    assert "Tóm tắt đã duyệt" in html
    assert "<p>Nội dung <b>đã duyệt</b></p>" in html  # sanitised HTML, not escaped
    assert "Bản nháp chưa duyệt" not in html


def test_item_page_fills_the_dublin_core_metadata(desk):
    newsroom = desk("backan")
    item = newsroom.publish(title="Hội nghị xúc tiến đầu tư", summary="Tỉnh đón 30 nhà đầu tư.")
    host = newsroom.site.dev_host
    html = page_text(host_client(host).get(f"/bai-viet/{item.slug}/"))
    assert meta(html, "DC.title") == "Hội nghị xúc tiến đầu tư"
    assert meta(html, "DC.description") == "Tỉnh đón 30 nhà đầu tư."
    assert meta(html, "DC.identifier") == f"http://{host}/bai-viet/{item.slug}/"
    assert meta(html, "DC.date") == timezone.localtime(item.first_published_at).date().isoformat()
    assert meta(html, "DC.publisher") == "Cổng Thông tin điện tử tỉnh Bắc Kạn"
    assert meta(html, "DC.creator") == newsroom.site.agency.name


def test_an_item_is_served_only_on_its_own_site(desk):
    newsroom = desk("backan")
    item = newsroom.publish(title="Tin của trang thành phần")
    assert host_client(newsroom.site.dev_host).get(f"/bai-viet/{item.slug}/").status_code == 200
    assert host_client("backan.localhost").get(f"/bai-viet/{item.slug}/").status_code == 404


def test_unknown_draft_and_unpublished_items_are_not_found(desk):
    newsroom = desk("thuathienhue")
    client = host_client(newsroom.site.dev_host)
    draft = item_create(
        actor=newsroom.author(newsroom.site), kind="news", title="Bản nháp", site=newsroom.site
    )
    published = newsroom.publish(title="Sẽ bị gỡ")
    item_unpublish(item=published, actor=newsroom.publisher(newsroom.site), reason="Hết thời sự")
    for slug in ("khong-co-bai-nay", draft.slug, published.slug):
        response = client.get(f"/bai-viet/{slug}/")
        assert response.status_code == 404, slug
        assert "Sẽ bị gỡ" not in page_text(response)


def test_withdrawn_item_is_gone_with_its_public_reason(desk):
    newsroom = desk("backan")
    item = newsroom.publish(title="Thông tin bị thu hồi", body="<p>Nội dung cũ</p>")
    item_withdraw(item=item, actor=newsroom.publisher(newsroom.site), reason="Văn bản đã bị bãi bỏ")
    response = host_client(newsroom.site.dev_host).get(f"/bai-viet/{item.slug}/")
    html = page_text(response)
    assert response.status_code == 410
    assert "Bài viết đã bị thu hồi" in html
    assert "Văn bản đã bị bãi bỏ" in html
    assert "Nội dung cũ" not in html
    assert '<meta name="robots" content="noindex">' in html


def test_correction_notice_shows_its_date_and_reason_with_the_corrected_text(
    desk, django_capture_on_commit_callbacks
):
    newsroom = desk("backan")
    item = newsroom.publish(title="Số liệu 2025", body="<p>Tăng 5%</p>")
    client = host_client(newsroom.site.dev_host)
    assert "Tăng 5%" in page_text(client.get(f"/bai-viet/{item.slug}/"))  # now cached
    # when (the services bump the public version on commit)
    with django_capture_on_commit_callbacks(execute=True):
        correction = item_correct(
            item=item,
            actor=newsroom.publisher(newsroom.site),
            reason="Sai số liệu",
            text="Sửa 5% thành 6%",
            body="<p>Tăng 6%</p>",
        )
    # then the page shows the correction at once
    html = page_text(client.get(f"/bai-viet/{item.slug}/"))
    assert "Đính chính" in html
    assert "Sai số liệu" in html
    assert "Sửa 5% thành 6%" in html
    assert "Tăng 6%" in html
    assert "Tăng 5%" not in html
    local = timezone.localtime(correction.published_at)
    assert f'datetime="{local.isoformat()}"' in html
    assert local.strftime("%d/%m/%Y") in html


def test_repost_names_its_source_and_the_page_gives_the_provinces_attribution_text(desk):
    newsroom = desk("backan")
    item = newsroom.publish(
        title="Tin đăng lại",
        source_name="Báo Bắc Kạn",
        source_url="https://baobackan.vn/tin-1",
        is_repost=True,
    )
    html = page_text(host_client(newsroom.site.dev_host).get(f"/bai-viet/{item.slug}/"))
    assert "Nguồn:" in html
    assert (
        '<a href="https://baobackan.vn/tin-1" rel="noopener noreferrer nofollow">Báo Bắc Kạn</a>'
        in html
    )
    assert current_profile().attribution.text in html  # Bắc Kạn Art. 6(2)


def test_page_links_the_english_translation_and_back(desk):
    newsroom = desk("thainguyen")  # language.english = true (Art. 4(13))
    original = newsroom.publish(title="Lễ hội Lồng tồng")
    translation = item_create(
        actor=newsroom.author(newsroom.site),
        kind="news",
        site=newsroom.site,
        title="Long Tong festival",
        language="en",
        translation_of=original,
    )
    translation = item_transition(item=translation, actor=translation.author, decision="forward")
    run_to_the_end(translation, staff=newsroom.staff)
    client = host_client(newsroom.site.dev_host)
    html = page_text(client.get(f"/bai-viet/{original.slug}/"))
    assert f'href="/en/article/{translation.slug}/"' in html
    english = page_text(client.get(f"/en/article/{translation.slug}/"))
    assert "Long Tong festival" in english
    assert f'href="/bai-viet/{original.slug}/"' in english
    assert '<h1 id="item-title" lang="en">' in english


def test_legal_document_shows_its_number_issuer_signer_dates_and_status(desk):
    newsroom = desk("hagiang")
    item = newsroom.publish(
        kind="legal_document",
        title="Quyết định ban hành Quy chế",
        fields={
            "number": "19/2015/QĐ-UBND",
            "document_type": "Quyết định",
            "issuing_body": "UBND tỉnh Hà Giang",
            "signer": "Nguyễn Văn Sơn",
            "issued_on": "2015-10-05",
            "effective_on": "2015-10-15",
            "status": "in_force",
        },
    )
    html = page_text(host_client(newsroom.site.dev_host).get(f"/bai-viet/{item.slug}/"))
    for text in (
        "Số, ký hiệu",
        "19/2015/QĐ-UBND",
        "Quyết định",
        "UBND tỉnh Hà Giang",
        "Người ký",
        "Nguyễn Văn Sơn",
        "05/10/2015",
        "15/10/2015",
        "Còn hiệu lực",
    ):
        assert text in html, text


def test_fields_that_only_time_the_publication_are_not_shown_to_citizens(desk):
    # given: an urgent announcement with the moment its information arrived (Huế Art. 9(2))
    newsroom = desk("thuathienhue")
    item = newsroom.publish(
        kind="announcement",
        title="Thông báo khẩn về lũ",
        fields={"urgent": True, "received_at": "2026-03-02T09:15:00+07:00"},
    )
    # when
    html = page_text(host_client(newsroom.site.dev_host).get(f"/bai-viet/{item.slug}/"))
    # then: the deadline's anchor is the staff's business, not the reader's
    assert "Thông báo khẩn về lũ" in html
    assert "Thời điểm nhận được thông tin" not in html
    assert "02/03/2026" not in html


def test_schedule_and_directory_are_tables_with_column_headers(desk):
    newsroom = desk("thainguyen")
    schedule = newsroom.publish(
        kind="leader_schedule",
        title="Lịch công tác tuần 48",
        fields={
            "week_of": "2026-11-23",
            "entries": [
                {
                    "starts_at": "2026-11-23T08:00:00+07:00",
                    "leader": "Chủ tịch UBND tỉnh",
                    "activity": "Họp giao ban",
                    "place": "Phòng họp số 1",
                }
            ],
        },
    )
    directory = newsroom.publish(
        kind="contact_directory",
        title="Danh bạ Sở",
        fields={"contacts": [{"name": "Trần Thị Hoa", "phone": "0208 3855 123"}]},
    )
    client = host_client(newsroom.site.dev_host)
    html = page_text(client.get(f"/bai-viet/{schedule.slug}/"))
    assert '<th scope="col">Lãnh đạo</th>' in html
    assert "Họp giao ban" in html
    assert "Phòng họp số 1" in html
    assert "08:00" in html
    assert "23/11/2026" in html
    html = page_text(client.get(f"/bai-viet/{directory.slug}/"))
    assert '<th scope="col">Họ và tên</th>' in html
    assert "Trần Thị Hoa" in html
    assert "0208 3855 123" in html


def test_open_draft_document_takes_a_citizens_comment(desk):
    newsroom = desk("dongnai")
    today = timezone.localdate()
    item = newsroom.publish(
        kind="draft_document",
        title="Dự thảo Nghị quyết",
        fields={
            "drafting_body": "Sở Tư pháp",
            "opens_on": (today - timedelta(days=1)).isoformat(),
            "closes_on": (today + timedelta(days=10)).isoformat(),
        },
    )
    client = host_client(newsroom.site.dev_host)
    page = page_text(client.get(f"/bai-viet/{item.slug}/"))
    assert "Gửi góp ý cho dự thảo" in page
    assert 'name="csrfmiddlewaretoken"' in page
    # a comment without text is refused with the form again
    response = client.post(
        f"/bai-viet/{item.slug}/gop-y/", {"name": "Lê Văn A", "text": "", "consent": "on"}
    )
    assert response.status_code == 400
    assert "Hãy nhập nội dung góp ý." in page_text(response)
    assert 'aria-invalid="true"' in page_text(response)
    response = client.post(
        f"/bai-viet/{item.slug}/gop-y/",
        {
            "name": "Lê Văn A",
            "email": "a@example.vn",
            "text": "Đề nghị sửa Điều 3.",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    comment = PublicComment.objects.get(item=item)
    assert (comment.status, comment.text) == ("pending", "Đề nghị sửa Điều 3.")


def test_closed_draft_document_offers_no_comment_form(desk):
    newsroom = desk("dongnai")
    item = newsroom.publish(
        kind="draft_document",
        title="Dự thảo đã hết hạn góp ý",
        fields={"drafting_body": "Sở Tư pháp", "opens_on": "2025-01-01", "closes_on": "2025-01-31"},
    )
    client = host_client(newsroom.site.dev_host)
    html = page_text(client.get(f"/bai-viet/{item.slug}/"))
    assert "Ngày kết thúc" in html
    assert "31/01/2025" in html
    assert "Gửi góp ý cho dự thảo" not in html
    response = client.post(
        f"/bai-viet/{item.slug}/gop-y/", {"name": "A", "text": "Muộn", "consent": "on"}
    )
    assert response.status_code == 400
    assert "Đã hết thời hạn góp ý." in page_text(response)
    assert not PublicComment.objects.filter(item=item).exists()


def test_item_page_in_english_keeps_the_content_language(desk):
    newsroom = desk("thainguyen")  # Bắc Kạn's portal has no English version
    item = newsroom.publish(title="Tin tiếng Việt")
    client = host_client(newsroom.site.dev_host)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = page_text(client.get(f"/bai-viet/{item.slug}/"))
    assert '<html lang="en">' in html
    assert "Published" in html
    assert '<h1 id="item-title" lang="vi">Tin tiếng Việt</h1>' in html


# --- the news list -----------------------------------------------------------------------


def test_news_list_is_newest_first_and_paginated(desk):
    newsroom = desk("thainguyen")
    for number in range(1, 23):
        newsroom.publish(
            title=f"Tin số {number:02d}", kind="news" if number % 2 else "announcement"
        )
    newsroom.publish(title="Văn bản không thuộc danh sách tin", kind="static_page")
    client = host_client(newsroom.site.dev_host)
    first = page_text(client.get("/tin-tuc/"))
    assert first.index("Tin số 22") < first.index("Tin số 21") < first.index("Tin số 03")
    assert "Tin số 02" not in first
    assert "Văn bản không thuộc danh sách tin" not in first
    assert "Trang 1 / 2" in first
    second = page_text(client.get("/tin-tuc/?trang=2"))
    assert "Tin số 02" in second
    assert "Tin số 01" in second
    only = page_text(client.get("/tin-tuc/?loai=announcement"))
    assert "Tin số 22" in only
    assert "Tin số 21" not in only
    assert client.get("/tin-tuc/?loai=khong-co").status_code == 404


def test_news_list_shows_a_new_publication_at_once(desk, django_capture_on_commit_callbacks):
    newsroom = desk("backan")
    client = host_client("backan.localhost")
    assert "Chưa có bài nào." in page_text(client.get("/tin-tuc/"))  # cached, empty
    with django_capture_on_commit_callbacks(execute=True):
        newsroom.publish(title="Tin vừa đăng trên Cổng", on_portal=True)
    assert "Tin vừa đăng trên Cổng" in page_text(client.get("/tin-tuc/"))


# --- cost ----------------------------------------------------------------------------------


def test_item_page_costs_a_bounded_number_of_queries(desk, django_assert_max_num_queries):
    newsroom = desk("backan")
    item = newsroom.publish(title="Tin đo truy vấn", body="<p>x</p>")
    client = host_client("backan.localhost")
    portal_item = newsroom.publish(title="Tin Cổng đo truy vấn", on_portal=True)
    client.get("/")  # warm the host caches
    # cold: the item, its corrections, attachments and translations (+ search_path)
    with django_assert_max_num_queries(6):
        assert client.get(f"/bai-viet/{portal_item.slug}/").status_code == 200
    with django_assert_max_num_queries(1):  # warm: the cached page part, no query at all
        assert client.get(f"/bai-viet/{portal_item.slug}/").status_code == 200
    site_client = host_client(newsroom.site.dev_host)
    site_client.get("/")
    site_client.get(f"/bai-viet/{item.slug}/")
    with django_assert_max_num_queries(2):  # the component site, by its cached id
        assert site_client.get(f"/bai-viet/{item.slug}/").status_code == 200


def test_news_list_costs_a_bounded_number_of_queries(desk, django_assert_max_num_queries):
    newsroom = desk("backan")
    for number in range(5):
        newsroom.publish(title=f"Tin {number}", on_portal=True)
    client = host_client("backan.localhost")
    client.get("/")
    with django_assert_max_num_queries(4):  # count, page (+ search_path)
        assert client.get("/tin-tuc/").status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get("/tin-tuc/").status_code == 200


def test_an_unknown_address_is_not_cached(desk):
    from django.core.cache import cache

    desk("backan")
    client = host_client("backan.localhost")
    before = set(cache._cache.get_client().scan_iter(match="portal-test:*frontend:public:item*"))
    assert client.get("/bai-viet/khong-co/").status_code == 404
    after = set(cache._cache.get_client().scan_iter(match="portal-test:*frontend:public:item*"))
    assert after == before


def test_comments_on_a_draft_are_limited_per_address(desk):
    newsroom = desk("dongnai")
    today = timezone.localdate()
    item = newsroom.publish(
        kind="draft_document",
        title="Dự thảo lấy ý kiến rộng rãi",
        fields={
            "drafting_body": "Sở Tư pháp",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=10)).isoformat(),
        },
    )
    client = host_client(newsroom.site.dev_host)
    url = f"/bai-viet/{item.slug}/gop-y/"
    codes = [
        client.post(url, {"name": "B", "text": f"Ý kiến {n}", "consent": "on"}).status_code
        for n in range(10)
    ]
    assert codes == [302] * 10
    assert client.post(url, {"name": "B", "text": "Ý kiến 11", "consent": "on"}).status_code == 429
    assert PublicComment.objects.filter(item=item).count() == 10
