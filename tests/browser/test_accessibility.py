"""axe-core (WCAG 2.1 A and AA) finds no serious or critical violation on the pages citizens
use most, on a phone (375 px) and on a desktop (1280 px); none of them loads anything from
another origin.

With PORTAL_SCREENSHOTS=<folder> the portal home is also saved there as home-375.png and
home-1280.png (`PORTAL_SCREENSHOTS=docs/screenshots ./ops/test tests/browser`)."""

import os
from pathlib import Path

import pytest

from tests.browser.chromium import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.without_services]

PORTAL = "thainguyen.localhost"
COMPONENT_SITE = "sotttt.thainguyen.localhost"
NARROWEST = 320


def first_article_path(browser) -> str:
    """The newest article of the portal's news list."""
    browser.visit(PORTAL, "/tin-tuc/")
    articles = [path for _, path in browser.links() if path.startswith("/bai-viet/")]
    assert articles, "the news list links no article"
    return articles[0]


PAGES = {
    "home": lambda browser: (PORTAL, "/"),
    "article": lambda browser: (PORTAL, first_article_path(browser)),
    "search results": lambda browser: (PORTAL, "/tim-kiem/?q=dat+dai"),
    "legal documents": lambda browser: (PORTAL, "/van-ban/"),
    "question form": lambda browser: (PORTAL, "/hoi-dap/gui/"),
    "component site home": lambda browser: (COMPONENT_SITE, "/"),
}


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=lambda width: f"{width}px")
@pytest.mark.parametrize("page", list(PAGES))
def test_no_serious_or_critical_accessibility_violation(browser, page, width):
    # given the page, laid out at the width
    host, path = PAGES[page](browser)
    browser.width(width)

    # when a visitor opens it
    browser.visit(host, path)

    # then axe-core finds nothing serious or critical, and nothing came from elsewhere
    violations = browser.blocking_violations()
    assert not violations, f"{page} ({host}{path}) at {width} px:\n" + "\n".join(
        violation.describe() for violation in violations
    )
    assert browser.foreign_requests() == []
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
