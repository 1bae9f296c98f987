"""The look of citizen pages: colours that read (WCAG 2.1 AA, computed on the stylesheet's own
declarations), the profile's colour, the page's landmarks and headings, nothing fetched from
elsewhere, and the EMC monitoring code only where it is configured."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from frontend.templatetags.look import brand_colours, theme_style
from provinces.colours import contrast
from provinces.loader import resolve_profile
from provinces.schema import Integration
from tests.conftest import SEED_SLUGS, host_client
from tests.factories.editorial import front_page
from tests.factories.pages import page_text

STATIC = Path(__file__).resolve().parents[2] / "frontend" / "static" / "frontend"
# The stylesheet without its comments (whose commas and braces are not rules).
SITE_CSS = re.sub(r"/\*.*?\*/", "", (STATIC / "site.css").read_text(), flags=re.DOTALL)
AA = 4.5  # WCAG 2.1 SC 1.4.3, normal text


# --- the stylesheet's declared colours ------------------------------------------------------------


def _custom_properties(css: str) -> dict[str, str]:
    root = re.search(r":root\s*\{([^}]*)\}", css).group(1)
    return dict(re.findall(r"--([\w-]+):\s*([^;]+);", root))


def _rule(css: str, selector: str) -> dict[str, str]:
    """The declarations for `selector` as the cascade reads them: every rule whose selector
    list names it exactly, the later winning."""
    found: dict[str, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if selector in (s.strip() for s in selectors.split(",")):
            for name, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body):
                found[name] = value.strip()
    assert found, f"no rule for {selector}"
    return found


def _colour(value: str, properties: dict[str, str]) -> str:
    """A declared colour with var(--x) resolved, as #rrggbb."""
    while (found := re.fullmatch(r"var\(--([\w-]+)\)", value.strip())) is not None:
        value = properties[found.group(1)]
    value = value.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(d * 2 for d in value[1:])
    assert re.fullmatch(r"#[0-9a-f]{6}", value), value
    return value


@pytest.mark.without_services
def test_the_language_links_read_at_4_5_to_1_on_their_declared_background():
    # the inactive language link measured 1.04:1 before: link blue on the brand red; and a
    # link of the header band keeps reading when it has the keyboard's focus
    properties = _custom_properties(SITE_CSS)
    for selector in (".lang-switch a", ".lang-current", ".site-header a:focus-visible"):
        rule = _rule(SITE_CSS, selector)
        text = _colour(rule["color"], properties)
        background = _colour(rule.get("background-color") or rule["background"], properties)
        assert contrast(text, background) >= AA, (selector, text, background)


@pytest.mark.without_services
@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("--text", "#ffffff"),
        ("--muted", "#ffffff"),
        ("--muted", "--surface"),
        ("--link", "#ffffff"),
        ("--link", "--surface"),
        ("--link-visited", "#ffffff"),
        ("--error", "#ffffff"),
        ("--success", "#ffffff"),
        ("--text", "--highlight"),
        ("--text", "--focus"),
        ("#ffffff", "--brand"),
        ("#ffffff", "--brand-dark"),
    ],
)
def test_every_declared_text_colour_reads_at_4_5_to_1(text, background):
    properties = _custom_properties(SITE_CSS)

    def resolve(value: str) -> str:
        return _colour(f"var({value})" if value.startswith("--") else value, properties)

    assert contrast(resolve(text), resolve(background)) >= AA


@pytest.mark.without_services
@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_each_profiles_colour_keeps_the_header_and_the_language_switch_readable(slug):
    colours = brand_colours(resolve_profile(slug).portal.colour)
    assert colours is not None
    # white names and links on the header and the navigation band; the current language in
    # the brand colour on white
    assert contrast("#ffffff", colours["brand"]) >= AA
    assert contrast("#ffffff", colours["brand_dark"]) >= AA


@pytest.mark.without_services
def test_a_colour_white_text_cannot_read_on_or_a_forged_value_is_never_used():
    assert brand_colours("#ffcc00") is None  # yellow: 1.6:1 under white
    assert theme_style("#ffcc00") == ""
    assert theme_style("red; } body { display: none") == ""
    assert theme_style(None) == ""
    assert theme_style("#0B5E3B") == '<link rel="stylesheet" href="/giao-dien/0b5e3b.css">'


@pytest.mark.without_services
def test_the_stylesheets_fetch_nothing_from_elsewhere_and_respect_reduced_motion():
    for sheet in STATIC.glob("*.css"):
        css = sheet.read_text()
        assert "@import" not in css, sheet.name
        assert "@font-face" not in css, sheet.name
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css), sheet.name
    assert "@media (prefers-reduced-motion: reduce)" in SITE_CSS
    assert ":focus-visible" in SITE_CSS


# --- the profile's colour on the pages ----------------------------------------------------------


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_the_profiles_colour_is_the_pages_brand_custom_property(tenant_db, slug):
    colour = resolve_profile(slug).portal.colour
    client = host_client(f"{slug}.localhost")
    for path in ("/", "/tin-tuc/"):
        # the page links the stylesheet of its colour (no inline style: the CSP allows none)
        html = page_text(client.get(path))
        href = f"/giao-dien/{colour.lower()[1:]}.css"
        assert f'<link rel="stylesheet" href="{href}">' in html, path
        assert f"--brand: {colour.lower()};" in client.get(href).content.decode(), path


# --- structure: landmarks, headings, labels, no third party ---------------------------------------


class _Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.headings: list[int] = []
        self.labels: set[str] = set()
        self.fields: list[dict] = []
        self.resources: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in (
            "hidden",
            "submit",
            "button",
        ):
            self.fields.append(attrs)
        if tag in ("script", "img", "iframe") and attrs.get("src"):
            self.resources.append(attrs["src"])
        if tag == "link" and attrs.get("rel") in ("stylesheet", "icon", "preload"):
            self.resources.append(attrs["href"])


def outline(html: str) -> _Outline:
    parser = _Outline()
    parser.feed(html)
    return parser


def assert_accessible_page(html: str) -> None:
    page = outline(html)
    tags = [tag for tag, _ in page.tags]
    # the language, a skip link first, and the landmarks
    assert re.search(r'<html lang="(vi|en)">', html)
    first_link = next(attrs for tag, attrs in page.tags if tag == "a")
    assert first_link == {"class": "skip-link", "href": "#main"}
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in tags, landmark
    assert ("main", {"id": "main", "tabindex": "-1"}) in page.tags
    # one h1, and no heading skips a level
    assert page.headings.count(1) == 1, page.headings
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, page.headings
    # every field has a label or an accessible name
    for field in page.fields:
        assert field.get("id") in page.labels or field.get("aria-label"), field
    # nothing is fetched from another host
    for resource in page.resources:
        assert resource.startswith("/"), resource
        assert not resource.startswith("//"), resource


def test_the_home_pages_have_landmarks_one_h1_ordered_headings_and_labels(province_schema):
    site, staff = province_schema("thainguyen")
    front_page(staff)
    front_page(staff, site=site, prefix="Sở: ")
    for host in ("thainguyen.localhost", site.dev_host):
        assert_accessible_page(page_text(host_client(host).get("/")))


def test_every_page_offers_the_menu_as_a_disclosure_and_a_labelled_search_box(tenant_db):
    client = host_client("hagiang.localhost")
    for path in ("/", "/tin-tuc/", "/hoi-dap/"):
        html = page_text(client.get(path))
        menu = re.search(r'<details class="site-menu">\s*<summary>(.*?)</summary>', html, re.S)
        assert menu, path
        assert "Danh mục" in menu.group(1)
        assert '<nav class="site-nav" aria-label="Điều hướng chính">' in html
        search = re.search(
            r'<form class="site-search[^"]*" role="search" action="/tim-kiem/"', html
        )
        assert search, path
    # the header's box on inner pages, the home page's own larger one instead on the home page
    assert 'id="header-search-q"' in page_text(client.get("/tin-tuc/"))
    home = page_text(client.get("/"))
    assert 'id="header-search-q"' not in home
    assert '<label for="home-search-q">' in home


def test_the_header_shows_the_emblem_slot_and_a_component_sites_parent(tenant_db):
    portal = page_text(host_client("hagiang.localhost").get("/"))
    assert '<img class="brand-emblem" src="/static/frontend/emblem.svg" alt=""' in portal
    site = page_text(host_client("stttt.hagiang.localhost").get("/"))
    assert '<span class="brand-name">Sở Thông tin và Truyền thông</span>' in site
    assert '<span class="brand-over">Cổng Thông tin điện tử tỉnh Hà Giang</span>' in site


# --- the EMC monitoring code -------------------------------------------------------------------


def _emc_profile(site_code: str):
    profile = resolve_profile("backan")
    emc = Integration(
        code="emc",
        name="Hệ thống EMC",
        settings={"site_code": site_code} if site_code else {},
        source="platform default",
    )
    return profile.model_copy(update={"integrations": [emc]})


def _snippet(profile) -> str:
    request = RequestFactory().get("/")
    request._frontend_profile = profile  # what frontend.profiles.profile_for found
    return Template("{% load look %}{% emc_snippet %}").render(Context({"request": request}))


@pytest.mark.without_services
def test_the_emc_code_needs_both_the_profiles_site_code_and_the_platforms_script(settings):
    settings.PORTAL_EMC_SCRIPT_URL = ""
    assert _snippet(_emc_profile("10456")) == ""  # off: development and tests
    settings.PORTAL_EMC_SCRIPT_URL = "https://emc.example.gov.vn/embed/tracking.js"
    assert _snippet(_emc_profile("")) == ""  # the profile names no site code
    snippet = _snippet(_emc_profile("10456"))
    assert 'data-emc-script="https://emc.example.gov.vn/embed/tracking.js"' in snippet
    assert 'data-emc-site="10456"' in snippet
    assert snippet.startswith('<script src="/static/frontend/emc.js"')


def test_a_page_carries_the_emc_code_only_where_configured_and_the_profile_has_a_code(
    tenant_db, settings
):
    # off in development and tests: no page of any province carries it
    for slug in SEED_SLUGS:
        assert "data-emc" not in page_text(host_client(f"{slug}.localhost").get("/"))
    # configured (production): Bắc Kạn's profile gives its EMC site code, Hà Giang's none
    settings.PORTAL_EMC_SCRIPT_URL = "https://emc.example.gov.vn/embed/tracking.js"
    backan = page_text(host_client("backan.localhost").get("/tin-tuc/"))
    assert 'data-emc-site="backan-gov-vn-demo"' in backan
    assert "data-emc" not in page_text(host_client("hagiang.localhost").get("/tin-tuc/"))
