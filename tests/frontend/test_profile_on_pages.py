"""What the province's profile puts on its pages (ADR 0014): the board's submission mailbox,
the reuse notice, and the Dublin Core metadata of the profile's elements."""

from __future__ import annotations

from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.utils import timezone

from core.profiles import current_profile
from editorial import rules
from editorial.models import Item
from frontend.views.public import dublin_core, reuse_notice
from tests.conftest import host_client
from tests.factories.editorial import published
from tests.factories.pages import page_text, signed_in


class _Head(HTMLParser):
    """The Dublin Core of a page: every <meta name="DC.…"> and <link rel="schema.DC">."""

    def __init__(self):
        super().__init__()
        self.dc: list[tuple[str, str]] = []
        self.schema_links: list[str] = []
        self.mailto: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("name") or "").startswith("DC."):
            self.dc.append((attrs["name"].removeprefix("DC."), attrs.get("content") or ""))
        elif tag == "link" and attrs.get("rel") == "schema.DC":
            self.schema_links.append(attrs.get("href") or "")
        elif tag == "a" and (attrs.get("href") or "").startswith("mailto:"):
            self.mailto.append(attrs["href"].removeprefix("mailto:"))


def _parse(html: str) -> _Head:
    parser = _Head()
    parser.feed(html)
    return parser


def _publish(slug: str, province_schema, **content) -> Item:
    site, staff = province_schema(slug)
    return published(staff, site=site, **content)


# --- language.submission_mailbox ------------------------------------------------------------


def test_the_portal_footer_gives_the_boards_mailbox_where_the_regulation_names_one(tenant_db):
    # Hà Giang Art. 10: agencies send information to bbtcongthongtindientutinh@hagiang.gov.vn
    # (also the portal's contact address in the footer, ADR 0016)
    hagiang = page_text(host_client("hagiang.localhost").get("/tin-tuc/"))
    assert set(_parse(hagiang).mailto) == {"bbtcongthongtindientutinh@hagiang.gov.vn"}
    assert (
        "Gửi thông tin cho Ban Biên tập: "
        '<a href="mailto:bbtcongthongtindientutinh@hagiang.gov.vn">' in hagiang
    )
    # Đồng Nai's regulation names none: only the portal's contact address is given
    dongnai = page_text(host_client("dongnai.localhost").get("/tin-tuc/"))
    assert 'class="submission-mailbox"' not in dongnai
    assert _parse(dongnai).mailto == ["banbientap@dongnai.gov.vn"]


def test_staff_home_tells_agencies_where_to_send_content(province_schema):
    _site, staff = province_schema("thainguyen")
    client = signed_in("thainguyen.localhost", staff.holding("updater"))
    html = page_text(client.get("/staff/"))
    # Thái Nguyên Art. 9(1), in the staff section (and the portal's footer)
    assert "Cơ quan, đơn vị gửi thông tin bằng văn bản và thư điện tử về địa chỉ" in html
    assert set(_parse(html).mailto) == {"portal@thainguyen.gov.vn"}
    assert "Unicode TCVN 6909:2001" in html
    _site, staff = province_schema("dongnai")
    client = host_client("dongnai.localhost")
    client.force_login(
        staff.holding(rules.workflow_for(current_profile(), on_portal=False).steps[0].role)
    )
    html = page_text(client.get("/staff/"))
    assert "Cơ quan, đơn vị gửi thông tin bằng văn bản" not in html
    assert 'class="submission-mailbox"' not in html


# --- attribution.required_on_repost ---------------------------------------------------------


def test_article_pages_give_the_reuse_notice_where_the_regulation_requires_it(province_schema):
    # Đồng Nai Art. 3(3): reusing the portal's information names its author and source
    item = _publish("dongnai", province_schema, title="Tin Đồng Nai")
    html = page_text(host_client(item.site.dev_host).get(f"/bai-viet/{item.slug}/"))
    assert "Khi sử dụng lại thông tin:" in html
    assert "Ghi rõ thông tin về tác giả, nguồn của thông tin" in html
    # Hà Giang's regulation requires none
    item = _publish("hagiang", province_schema, title="Tin Hà Giang")
    html = page_text(host_client(item.site.dev_host).get(f"/bai-viet/{item.slug}/"))
    assert "Khi sử dụng lại thông tin:" not in html


def test_the_reuse_notice_follows_required_on_repost_not_the_presence_of_a_text():
    portal = "Cổng Thông tin điện tử tỉnh X"
    required = SimpleNamespace(required_on_repost=True, text=None)
    assert reuse_notice(required, portal_name=portal) == f"Ghi rõ tác giả và nguồn “{portal}”."
    worded = SimpleNamespace(required_on_repost=True, text="Ghi rõ nguồn")
    assert reuse_notice(worded, portal_name=portal) == "Ghi rõ nguồn"
    not_required = SimpleNamespace(required_on_repost=False, text="Ghi rõ nguồn")
    assert reuse_notice(not_required, portal_name=portal) is None


# --- page_metadata --------------------------------------------------------------------------


def test_item_pages_carry_exactly_the_profiles_dublin_core_elements(province_schema):
    item = _publish(
        "thainguyen", province_schema, title="Hội nghị tổng kết", summary="Tổng kết năm 2026."
    )
    host = item.site.dev_host
    head = _parse(page_text(host_client(host).get(f"/bai-viet/{item.slug}/")))
    elements = current_profile().page_metadata.elements
    assert head.schema_links == ["http://purl.org/dc/elements/1.1/"]
    assert [name for name, _ in head.dc] == list(elements)
    values = dict(head.dc)
    assert values["title"] == "Hội nghị tổng kết"
    assert values["description"] == "Tổng kết năm 2026."
    assert values["creator"] == item.site.agency.name
    assert values["publisher"] == "Cổng Thông tin điện tử tỉnh Thái Nguyên"
    assert values["date"] == timezone.localtime(item.first_published_at).date().isoformat()
    assert values["identifier"] == f"http://{host}/bai-viet/{item.slug}/"


def test_other_pages_carry_the_profiles_elements_too(tenant_db):
    head = _parse(page_text(host_client("thuathienhue.localhost").get("/tin-tuc/")))
    assert head.schema_links == ["http://purl.org/dc/elements/1.1/"]
    assert [name for name, _ in head.dc] == [
        "title",
        "creator",
        "date",
        "description",
        "publisher",
        "identifier",
    ]


@pytest.mark.parametrize(
    ("elements", "expected"),
    [
        (["subject", "title"], [("subject", "Kinh tế"), ("title", "Tin")]),
        (["rights", "coverage", "source"], [("coverage", "Bắc Kạn")]),  # no value, no tag
    ],
)
def test_dublin_core_gives_the_listed_elements_that_have_a_value(elements, expected):
    values = {"title": "Tin", "subject": "Kinh tế", "coverage": "Bắc Kạn", "rights": ""}
    assert dublin_core(elements, values) == expected
