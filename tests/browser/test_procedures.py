"""The public-service catalogue in a real browser (issue 11): a citizen on Thái Nguyên's portal
opens "Thủ tục hành chính" from the menu, searches without diacritics, opens the procedure,
reads its dossier and downloads its form; the list and the page pass axe-core at both widths.

The procedures are the demo catalogue `seed_demo` publishes (tenants/demo/procedures.toml)."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from selenium.webdriver import ActionChains

from tests.browser.chromium import DESKTOP, PHONE

pytestmark = pytest.mark.browser

PORTAL = "thainguyen.localhost"
MENU_ENTRY = "Thủ tục hành chính"
# The demo's construction permit for a house, with its form (Mẫu số 01).
PERMIT = "Cấp giấy phép xây dựng nhà ở riêng lẻ"
PERMIT_PATH = "/thu-tuc/2.002154.000.00.00.H00/"
APPLICATION = "Đơn đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ"
FORM = "Mẫu số 01 Phụ lục II Nghị định 15/2021/NĐ-CP"
DOWNLOAD_SECONDS = 10


def result_titles(browser) -> list[str]:
    return [link.text.strip() for link in browser.all("table.procedures tbody td:first-child a")]


def assert_accessible(browser, what: str) -> None:
    violations = browser.blocking_violations()
    assert not violations, f"{what} ({browser.path()}):\n" + "\n".join(
        violation.describe() for violation in violations
    )


def downloaded(folder: Path) -> Path:
    """The file Chromium saved in `folder`, once it has finished writing it."""
    deadline = time.monotonic() + DOWNLOAD_SECONDS
    while time.monotonic() < deadline:
        files = [f for f in folder.iterdir() if not f.name.endswith(".crdownload")]
        if files:
            return files[0]
        time.sleep(0.1)
    raise AssertionError(f"nothing downloaded into {folder} in {DOWNLOAD_SECONDS} s")


def test_a_citizen_finds_a_procedure_without_diacritics_and_downloads_its_form(browser, tmp_path):
    # given the portal's home page
    browser.visit(PORTAL, "/")

    # when a citizen opens "Thủ tục hành chính" from the menu, unfolding it first where the
    # page folds it. A wide page shows its menu open from CSS (::details-content) while the
    # <details> stays closed, which WebDriver reads as hidden: the link is found by its text
    # content and clicked where it shows, as a mouse does.
    entry = next(
        (
            link
            for link in browser.all("nav.site-nav a[href]")
            if link.get_attribute("textContent").strip() == MENU_ENTRY
        ),
        None,
    )
    assert entry is not None, f"the menu has no entry {MENU_ENTRY!r}"
    menu = browser.find("details.site-menu > summary")
    if menu.is_displayed():
        menu.click()
    browser._navigate(ActionChains(browser.driver).move_to_element(entry).click().perform)

    # then the catalogue lists the province's procedures
    assert browser.path().startswith("/thu-tuc/")
    assert browser.heading() == MENU_ENTRY
    assert len(result_titles(browser)) >= 10, "the demo catalogue lists fewer than 10"

    # when they search for "cap giay phep xay dung", typed without diacritics
    browser.fill("Tên thủ tục hoặc từ khoá", "cap giay phep xay dung")
    browser.submit("form.procedure-search button[type=submit]")

    # then the construction permits come first, written with their diacritics
    titles = result_titles(browser)
    assert titles, "nothing found for “cap giay phep xay dung”"
    assert titles[0].startswith("Cấp giấy phép xây dựng"), titles
    assert PERMIT in titles

    # and the results page passes axe-core
    assert_accessible(browser, "the catalogue's results")

    # when they open the permit for a house
    browser.click(next(link for link in browser.all("table.procedures a") if link.text == PERMIT))

    # then its page shows the procedure, its agency and its dossier with copies to bring
    assert browser.path() == PERMIT_PATH
    assert browser.heading() == PERMIT
    facts = browser.text(".item-facts")
    assert "2.002154.000.00.00.H00" in facts
    assert "Ủy ban nhân dân huyện" in facts  # the implementing agency, a district's
    dossier = browser.text("table.procedure-dossier")
    assert APPLICATION in dossier
    assert "Hai bộ bản vẽ thiết kế xây dựng" in dossier

    # and the page passes axe-core on a phone and on a desktop
    for width in (PHONE, DESKTOP):
        browser.width(width)
        assert_accessible(browser, f"the procedure's page at {width} px")

    # when they download the application form the dossier links
    link = next((a for a in browser.all("table.procedure-dossier a[href]") if FORM in a.text), None)
    assert link is not None, f"no link to download {FORM!r}"
    browser.driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    browser.scroll_to(link)
    link.click()

    # then they get the form: a Word document with the form's name in it
    form = downloaded(tmp_path)
    assert form.suffix == ".docx"
    with zipfile.ZipFile(form) as document:
        text = document.read("word/document.xml").decode("utf-8")
    assert FORM in text
    assert PERMIT in text
