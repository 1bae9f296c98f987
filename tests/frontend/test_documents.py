"""Legal documents (`/van-ban/`): a citizen narrows a site's published legal documents by
number, type, issuing body, field, year of issue and status, reads the counts of each value in
the current results, and opens a document's page with its metadata and files."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from editorial.services import attachment_add
from tests.conftest import host_client
from tests.factories.editorial import Desk
from tests.factories.pages import options, page_text

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def desk(province_schema):
    def open_desk(slug: str) -> Desk:
        site, staff = province_schema(slug)
        return Desk(staff, site)

    return open_desk


def legal_document(newsroom: Desk, *, number: str, on_portal: bool = False, **fields):
    """A published legal document; `fields` override ordinary values (`title` is the item's)."""
    title = fields.pop("title", f"Quyết định {number}")
    values = {
        "number": number,
        "document_type": "Quyết định",
        "issuing_body": "UBND tỉnh",
        "signer": "Nguyễn Văn A",
        "issued_on": "2024-05-10",
        "status": "in_force",
        **fields,
    }
    return newsroom.publish(kind="legal_document", title=title, fields=values, on_portal=on_portal)


def numbers(html: str) -> list[str]:
    """The document numbers of the results table, in order."""
    return re.findall(r'<td class="document-number"><a href="[^"]+">([^<]+)</a></td>', html)


def option_labels(html: str, name: str) -> dict[str, str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.DOTALL)
    assert select, f"no <select name={name}>"
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0)))


# --- the list and its facets -------------------------------------------------------------


def test_the_list_shows_the_sites_published_legal_documents_most_recently_issued_first(desk):
    # given three documents on the portal issued on different days, and a news item
    newsroom = desk("thainguyen")
    legal_document(newsroom, number="01/2023/QĐ-UBND", issued_on="2023-01-05", on_portal=True)
    legal_document(newsroom, number="07/2025/QĐ-UBND", issued_on="2025-03-01", on_portal=True)
    legal_document(
        newsroom,
        number="12/2024/CT-UBND",
        issued_on="2024-07-20",
        document_type="Chỉ thị",
        title="Chỉ thị về phòng, chống thiên tai",
        on_portal=True,
    )
    newsroom.publish(title="Tin không phải văn bản", on_portal=True)
    # when
    response = host_client("thainguyen.localhost").get("/van-ban/")
    # then
    html = page_text(response)
    assert response.status_code == 200
    assert numbers(html) == ["07/2025/QĐ-UBND", "12/2024/CT-UBND", "01/2023/QĐ-UBND"]
    assert "Tìm thấy 3 văn bản" in html
    assert "Tin không phải văn bản" not in html
    for heading in ("Số, ký hiệu", "Ngày ban hành", "Trích yếu", "Loại văn bản"):
        assert f'<th scope="col">{heading}</th>' in html
    assert "20/07/2024" in html
    assert "Chỉ thị về phòng, chống thiên tai" in html
    assert "Còn hiệu lực" in html
    assert "in_force" not in html  # citizens read the status, never its code


def test_facets_count_the_current_results_and_filters_combine(desk):
    # given documents of two types, two bodies, two fields, two years and two statuses
    newsroom = desk("thainguyen")
    legal_document(newsroom, number="1/2024/QĐ-UBND", field="Đất đai", on_portal=True)
    legal_document(newsroom, number="2/2024/QĐ-UBND", field="Đất đai", on_portal=True)
    legal_document(
        newsroom,
        number="3/2023/QĐ-UBND",
        field="Giáo dục",
        issued_on="2023-02-01",
        status="expired",
        on_portal=True,
    )
    legal_document(
        newsroom,
        number="4/2024/NQ-HĐND",
        document_type="Nghị quyết",
        issuing_body="HĐND tỉnh",
        field="Đất đai",
        on_portal=True,
    )
    client = host_client("thainguyen.localhost")
    # when nothing is chosen, each facet counts every document
    html = page_text(client.get("/van-ban/"))
    assert option_labels(html, "loai") == {
        "": "Tất cả",
        "Quyết định": "Quyết định (3 văn bản)",
        "Nghị quyết": "Nghị quyết (1 văn bản)",
    }
    assert option_labels(html, "linh-vuc")["Đất đai"] == "Đất đai (3 văn bản)"
    assert options(html, "nam") == ["", "2024", "2023"]
    assert option_labels(html, "hieu-luc") == {
        "": "Tất cả",
        "con-hieu-luc": "Còn hiệu lực (3 văn bản)",
        "het-hieu-luc": "Hết hiệu lực (1 văn bản)",
    }
    # when a field and a type are chosen, the results and every count narrow to both
    html = page_text(client.get("/van-ban/?linh-vuc=Đất+đai&loai=Quyết+định"))
    assert numbers(html) == ["2/2024/QĐ-UBND", "1/2024/QĐ-UBND"]
    assert "Tìm thấy 2 văn bản" in html
    assert option_labels(html, "co-quan") == {"": "Tất cả", "UBND tỉnh": "UBND tỉnh (2 văn bản)"}
    assert option_labels(html, "nam") == {"": "Tất cả", "2024": "2024 (2 văn bản)"}
    assert 'option value="Quyết định" selected' in html
    # and each filter in force can be removed on its own
    keeps_type = urlencode({"loai": "Quyết định"})
    assert f'<a href="/van-ban/?{keeps_type}">Bỏ lọc Lĩnh vực</a>' in html
    # year and status filter too
    html = page_text(client.get("/van-ban/?nam=2023"))
    assert numbers(html) == ["3/2023/QĐ-UBND"]
    html = page_text(client.get("/van-ban/?hieu-luc=con-hieu-luc&co-quan=HĐND+tỉnh"))
    assert numbers(html) == ["4/2024/NQ-HĐND"]


def test_a_chosen_value_with_no_results_stays_chosen_with_zero(desk):
    newsroom = desk("thainguyen")
    legal_document(newsroom, number="5/2024/QĐ-UBND", on_portal=True)
    html = page_text(host_client("thainguyen.localhost").get("/van-ban/?loai=Thông+tư"))
    assert numbers(html) == []
    assert "Không có văn bản nào khớp với điều kiện tra cứu." in html
    assert option_labels(html, "loai")["Thông tư"] == "Thông tư (0 văn bản)"


@pytest.mark.parametrize("typed", ["qđ-ubnd", "QD-UBND", "qd ubnd", "15/2024", "15-2024"])
def test_the_number_is_found_in_any_case_with_or_without_diacritics(desk, typed):
    newsroom = desk("thainguyen")
    legal_document(newsroom, number="15/2024/QĐ-UBND", on_portal=True)
    legal_document(newsroom, number="16/2024/CT-TTg", on_portal=True)
    html = page_text(host_client("thainguyen.localhost").get("/van-ban/", {"so": typed}))
    assert numbers(html) == ["15/2024/QĐ-UBND"]


def test_results_are_paginated_with_bounded_page_numbers(desk):
    newsroom = desk("backan")
    for day in range(1, 23):
        legal_document(
            newsroom, number=f"{day}/2024/QĐ-UBND", issued_on=f"2024-01-{day:02d}", on_portal=True
        )
    client = host_client("backan.localhost")
    first = page_text(client.get("/van-ban/"))
    assert len(numbers(first)) == 20
    assert "Trang 1 / 2" in first
    second = page_text(client.get("/van-ban/?trang=2"))
    assert numbers(second) == ["2/2024/QĐ-UBND", "1/2024/QĐ-UBND"]
    # a page past the last shows the last; an unreadable one the first
    assert numbers(page_text(client.get("/van-ban/?trang=999"))) == numbers(second)
    assert len(numbers(page_text(client.get("/van-ban/?trang=abc")))) == 20
    assert client.get("/van-ban/?trang=99999999999999999999").status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("nam=abcd", "Năm ban hành phải là một năm, ví dụ 2024."),
        ("nam=99999", "Năm ban hành"),
        ("nam=1800", "Năm ban hành"),
        ("hieu-luc=in_force", "Tình trạng hiệu lực không có trong danh sách."),
        ("loai=" + "x" * 301, "Loại văn bản"),
        ("so=" + "1" * 101, "Số, ký hiệu"),
    ],
)
def test_a_bad_filter_is_refused_with_a_message(desk, query, message):
    desk("backan")
    response = host_client("backan.localhost").get(f"/van-ban/?{query}")
    assert response.status_code == 400
    html = page_text(response)
    assert message in html
    assert 'class="error-summary"' in html


def test_a_nul_character_in_a_filter_is_refused(desk):
    desk("backan")
    assert host_client("backan.localhost").get("/van-ban/?co-quan=UBND%00").status_code == 400


def test_unknown_parameters_are_ignored(desk):
    newsroom = desk("backan")
    legal_document(newsroom, number="9/2024/QĐ-UBND", on_portal=True)
    response = host_client("backan.localhost").get("/van-ban/?x=1&loai=")
    assert response.status_code == 200
    assert numbers(page_text(response)) == ["9/2024/QĐ-UBND"]


def test_each_site_lists_its_own_documents_only(desk):
    # given a document on the portal, one on a component site, and one in another province
    newsroom = desk("backan")
    legal_document(newsroom, number="1/2024/QĐ-UBND", on_portal=True)
    legal_document(newsroom, number="2/2024/QĐ-STTTT")
    site_host = newsroom.site.dev_host
    other = desk("dongnai")
    legal_document(other, number="3/2024/QĐ-UBND", on_portal=True)
    # then each host shows its own
    assert numbers(page_text(host_client("backan.localhost").get("/van-ban/"))) == [
        "1/2024/QĐ-UBND"
    ]
    assert numbers(page_text(host_client(site_host).get("/van-ban/"))) == ["2/2024/QĐ-STTTT"]
    assert numbers(page_text(host_client("dongnai.localhost").get("/van-ban/"))) == [
        "3/2024/QĐ-UBND"
    ]


def test_the_list_costs_at_most_ten_queries(desk, django_assert_max_num_queries):
    newsroom = desk("backan")
    for number in range(30):
        legal_document(
            newsroom,
            number=f"{number}/2024/QĐ-UBND",
            field="Đất đai" if number % 2 else "Giáo dục",
            on_portal=True,
        )
    client = host_client("backan.localhost")
    client.get("/")  # the host's caches warm, as for any visitor after the first
    with django_assert_max_num_queries(10):
        assert client.get("/van-ban/?linh-vuc=Đất+đai&so=qd&trang=1").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/van-ban/?nam=2024&hieu-luc=con-hieu-luc").status_code == 200


def test_a_new_publication_shows_at_once(desk, django_capture_on_commit_callbacks):
    newsroom = desk("backan")
    client = host_client("backan.localhost")
    assert "Chưa có văn bản nào được đăng." in page_text(client.get("/van-ban/"))
    with django_capture_on_commit_callbacks(execute=True):
        legal_document(newsroom, number="20/2024/QĐ-UBND", on_portal=True)
    assert numbers(page_text(client.get("/van-ban/"))) == ["20/2024/QĐ-UBND"]


# --- a document's page ---------------------------------------------------------------------


def test_a_documents_page_shows_its_metadata_and_its_files(desk):
    # given a published decision with a field of law and a file
    newsroom = desk("hagiang")
    item = legal_document(
        newsroom,
        number="19/2015/QĐ-UBND",
        title="Quyết định ban hành Quy chế hoạt động của Cổng",
        signer="Trần Văn B",
        issued_on="2015-08-20",
        effective_on="2015-09-01",
        field="Thông tin và truyền thông",
        status="partly_expired",
    )
    attachment = attachment_add(
        item=item,
        actor=newsroom.publisher(newsroom.site),
        uploaded=SimpleUploadedFile("quyet-dinh-19.pdf", PDF),
    )
    client = host_client(newsroom.site.dev_host)
    # when
    html = page_text(client.get(f"/bai-viet/{item.slug}/"))
    # then the metadata is a definition list
    facts = re.search(r'<dl class="facts item-facts">(.*?)</dl>', html, re.DOTALL).group(1)
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", facts, re.DOTALL)
    shown = {label: re.sub(r"<[^>]+>", "", value).strip() for label, value in pairs}
    assert shown == {
        "Số, ký hiệu": "19/2015/QĐ-UBND",
        "Loại văn bản": "Quyết định",
        "Cơ quan ban hành": "UBND tỉnh",
        "Người ký": "Trần Văn B",
        "Ngày ban hành": "20/08/2015",
        "Ngày có hiệu lực": "01/09/2015",
        "Lĩnh vực": "Thông tin và truyền thông",
        "Tình trạng hiệu lực": "Hết hiệu lực một phần",
    }
    assert 'href="/van-ban/?co-quan=UBND%20t%E1%BB%89nh"' in html
    # and its file with name, type and size, downloadable
    assert f'href="/tep/{attachment.pk}/" download>quyet-dinh-19.pdf' in html
    assert "<td>PDF</td>" in html
    assert f"<td>{len(PDF)}\xa0byte</td>" in html
    download = client.get(f"/tep/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_the_field_of_law_is_optional_and_bounded(desk):
    from editorial.content import ContentError, clean_fields

    base = {
        "number": "1/2024/QĐ-UBND",
        "document_type": "Quyết định",
        "issuing_body": "UBND tỉnh",
        "signer": "A",
        "issued_on": "2024-01-01",
    }
    assert clean_fields("legal_document", base)["field"] == ""
    assert clean_fields("legal_document", {**base, "field": " Đất đai "})["field"] == "Đất đai"
    with pytest.raises(ContentError) as refused:
        clean_fields("legal_document", {**base, "field": "x" * 201})
    assert "fields.field" in refused.value.fields


def test_a_search_by_number_can_read_the_trigram_index(desk):
    # given the folded number the search compares
    from django.db import connection

    from editorial.models import Revision, folded_number

    desk("backan")
    query = Revision.objects.alias(folded=folded_number()).filter(folded__contains="qd ubnd")
    sql, params = query.values("pk").query.sql_with_params()
    # when the planner may not read the whole table
    with connection.cursor() as cursor:
        # Only a bitmap scan is left, and it needs an index condition: with a handful of rows
        # the planner would otherwise walk another index in full.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # then it reads the index migration 0007 built on that same expression
    assert "revision_number_trgm" in plan
