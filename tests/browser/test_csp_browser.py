"""The Content-Security-Policy in real Chromium (issue 13, must-have 3): the pages citizens,
staff and operators use run under the strict policy without a single violation — the rich-text
editor included — and the policy really is enforced (an injected inline script does not run).

Violations are caught twice: by a `securitypolicyviolation` listener Chromium installs before
the page's own code (DevTools' addScriptToEvaluateOnNewDocument runs outside the page's policy;
no script of ours is added to the page), and in Chromium's console log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.chromium import WAIT_SECONDS, Browser
from tests.browser.conftest import _database_settings
from tests.browser.test_staff_days import Day

pytestmark = pytest.mark.browser

PORTAL = "thainguyen.localhost"
PLATFORM = "platform.localhost"
OPERATOR = "vanhanh"
OPERATOR_PASSWORD = "Van-hanh-cong-thong-tin-2026!"

LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    event.effectiveDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + event.sourceFile + ":" + event.lineNumber
  );
});
"""


@pytest.fixture
def watched(browser: Browser) -> Browser:
    """The browser, recording every CSP violation of every page it opens from now on."""
    added = browser.driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": LISTENER}
    )
    browser.driver.get_log("browser")  # drop what earlier tests left in the log
    yield browser
    browser.driver.execute_cdp_cmd(
        "Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]}
    )


# Features of the Permissions-Policy that Chromium knows only on some systems (Web Bluetooth and
# Web Share are in Chrome on Windows, macOS and Android, not in Chromium on Linux).
ELSEWHERE_ONLY = ("'bluetooth'", "'web-share'")


def violations(browser: Browser) -> list[str]:
    """The CSP violations of the page shown now, from the listener and from the console, and
    any Permissions-Policy feature Chromium does not know."""
    seen = browser.driver.execute_script("return window.__cspViolations || [];")
    logged = [
        entry["message"]
        for entry in browser.driver.get_log("browser")
        if "Content Security Policy" in entry["message"]
        or (
            "Permissions-Policy" in entry["message"]
            and not entry["message"].endswith(tuple(f"{name}." for name in ELSEWHERE_ONLY))
        )
    ]
    return [*seen, *logged]


def first_link(browser: Browser, path: str, css: str) -> str:
    browser.visit(PORTAL, path)
    links = [link.get_attribute("pathname") for link in browser.all(css)]
    assert links, f"{path} has no link {css}"
    return links[0]


CITIZEN_PAGES = {
    "home": lambda browser: "/",
    "article": lambda browser: first_link(browser, "/tin-tuc/", "main a[href*='/bai-viet/']"),
    "question form": lambda browser: "/hoi-dap/gui/",
    "a procedure": lambda browser: first_link(browser, "/thu-tuc/", "main table.procedures td a"),
    "search": lambda browser: "/tim-kiem/?q=dat+dai",
    "English home": lambda browser: "/en/",
}


@pytest.mark.parametrize("page", list(CITIZEN_PAGES))
def test_citizens_pages_run_without_a_violation(watched, page):
    # given a citizen's page
    path = CITIZEN_PAGES[page](watched)
    # when it opens, twice (the second time from the caches)
    for _ in range(2):
        watched.visit(PORTAL, path)
        # then the policy blocked nothing, and the page has its province's colour
        assert violations(watched) == [], f"{page} ({path})"
    brand = watched.driver.execute_script(
        "return getComputedStyle(document.documentElement).getPropertyValue('--brand').trim();"
    )
    assert brand.startswith("#"), brand


def test_the_question_form_sends_under_the_policy(watched):
    # given the question form, its scripts running (forms.js)
    watched.visit(PORTAL, "/hoi-dap/gui/")
    # when a citizen sends it empty
    watched.driver.execute_script("document.querySelector('main form').noValidate = true;")
    button = watched.find("main form button[type=submit]")
    watched.scroll_to(button)
    button.click()
    # then the form comes back with its errors (form-action 'self' allowed the post), and that
    # page has no violation either
    WebDriverWait(watched.driver, WAIT_SECONDS).until(lambda driver: driver.title.startswith("Lỗi"))
    assert watched.status() == 400
    assert violations(watched) == []


def test_the_staff_sign_in_and_the_rich_text_editor_run_without_a_violation(watched):
    # given the staff sign-in page
    watched.visit(PORTAL, "/staff/login/")
    assert violations(watched) == []
    # when an updater signs in and opens the editor for a news item
    day = Day(watched, "thainguyen")
    day.sign_in("demo_portal_updater")
    assert violations(watched) == []
    watched.visit(PORTAL, "/staff/items/new/?kind=news")
    surface = watched.find(".rich-text-editor[data-ready] .ql-editor")
    watched.scroll_to(surface)
    surface.click()
    surface.send_keys("Cầu mới khánh thành")
    # then Quill runs (it typed into the form's field) and nothing was blocked
    body = watched.driver.execute_script("return document.getElementById('id_body').value;")
    assert "Cầu mới khánh thành" in body
    assert violations(watched) == []


def test_the_operators_console_runs_without_a_violation(watched):
    # given the operator console's sign-in page on the platform host
    watched.visit(PLATFORM, "/login/")
    assert violations(watched) == []
    # when the demo operator signs in, changes the one-time password, and goes on to the
    # page that follows (the second factor's enrolment with its QR code, or the console)
    watched.find("input[name=username]").send_keys(OPERATOR)
    watched.find("input[name=password]").send_keys(_operator_password())
    watched.submit()
    assert violations(watched) == []
    if "/password/" in watched.path():
        watched.find("input[name=old_password]").send_keys(_operator_password())
        watched.find("input[name=new_password1]").send_keys(OPERATOR_PASSWORD)
        watched.find("input[name=new_password2]").send_keys(OPERATOR_PASSWORD)
        watched.submit()
    # then no page of the way blocked anything
    assert violations(watched) == [], watched.path()
    assert "/login/" not in watched.path()


def test_the_api_documentation_runs_under_the_policy(watched):
    watched.visit(PORTAL, "/api/v1/docs/")
    watched.find("#swagger-ui .information-container, #swagger-ui .info")
    assert violations(watched) == []


def test_the_policy_is_enforced(watched):
    # given a portal page
    watched.visit(PORTAL, "/")
    # when something manages to put an inline script and an inline style into it
    ran = watched.driver.execute_async_script(
        "const done = arguments[0];"
        "window.__ran = false;"
        "const script = document.createElement('script');"
        "script.textContent = 'window.__ran = true;';"
        "document.body.appendChild(script);"
        "const style = document.createElement('style');"
        "style.textContent = 'body { display: none; }';"
        "document.head.appendChild(style);"
        "setTimeout(() => done([window.__ran, getComputedStyle(document.body).display]), 200);"
    )
    # then neither took effect, and both were reported
    assert ran[0] is False
    assert ran[1] != "none"
    found = violations(watched)
    assert any("script-src" in line for line in found), found
    assert any("style-src" in line for line in found), found


def _operator_password() -> str:
    database = _database_settings()
    store = Path(settings.VAR_DIR) / "demo-logins" / f"{database['NAME']}-{database['PORT']}.json"
    return json.loads(store.read_text())[f"platform:{OPERATOR}"]
