"""axe-core (WCAG 2.1 A and AA) finds no serious or critical violation on the pages citizens
read and fill in, on a phone (375 px) and on a desktop (1280 px); none of them loads anything
from another origin or misses a file it links; a keyboard user skips straight to the content.

With PORTAL_SCREENSHOTS=<folder> the portal home is also saved there as home-375.png and
home-1280.png (`PORTAL_SCREENSHOTS=docs/screenshots ./ops/test tests/browser`)."""

import os
from pathlib import Path

import pytest
from selenium.webdriver.common.keys import Keys

from tests.browser.chromium import DESKTOP, PHONE

pytestmark = pytest.mark.browser

PORTAL = "thainguyen.localhost"
COMPONENT_SITE = "sotttt.thainguyen.localhost"
OTHER_PROVINCE = "dongnai.localhost"
NARROWEST = 320


def first_link(browser, path: str, css: str) -> str:
    """The path of the first link matching `css` on `path` of the portal."""
    browser.visit(PORTAL, path)
    links = [link.get_attribute("pathname") for link in browser.all(css)]
    assert links, f"{path} has no link {css}"
    return links[0]


# The pages the issue names, then every other page a citizen reads or fills in.
PAGES = {
    "home": lambda browser: (PORTAL, "/"),
    "article": lambda browser: (
        PORTAL,
        first_link(browser, "/tin-tuc/", "main a[href*='/bai-viet/']"),
    ),
    "search results": lambda browser: (PORTAL, "/tim-kiem/?q=dat+dai"),
    "legal documents": lambda browser: (PORTAL, "/van-ban/"),
    "question form": lambda browser: (PORTAL, "/hoi-dap/gui/"),
    "component site home": lambda browser: (COMPONENT_SITE, "/"),
    "a legal document": lambda browser: (
        PORTAL,
        first_link(browser, "/van-ban/", "table.documents td.document-number a"),
    ),
    "drafts": lambda browser: (PORTAL, "/du-thao/"),
    "a draft and its comment form": lambda browser: (
        PORTAL,
        first_link(browser, "/du-thao/", "main article h3 a"),
    ),
    "news": lambda browser: (PORTAL, "/tin-tuc/"),
    "nothing found": lambda browser: (PORTAL, "/tim-kiem/?q=khongcogica"),
    "contacts": lambda browser: (PORTAL, "/lien-he/"),
    "answered questions": lambda browser: (PORTAL, "/hoi-dap/"),
    "tracking form": lambda browser: (PORTAL, "/hoi-dap/tra-cuu/"),
    "legal basis": lambda browser: (PORTAL, "/co-so-phap-ly/"),
    "procedures": lambda browser: (PORTAL, "/thu-tuc/?q=giay+phep"),
    "a procedure": lambda browser: (
        PORTAL,
        first_link(browser, "/thu-tuc/", "main table.procedures td a"),
    ),
    "English home": lambda browser: (PORTAL, "/en/"),
    "English contacts": lambda browser: (PORTAL, "/en/contacts/"),
    "another province's home": lambda browser: (OTHER_PROVINCE, "/"),
}


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=lambda width: f"{width}px")
@pytest.mark.parametrize("page", list(PAGES))
def test_no_serious_or_critical_accessibility_violation(browser, page, width):
    # given the page, laid out at the width
    host, path = PAGES[page](browser)
    browser.width(width)

    # when a visitor opens it
    browser.visit(host, path)

    # then axe-core finds nothing serious or critical, nothing came from elsewhere and
    # everything the page needs loaded
    violations = browser.blocking_violations()
    assert not violations, f"{page} ({host}{path}) at {width} px:\n" + "\n".join(
        violation.describe() for violation in violations
    )
    assert browser.foreign_requests() == []
    assert browser.missing_resources() == []
    screenshots = os.environ.get("PORTAL_SCREENSHOTS")
    if page == "home" and screenshots:
        browser.screenshot(Path(screenshots) / f"home-{width}.png")


@pytest.mark.parametrize("width", [NARROWEST, PHONE], ids=lambda width: f"{width}px")
def test_the_home_page_fits_a_phone_without_sideways_scrolling(browser, width):
    # given a phone's viewport (the issue asks for layouts from 320 px)
    browser.width(width)

    # when the portal's home page opens
    browser.visit(PORTAL, "/")

    # then nothing is wider than the screen
    overflow = browser.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
    )
    assert overflow <= 0


def test_a_keyboard_user_skips_to_the_main_content(browser):
    # given the portal's home page
    browser.visit(PORTAL, "/")
    body = browser.find("body")

    # when a keyboard user presses Tab once
    body.send_keys(Keys.TAB)

    # then the first thing focused is the skip link, and it shows on screen
    focused = browser.driver.switch_to.active_element
    assert focused.text.strip() == "Bỏ qua, đến nội dung chính"
    top = browser.driver.execute_script("return arguments[0].getBoundingClientRect().top;", focused)
    assert top >= 0

    # when they follow it
    focused.send_keys(Keys.ENTER)

    # then the focus is on the page's main content
    assert browser.driver.switch_to.active_element.get_attribute("id") == "main"
