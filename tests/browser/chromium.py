"""Headless Chromium for the browser tests: starting it without Selenium Manager, a `Browser`
that visits the running portal at a given width, axe-core checks and screenshots."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

if TYPE_CHECKING:
    from tests.browser.conftest import Portal

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.1 levels A and AA (axe-core's tags); the bar: no serious or critical finding.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
WAIT_SECONDS = 15
DESKTOP = 1280
PHONE = 375


def start_chromium(*, chromium: str, chromedriver: str) -> webdriver.Chrome:
    """Debian's Chromium through Debian's chromedriver. Both paths are given, so Selenium
    Manager never runs (and, offline, could not download anything if it did)."""
    os.environ.setdefault("SE_OFFLINE", "true")
    os.environ.setdefault("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        # CI runs as root, where Chromium's sandbox cannot start.
        "--no-sandbox",
        "--disable-dev-shm-usage",
        # Every province and component-site host answers on the loopback server.
        "--host-resolver-rules=MAP *.localhost 127.0.0.1",
        f"--window-size={DESKTOP},900",
        "--force-device-scale-factor=1",
        "--hide-scrollbars",
        "--lang=vi-VN",
        # No request leaves the machine: no updates, sync, field trials or safe browsing.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    # Pages scroll smoothly unless the visitor asked for less motion: ask, so that a click
    # never lands on an element still scrolling into view (and screenshots are stable).
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]},
    )
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def _left_the_page(error: WebDriverException) -> bool:
    """The element's page is gone. chromedriver says so with a stale-element error, or, when
    the new page arrives while it is looking, with an inspector error that names the node."""
    return isinstance(error, StaleElementReferenceException) or (
        "does not belong to the document" in str(error)
    )


def _replaced(old: WebElement) -> Callable[[webdriver.Chrome], bool]:
    """A wait condition: the page that held `old` has been replaced (Selenium's own
    staleness_of takes chromedriver's inspector error for a failure)."""

    def check(_driver: webdriver.Chrome) -> bool:
        try:
            old.is_enabled()
        except WebDriverException as error:
            if _left_the_page(error):
                return True
            raise
        return False

    return check


@dataclass(frozen=True)
class Violation:
    id: str
    impact: str
    help: str
    help_url: str
    targets: list[str]
    summaries: list[str]

    def describe(self) -> str:
        lines = [f"- {self.id} ({self.impact}): {self.help} <{self.help_url}>"]
        for target, summary in zip(self.targets[:5], self.summaries[:5], strict=True):
            first = summary.splitlines()[1] if summary.count("\n") else summary
            lines.append(f"    {target}: {first.strip()[:200]}")
        if len(self.targets) > 5:
            lines.append(f"    … and {len(self.targets) - 5} more")
        return "\n".join(lines)


class Browser:
    """The session's Chromium, pointed at the running portal."""

    def __init__(self, driver: webdriver.Chrome, portal: Portal):
        self.driver = driver
        self.portal = portal

    # --- navigation ---------------------------------------------------------------------

    def reset(self) -> None:
        """A new visitor: no cookies, desktop width, a blank page."""
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        self.width(DESKTOP)
        self.driver.get("about:blank")

    def width(self, pixels: int, height: int = 900) -> None:
        """Lay pages out at `pixels` CSS pixels wide (a phone's viewport below 600)."""
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": pixels, "height": height, "deviceScaleFactor": 1, "mobile": pixels < 600},
        )

    def visit(self, host: str, path: str = "/") -> None:
        """Open `path` on `host` (e.g. "thainguyen.localhost") and expect a 200."""
        self.driver.get(self.portal.url(host, path))
        self.expect_ok()

    def expect_ok(self) -> None:
        status = self.status()
        log = f"\nserver log:\n{self.portal.log_tail(20)}" if status >= 500 else ""
        assert status == 200, f"{self.driver.current_url} answered {status}: {self.title()!r}{log}"

    def status(self) -> int:
        """The HTTP status of the page now shown (Chromium's Navigation Timing)."""
        return int(
            self.driver.execute_script(
                "const nav = performance.getEntriesByType('navigation')[0];"
                "return nav ? nav.responseStatus : 0;"
            )
        )

    def path(self) -> str:
        return self.driver.execute_script("return location.pathname + location.search;")

    def title(self) -> str:
        return self.driver.title

    def heading(self) -> str:
        return self.find("h1").text.strip()

    def find(self, css: str) -> WebElement:
        return WebDriverWait(self.driver, WAIT_SECONDS).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
        )

    def all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def links(self, css: str = "main a[href]") -> list[tuple[str, str]]:
        """(visible text, path) of the links matching `css`, in page order."""
        return [(link.text.strip(), link.get_attribute("pathname") or "") for link in self.all(css)]

    def scroll_to(self, element: WebElement) -> None:
        self.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element
        )

    def click(self, element: WebElement) -> None:
        """Click as a person would (scrolled into view first), then wait for the new page."""
        self.scroll_to(element)
        self._navigate(element.click)

    def submit(self, button_css: str = "main form button[type=submit]") -> None:
        self.click(self.find(button_css))

    def search(self, words: str) -> None:
        """Type `words` into the page's first search box and press Enter."""
        box = self.find("form[role=search] input[type=search]")
        box.clear()
        self._navigate(lambda: box.send_keys(words, Keys.ENTER))

    def back(self) -> None:
        self._navigate(self.driver.back)

    def _navigate(self, action: Callable[[], object]) -> None:
        """Do what leads to another page, wait until it has replaced this one, expect a 200."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        try:
            action()
        except WebDriverException as error:
            # The next page replaced this one before chromedriver finished its own checks on
            # the element clicked: that is the navigation asked for.
            if not _left_the_page(error):
                raise
        WebDriverWait(self.driver, WAIT_SECONDS).until(_replaced(old))
        self.expect_ok()

    def field(self, label: str) -> WebElement:
        """The form field whose <label> reads `label` (a hint such as "(không bắt buộc)" may
        follow), as a person finds it."""
        for candidate in self.all("main label[for]"):
            if candidate.text.strip().startswith(label):
                return self.driver.find_element(By.ID, candidate.get_attribute("for"))
        raise AssertionError(f"no field labelled {label!r} on {self.path()}")

    def fill(self, label: str, text: str) -> None:
        field = self.field(label)
        field.clear()
        field.send_keys(text)

    def choose(self, label: str, option: str) -> None:
        """Pick the option that reads `option` in the list labelled `label`."""
        Select(self.field(label)).select_by_visible_text(option)

    def options(self, label: str) -> list[tuple[str, str]]:
        """(value, visible text) of each option with a value in the list labelled `label`."""
        return [
            (option.get_attribute("value"), option.text.strip())
            for option in Select(self.field(label)).options
            if option.get_attribute("value")
        ]

    def tick(self, label: str) -> None:
        box = self.field(label)
        if not box.is_selected():
            self.scroll_to(box)
            box.click()

    def link(self, text: str) -> WebElement:
        """The link in the page's main content that reads `text`."""
        for candidate in self.all("main a[href]"):
            if candidate.text.strip() == text:
                return candidate
        raise AssertionError(f"no link {text!r} on {self.path()}")

    def text(self, css: str = "main") -> str:
        return self.find(css).text

    def foreign_requests(self) -> list[str]:
        """Every resource the page loaded from anywhere but its own origin."""
        return self.driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
            ".filter(name => !name.startsWith(location.origin + '/'));"
        )

    def missing_resources(self) -> list[str]:
        """Every stylesheet, script, image or font of the page that answered an error."""
        return self.driver.execute_script(
            "return performance.getEntriesByType('resource')"
            ".filter(e => e.responseStatus >= 400).map(e => e.name + ' ' + e.responseStatus);"
        )

    # --- accessibility ------------------------------------------------------------------

    def axe(self) -> list[Violation]:
        """axe-core's WCAG 2.1 A/AA violations on the page as shown now."""
        if not self.driver.execute_script("return typeof window.axe === 'object';"):
            self.driver.execute_script(AXE.read_text(encoding="utf-8"))
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},"
            " resultTypes: ['violations']})"
            ".then(r => done({violations: r.violations.map(v => ({"
            " id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,"
            " targets: v.nodes.map(n => n.target.join(' ')),"
            " summaries: v.nodes.map(n => n.failureSummary || '')}))}))"
            ".catch(e => done({error: String(e)}));",
            WCAG_TAGS,
        )
        assert "error" not in result, f"axe-core failed on {self.path()}: {result['error']}"
        return [
            Violation(
                id=row["id"],
                impact=row["impact"] or "unknown",
                help=row["help"],
                help_url=row["helpUrl"],
                targets=row["targets"],
                summaries=row["summaries"],
            )
            for row in result["violations"]
        ]

    def blocking_violations(self) -> list[Violation]:
        return [violation for violation in self.axe() if violation.impact in BLOCKING]

    # --- screenshots --------------------------------------------------------------------

    def screenshot(self, path: Path) -> None:
        """The whole page, top to bottom, at the current width, as PNG."""
        size = self.driver.execute_script(
            "return [document.documentElement.clientWidth,"
            " Math.min(document.documentElement.scrollHeight, 8000)];"
        )
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1},
            },
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
