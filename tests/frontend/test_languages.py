"""The portal's English version exists only where the regulation provides one
(`language.english`: Hà Giang Art. 4(1), Thái Nguyên Art. 4(13)): elsewhere citizens are not
offered the language switch, an English page or English page chrome, and staff cannot enter
an English version. Staff keep their own choice of interface language in the back office."""

from __future__ import annotations

from html.parser import HTMLParser

from django.utils import timezone

from editorial.models import Item, Revision
from editorial.services import item_create, item_transition
from tests.conftest import host_client
from tests.factories.editorial import item_author
from tests.factories.pages import page_text, signed_in


class _LanguageSwitch(HTMLParser):
    """The links of the language switch (<nav class="lang-switch">)."""

    def __init__(self):
        super().__init__()
        self.inside, self.found, self.links = False, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "lang-switch" in (attrs.get("class") or "").split():
            self.inside = self.found = True
        elif self.inside and tag == "a":
            self.links.append(attrs.get("hreflang"))

    def handle_endtag(self, tag):
        if tag == "nav":
            self.inside = False


def _switch(html: str) -> _LanguageSwitch:
    parser = _LanguageSwitch()
    parser.feed(html)
    return parser


def test_the_language_switch_is_offered_only_where_there_is_an_english_version(tenant_db):
    assert _switch(page_text(host_client("hagiang.localhost").get("/"))).links == ["en"]
    backan = _switch(page_text(host_client("backan.localhost").get("/tin-tuc/")))
    assert not backan.found


def test_choosing_english_on_a_vietnamese_only_portal_changes_nothing(tenant_db):
    client = host_client("backan.localhost")
    # when a visitor follows a stale or forged link to the switch
    response = client.get("/ngon-ngu/?lang=en&next=/tin-tuc/")
    # then they are taken back, and the pages stay Vietnamese
    assert (response.status_code, response["Location"]) == (302, "/tin-tuc/")
    assert "django_language" not in client.cookies
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})  # Django's own view
    assert '<html lang="vi">' in page_text(client.get("/tin-tuc/"))


def test_english_pages_of_a_vietnamese_only_portal_are_not_found(province_schema):
    # given an English item that was published before the rule was enforced
    site, staff = province_schema("backan")
    author = item_author(staff)
    original = item_create(actor=author, kind="news", site=site, title="Lễ hội Lồng tồng")
    translation = Item.objects.create(
        kind="news",
        site=site,
        slug="long-tong",
        language="en",
        translation_of=original,
        author=author,
        status=Item.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    revision = Revision.objects.create(
        item=translation, number=1, title="Long Tong festival", author=author
    )
    Item.objects.filter(pk=translation.pk).update(
        current_revision=revision, published_revision=revision
    )
    # then citizens find no English page
    client = host_client(site.dev_host)
    assert client.get(f"/en/article/{translation.slug}/").status_code == 404


def test_staff_cannot_enter_an_english_version_where_there_is_none(province_schema):
    site, staff = province_schema("backan")
    author = item_author(staff)
    original = item_create(actor=author, kind="news", site=site, title="Lễ hội Lồng tồng")
    client = signed_in(site.dev_host, author)
    # the editor offers no English version
    assert "?translation_of=" not in page_text(client.get(f"/staff/items/{original.pk}/"))
    # and a forged form is refused with the reason, storing nothing
    response = client.post(
        f"/staff/items/new/?translation_of={original.pk}", {"title": "Long Tong festival"}
    )
    assert response.status_code == 400
    assert "không có phiên bản tiếng Anh" in page_text(response)
    assert not Item.objects.filter(language="en").exists()


def test_staff_can_enter_an_english_version_where_there_is_one(province_schema):
    site, staff = province_schema("thainguyen")
    author = item_author(staff)
    original = item_create(actor=author, kind="news", site=site, title="Lễ hội Đền Đuổm")
    original = item_transition(item=original, actor=author, decision="forward")
    client = signed_in(site.dev_host, author)
    assert f"?translation_of={original.pk}" in page_text(client.get(f"/staff/items/{original.pk}/"))


def test_staff_keep_their_interface_language_in_the_back_office(province_schema):
    site, staff = province_schema("backan")
    client = signed_in(site.dev_host, item_author(staff))
    client.get("/ngon-ngu/?lang=en&next=/staff/")
    html = page_text(client.get("/staff/"))
    assert '<html lang="en">' in html
    assert _switch(html).found
