"""The paperwork pages in real Chromium (issue 14): Thái Nguyên's editor-in-chief opens last
month's report the platform drafted, signs it off, and reads the figures, costs, compliance
and royalty pages; axe-core finds no serious or critical violation on any of them at 375 and
1280 px, and nothing loads from another origin."""

from __future__ import annotations

import pytest

from tests.browser.chromium import DESKTOP, PHONE
from tests.browser.test_staff_days import Day

pytestmark = pytest.mark.browser

PAGES = (
    "/staff/bao-cao/",
    "/staff/so-lieu/",
    "/staff/kinh-phi/",
    "/staff/tuan-thu/",
    "/staff/nhuan-but/",
)


def _accessible(chief: Day, what: str) -> None:
    browser = chief.browser
    for width in (PHONE, DESKTOP):
        browser.width(width)
        violations = browser.blocking_violations()
        assert not violations, f"{what} at {width} px:\n" + "\n".join(
            violation.describe() for violation in violations
        )
    assert browser.foreign_requests() == []
    assert browser.missing_resources() == []


def test_the_editor_in_chief_signs_off_last_months_report(browser):
    chief = Day(browser, "thainguyen")
    chief.sign_in("demo_editor_in_chief")

    # given the reports the platform drafted from last month's records (tenants.demo)
    chief.get("/staff/bao-cao/")
    _accessible(chief, "the reports")
    drafted = [
        link
        for link in browser.all("main table a[href*='/staff/bao-cao/']")
        if link.get_attribute("pathname").rstrip("/").split("/")[-1].isdigit()
    ]
    assert drafted, browser.text()

    # when the chief opens one and signs it off with a note
    chief.click(drafted[0])
    _accessible(chief, "a report")
    assert "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in browser.text()
    browser.find("textarea[name=note]").send_keys("Đã xem, gửi Ủy ban nhân dân tỉnh.")
    chief.click(chief.button("Ký duyệt báo cáo"))

    # then the page records who signed and when, and offers no second sign-off
    page = browser.text()
    assert "Demo Tổng Biên tập" in page, page
    assert "Đã xem, gửi Ủy ban nhân dân tỉnh." in page
    assert not [b for b in browser.all("main button") if b.text == "Ký duyệt báo cáo"]


@pytest.mark.parametrize("path", PAGES[1:])
def test_the_paperwork_pages_are_accessible(browser, path):
    chief = Day(browser, "thainguyen")
    chief.sign_in("demo_editor_in_chief")
    chief.get(path)
    browser.expect_ok()
    _accessible(chief, path)
