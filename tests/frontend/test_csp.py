"""Content-Security-Policy and Permissions-Policy (issue 13, must-have 3).

Every response carries both headers. Citizens' pages are cached whole (frontend.page_cache and
nginx in front), so a nonce inside one would be served to other visitors: no page of the
portals has an inline script, an inline style, an event-handler attribute or a `javascript:`
link; the profile's colour comes as a stylesheet of its own. The EMC script's origin and the
violation report endpoint are added only when configured; the API's Swagger page runs under the
same policy."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import override_settings

from config.middleware import PERMISSIONS_POLICY
from frontend.templatetags.look import brand_colours
from qa.services import question_answer, question_submit, topic_ensure
from tests.conftest import host_client
from tests.factories.catalog import procedure_published
from tests.factories.editorial import item_author, published
from tests.factories.pages import signed_in

TN = "thainguyen.localhost"
PLATFORM = "platform.localhost"
CSP = "Content-Security-Policy"


def directives(response) -> dict[str, list[str]]:
    """The response's policy as {directive: [sources]}."""
    policy = response[CSP]
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


class InlineCode(HTMLParser):
    """What a strict policy would block in a page: inline scripts (a JSON data block is not
    one), inline styles (elements and attributes), on* handlers and javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and not values.get("src") and values.get("type") != "application/json":
            self.found.append(f"<script> without src at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> at line {self.getpos()[0]}")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}> at line {self.getpos()[0]}")
            if name == "style":
                self.found.append(f"style= on <{tag}> at line {self.getpos()[0]}")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"{name}=javascript: on <{tag}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def assert_strict_page(response, where: str) -> None:
    assert response.status_code in (200, 404), f"{where}: {response.status_code}"
    assert inline_code(response.content.decode()) == [], where
    policy = directives(response)
    assert policy["script-src"] == ["'self'"], where  # no nonce: nothing on the page needs one
    assert policy["style-src"] == ["'self'"], where
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY, where


@pytest.fixture
def portal(province_schema):
    """Thái Nguyên with a published news item, a published procedure and a published answer."""
    site, staff = province_schema("thainguyen")
    item = published(
        staff,
        site=None,
        title="Khánh thành cầu Gia Bảy",
        summary="Cầu mới nối hai bờ sông Cầu.",
        body="<h2>Tiến độ</h2><p>Cầu <strong>hoàn thành</strong> đúng hạn.</p>",
    )
    procedure = procedure_published(staff, code="1.009994", title="Cấp giấy phép xây dựng")
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    question = question_submit(
        topic=topic.slug,
        name="Nguyễn Thị Bình",
        email="binh@example.vn",
        title="Hồ sơ cấp giấy chứng nhận",
        text="Hồ sơ gồm những gì?",
        consent=True,
    )
    question_answer(
        question=question,
        actor=staff.holding("agency_head", agency=site.agency),
        text="Hồ sơ gồm đơn và giấy tờ về đất.",
        channel="portal",
        publish=True,
    )
    return {"item": item, "procedure": procedure, "site": site, "staff": staff}


CITIZEN_PAGES = {
    "home": "/",
    "news": "/tin-tuc/",
    "legal basis": "/co-so-phap-ly/",
    "search": "/tim-kiem/?q=cau",
    "nothing found": "/tim-kiem/?q=khongcogica",
    "procedures": "/thu-tuc/",
    "a procedure": "/thu-tuc/1.009994/",
    "questions": "/hoi-dap/",
    "question form": "/hoi-dap/gui/",
    "tracking form": "/hoi-dap/tra-cuu/",
    "documents": "/van-ban/",
    "drafts": "/du-thao/",
    "contacts": "/lien-he/",
    "English home": "/en/",
    "English contacts": "/en/contacts/",
    "no such page": "/khong-co-trang-nay/",
}


def test_no_citizens_page_has_inline_code_and_each_carries_the_strict_policy(portal):
    # given a portal with an article, a procedure and an answered question
    item = portal["item"]
    pages = {**CITIZEN_PAGES, "the article": f"/bai-viet/{item.slug}/"}
    client = host_client(TN)
    home = client.get("/").content.decode()
    # every section of the portal's menu too (its required sections)
    for path in sorted(set(re.findall(r'href="(/chuyen-muc/[^"?#]+/)"', home))):
        pages[f"section {path}"] = path

    for name, path in pages.items():
        # when a citizen opens it, fresh and then from the page cache
        for attempt in ("rendered", "cached"):
            response = client.get(path)
            # then it runs no inline code and its header allows none
            assert_strict_page(response, f"{name} ({path}, {attempt})")
    assert any(name.startswith("section") for name in pages), "the menu lists no section"
    assert client.get(f"/bai-viet/{item.slug}/").status_code == 200
    assert client.get("/khong-co-trang-nay/").status_code == 404


def test_the_component_site_and_other_provinces_have_no_inline_code_either(portal):
    for host in (
        str(portal["site"]).split(".")[0] + ".thainguyen.localhost",
        "hagiang.localhost",
        PLATFORM,
    ):
        assert_strict_page(host_client(host).get("/" if host != PLATFORM else "/login/"), host)


def test_staff_pages_the_editor_included_have_no_inline_code(portal):
    # given a signed-in author of the portal's news
    client = signed_in(TN, item_author(portal["staff"], on_portal=True))
    pages = (
        "/staff/",
        "/staff/items/",
        "/staff/items/new/?kind=news",
        "/staff/queue/",
        # the account's security page and the second factor's enrolment with its QR code
        "/staff/bao-mat/",
        "/staff/bao-mat/dang-ky/",
    )
    for path in pages:
        # when they open a back-office page
        response = client.get(path, follow=True)
        # then it has no inline code: the editor runs from its own static files
        assert response.status_code == 200, path
        assert inline_code(response.content.decode()) == [], path
        assert directives(response)["style-src"] == ["'self'"], path


@pytest.mark.without_services
def test_the_enrolments_qr_code_is_markup_the_policy_allows():
    # the QR code of the second factor's enrolment is SVG drawn in the page: no style, no script
    from frontend.views.two_factor import _qr_svg

    svg = str(_qr_svg("otpauth://totp/Portal:an?secret=JBSWY3DPEHPK3PXP&issuer=Portal"))
    assert svg.startswith("<svg ")
    assert inline_code(svg) == []


def test_every_directive_of_the_policy(tenant_db):
    response = host_client(TN).get("/")
    policy = directives(response)
    assert policy == {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
    assert "unsafe" not in response[CSP]
    assert "Reporting-Endpoints" not in response
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "path",
    ["/healthz", "/api/v1/province/", "/static/frontend/site.css", "/robots.txt", "/rss.xml"],
)
def test_every_response_carries_both_headers(tenant_db, path):
    response = host_client(TN).get(path)
    assert response.status_code == 200, path
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert "frame-ancestors 'none'" in response[CSP]


def test_the_permissions_policy_denies_the_powerful_features(tenant_db):
    header = host_client(TN).get("/")["Permissions-Policy"]
    features = dict(item.split("=") for item in header.split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial"):
        assert features[feature] == "()", feature
    assert features["bluetooth"] == features["browsing-topics"] == "()"
    assert set(features.values()) == {"()"}


def test_a_page_that_asks_for_a_nonce_gets_one_in_its_header(rf):
    # given a view that gives an inline script the request's nonce (a staff page might)
    from django.http import HttpResponse

    from config.middleware import ContentSecurityPolicyMiddleware

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')

    middleware = ContentSecurityPolicyMiddleware(view)
    request = rf.get("/")
    # when it is rendered
    response = middleware(request)
    # then the header allows that script and no other
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert directives(response)["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    # and another request gets another nonce
    again = middleware(rf.get("/"))
    assert re.search(r'nonce="([^"]+)"', again.content.decode()).group(1) != nonce


def test_the_emc_scripts_origin_is_allowed_only_when_configured(tenant_db, settings):
    # given the EMC script is configured (production)
    settings.PORTAL_EMC_SCRIPT_URL = "https://emc.example.gov.vn:8443/embed/tracking.js?v=2"
    # when a page is served
    policy = directives(host_client("backan.localhost").get("/"))
    # then its origin (no path) may serve scripts and receive the page views
    origin = "https://emc.example.gov.vn:8443"
    assert policy["script-src"] == ["'self'", origin]
    assert policy["connect-src"] == ["'self'", origin]
    assert policy["img-src"] == ["'self'", "data:", origin]
    assert policy["style-src"] == ["'self'"]
    # a value that is no http(s) URL adds nothing
    settings.PORTAL_EMC_SCRIPT_URL = "javascript:alert(1)"
    assert directives(host_client(TN).get("/"))["script-src"] == ["'self'"]


def test_violations_are_reported_where_configured(tenant_db, settings):
    settings.PORTAL_CSP_REPORT_URI = "https://reports.example.gov.vn/csp"
    response = host_client(TN).get("/")
    policy = directives(response)
    assert policy["report-uri"] == ["https://reports.example.gov.vn/csp"]
    assert policy["report-to"] == ["csp"]
    assert response["Reporting-Endpoints"] == 'csp="https://reports.example.gov.vn/csp"'


# --- the profile's colour as a stylesheet -------------------------------------------------------


def test_the_page_links_the_stylesheet_of_its_profiles_colour(tenant_db):
    from provinces.loader import resolve_profile

    colour = brand_colours(resolve_profile("thainguyen").portal.colour)
    html = host_client(TN).get("/").content.decode()
    href = f"/giao-dien/{colour['brand'][1:]}.css"
    assert f'<link rel="stylesheet" href="{href}">' in html
    sheet = host_client(TN).get(href)
    assert sheet.status_code == 200
    assert sheet["Content-Type"] == "text/css; charset=utf-8"
    assert sheet.content.decode() == (
        f":root {{ --brand: {colour['brand']}; --brand-dark: {colour['brand_dark']}; }}\n"
    )
    assert sheet["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("colour", ["ffcc00", "FFFFFF", "0b5e3", "0b5e3b0", "zzzzzz"])
def test_a_colour_the_portal_would_never_use_has_no_stylesheet(tenant_db, colour):
    # yellow and white under white text read below 4.5:1; the others are no colour
    assert host_client(TN).get(f"/giao-dien/{colour}.css").status_code == 404


def test_the_error_pages_link_the_stylesheet_too(tenant_db):
    html = host_client(TN).get("/khong-co-trang-nay/").content.decode()
    assert re.search(r'<link rel="stylesheet" href="/giao-dien/[0-9a-f]{6}\.css">', html)


# --- the API's documentation page ---------------------------------------------------------------


@override_settings(DEBUG=False)
def test_the_api_documentation_runs_without_inline_code(tenant_db):
    client = host_client(TN)
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert inline_code(html) == []
    assert "/static/api/swagger_ui.css" in html
    # its start-up code is a script of its own, from the same host
    script = re.search(r'<script src="(/api/v1/docs/\?[^"]*script=[^"]*)"', html)
    assert script, html
    code = client.get(script.group(1).replace("&amp;", "&"))
    assert code.status_code == 200
    assert code["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in code.content.decode()
    assert directives(page)["script-src"] == ["'self'"]
