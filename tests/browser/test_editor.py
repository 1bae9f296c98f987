"""The rich-text editor of the staff item form in real Chromium (issue 10, must-have 1).

The page is rendered by Django for a signed-in Thái Nguyên updater (the test client) and served
with the project's static files from a small local server, so that the editor runs exactly the
scripts and stylesheets the page links, and nothing else.

With PORTAL_SCREENSHOTS=<folder> the form is saved as staff-editor-1280.png and
staff-editor-375.png (`PORTAL_SCREENSHOTS=docs/screenshots ./ops/test tests/browser -k editor`)."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from editorial.services import item_create
from tests.browser.chromium import DESKTOP, PHONE, WAIT_SECONDS, Browser
from tests.factories.editorial import item_author
from tests.factories.pages import signed_in

STATIC = Path(__file__).resolve().parents[2] / "frontend" / "static"

WORD_PASTE = (
    '<p class="MsoNormal" style="color:#C00000"><span style="font-family:Arial">Kế hoạch '
    '<b><span lang="VI">năm 2026</span></b></span><o:p></o:p></p>'
    '<h2 style="font-size:18pt"><font color="red">Mục tiêu</font></h2>'
)


class _Pages(SimpleHTTPRequestHandler):
    """/static/… from frontend/static; /form, /preview and the profile's colour stylesheet
    (/giao-dien/…) are what Django answered."""

    pages: dict[str, tuple[bytes, str]] = {}

    def do_GET(self):
        if self.path in self.pages:
            content, content_type = self.pages[self.path]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.end_headers()
            self.wfile.write(content)
            return
        if not self.path.startswith("/static/"):
            self.send_error(404)
            return
        self.path = self.path.removeprefix("/static")
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def form_page(province_schema) -> Iterator[str]:
    site, staff = province_schema("thainguyen")
    author = item_author(staff)
    client = signed_in(site.dev_host, author)
    response = client.get(f"/staff/items/new/?kind=news&site={site.label}")
    assert response.status_code == 200
    item = item_create(
        actor=author,
        site=site,
        kind="news",
        title="Hội nghị tổng kết công tác năm 2026",
        summary="Tỉnh hoàn thành 18/18 chỉ tiêu.",
        body="<h2>Kết quả</h2><p>Năm 2026, tỉnh <strong>hoàn thành</strong> 18/18 chỉ tiêu.</p>"
        "<table><tbody><tr><td>Tăng trưởng</td><td>8,5%</td></tr></tbody></table>",
    )
    preview = client.get(f"/staff/items/{item.pk}/xem-truoc/")
    assert preview.status_code == 200
    pages = {
        "/form": (response.content, response["Content-Type"]),
        "/preview": (preview.content, preview["Content-Type"]),
    }
    for path in set(re.findall(r"/giao-dien/[0-9a-f]{6}\.css", response.content.decode())):
        sheet = client.get(path)
        assert sheet.status_code == 200
        pages[path] = (sheet.content, sheet["Content-Type"])
    handler = type("Pages", (_Pages,), {"pages": pages})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(STATIC)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def editor(chromium, form_page) -> Browser:
    page = Browser(chromium, portal=None)  # type: ignore[arg-type] - not the seeded portal
    page.reset()
    page.driver.get(form_page + "/form")
    WebDriverWait(page.driver, WAIT_SECONDS).until(
        lambda driver: driver.find_elements(By.CSS_SELECTOR, ".rich-text-editor[data-ready]")
    )
    return page


def _body(browser: Browser) -> str:
    return browser.driver.execute_script("return document.getElementById('id_body').value;")


def test_the_editor_replaces_the_textarea_and_writes_html_back_into_it(editor):
    # given the form with the editor in front of the body field
    assert not editor.find("#id_body").is_displayed()
    surface = editor.find(".rich-text-editor .ql-editor")

    # when the author types a heading and a paragraph
    editor.driver.execute_script(
        "document.getElementById('id_body').richTextEditor.setText('Mục một\\nNội dung');"
        "document.getElementById('id_body').richTextEditor.formatLine(0, 1, 'header', 2);"
    )

    # then the textarea the form posts holds the HTML
    assert _body(editor) == "<h2>Mục một</h2><p>Nội dung</p>"
    assert surface.get_attribute("aria-labelledby") == "id_body_label"
    assert editor.foreign_requests() == []
    assert editor.missing_resources() == []


def test_every_toolbar_control_has_a_vietnamese_name(editor):
    names = editor.driver.execute_script(
        "return Array.from(document.querySelectorAll('.ql-toolbar button, .ql-picker-label'))"
        ".map(b => b.getAttribute('aria-label') || b.textContent.trim());"
    )
    assert "" not in names
    for name in ("Chữ đậm", "Chữ nghiêng", "Danh sách đánh số", "Liên kết", "Chèn ảnh"):
        assert name in names
    assert "Chèn bảng" in names


def test_pasted_word_html_loses_its_styles_classes_and_spans(editor):
    # when the author pastes from Word
    editor.driver.execute_script(
        "const data = new DataTransfer(); data.setData('text/html', arguments[0]);"
        "data.setData('text/plain', 'x');"
        "const quill = document.getElementById('id_body').richTextEditor;"
        "quill.focus(); quill.setSelection(0, 0);"
        "const root = document.querySelector('.ql-editor');"
        "root.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,"
        " cancelable: true}));",
        WORD_PASTE,
    )
    WebDriverWait(editor.driver, WAIT_SECONDS).until(lambda driver: "Mục tiêu" in _body(editor))

    # then only the text and its structure reach the field
    html = _body(editor)
    assert "Kế hoạch <strong>năm 2026</strong>" in html
    assert "<h2>Mục tiêu</h2>" in html
    for trace in ("style=", "class=", "<span", "<font", "o:p", "MsoNormal"):
        assert trace not in html


def test_an_image_is_inserted_only_with_alternative_text(editor):
    # given the author answers the address, then an empty description, then a real one
    editor.driver.execute_script(
        "const answers = ['https://thainguyen.gov.vn/anh/cau.png', '  ', 'Cầu Gia Bảy'];"
        "window.prompt = () => answers.shift();"
        "document.querySelector('button.ql-image').click();"
    )
    # then the image carries the description the author gave
    WebDriverWait(editor.driver, WAIT_SECONDS).until(lambda driver: "<img" in _body(editor))
    assert 'src="https://thainguyen.gov.vn/anh/cau.png" alt="Cầu Gia Bảy"' in _body(editor)

    # and cancelling the description inserts nothing
    editor.driver.execute_script(
        "document.getElementById('id_body').richTextEditor.setText('');"
        "const answers = ['https://thainguyen.gov.vn/anh/cau.png', null];"
        "window.prompt = () => answers.shift();"
        "document.querySelector('button.ql-image').click();"
    )
    assert "<img" not in _body(editor)


def test_an_attached_image_is_chosen_by_its_number(editor):
    # given the item has an image attachment (the edit page lists them for the editor)
    editor.driver.execute_script(
        "const data = document.createElement('data'); data.value = '/tep/7/';"
        "data.textContent = 'cau.png';"
        "document.getElementById('rich-text-strings').content.appendChild(data);"
        "const answers = ['1', 'Cầu Gia Bảy']; window.asked = [];"
        "window.prompt = (question) => { window.asked.push(question); return answers.shift(); };"
        "document.querySelector('button.ql-image').click();"
    )
    WebDriverWait(editor.driver, WAIT_SECONDS).until(lambda driver: "<img" in _body(editor))
    assert '<img src="/tep/7/" alt="Cầu Gia Bảy">' in _body(editor)
    assert "1. cau.png" in editor.driver.execute_script("return window.asked[0];")


def test_a_table_is_inserted_from_the_toolbar(editor):
    editor.driver.execute_script("document.querySelector('.ql-editor').focus();")
    editor.find('button.ql-table[value="insert"]').click()
    WebDriverWait(editor.driver, WAIT_SECONDS).until(lambda driver: "<table" in _body(editor))
    assert _body(editor).count("<tr>") == 3


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=lambda width: f"{width}px")
def test_the_editor_has_no_serious_accessibility_violation(editor, width):
    editor.width(width)
    editor.driver.execute_script(
        "document.getElementById('id_title').value = 'Hội nghị tổng kết công tác năm 2026';"
        "const quill = document.getElementById('id_body').richTextEditor;"
        "quill.clipboard.dangerouslyPasteHTML(0, arguments[0]);",
        "<h2>Kết quả</h2><p>Năm 2026, tỉnh <strong>hoàn thành</strong> 18/18 chỉ tiêu.</p>"
        "<ul><li>Tăng trưởng 8,5%</li><li>Thu ngân sách vượt dự toán</li></ul>",
    )
    violations = editor.blocking_violations()
    assert not violations, "\n".join(violation.describe() for violation in violations)
    overflow = editor.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
    )
    assert overflow <= 0
    screenshots = os.environ.get("PORTAL_SCREENSHOTS")
    if screenshots:
        editor.screenshot(Path(screenshots) / f"staff-editor-{width}.png")


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=lambda width: f"{width}px")
def test_the_preview_has_no_serious_accessibility_violation(chromium, form_page, width):
    page = Browser(chromium, portal=None)  # type: ignore[arg-type] - not the seeded portal
    page.reset()
    page.width(width)
    page.driver.get(form_page + "/preview")
    assert "Bản xem trước – chưa đăng" in page.text()
    violations = page.blocking_violations()
    assert not violations, "\n".join(violation.describe() for violation in violations)
    assert page.missing_resources() == []
