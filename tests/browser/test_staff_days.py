"""A day of the back office in real Chromium (issue 10, must-have 7): staff of three provinces
sign in to the seeded portal with the demo log-ins and take a news item from the editor to the
citizens' page through their province's own workflow, deciding on the approver's decision page.

Thái Nguyên: updater → approver → editor-in-chief, counting clicks and page loads.
Huế: board member → deputy head (amends: the head sees the diff) → head, and the same with the
head's step delegated. Đồng Nai: the portal's workflow ends with the post-publication check.
axe-core: no serious or critical violation on the queue, the editor, the decision page and the
Q&A inbox at 375 and 1280 px.

With PORTAL_SCREENSHOTS=<folder> the decision page and the queue are saved as
staff-review-<width>.png and staff-queue-<width>.png."""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser.chromium import DESKTOP, PHONE, WAIT_SECONDS, Browser
from tests.browser.conftest import _database_settings

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Mot-ngay-lam-viec-2026!"
PROVINCE_HOSTS = {
    "thainguyen": "thainguyen.localhost",
    "thuathienhue": "thuathienhue.localhost",
    "dongnai": "dongnai.localhost",
}
# The demo accounts whose one-time password this session's server has already replaced.
_CHANGED: set[tuple[str, str]] = set()
# The authenticator secret each demo account enrolled with (ADR 0022), and the last time step
# whose code it gave: the server refuses a code of a step already used.
_AUTHENTICATORS: dict[tuple[str, str], str] = {}
_LAST_STEP: dict[tuple[str, str], int] = {}


class Day:
    """A Browser for staff that counts what a person does: every page asked for by address
    and every click that leads to another page."""

    def __init__(self, browser: Browser, province: str):
        self.browser = browser
        self.host = PROVINCE_HOSTS[province]
        self.province = province
        self.loads = 0
        self.clicks = 0

    def reset_counts(self) -> None:
        self.loads = self.clicks = 0

    def get(self, path: str) -> None:
        self.loads += 1
        self.browser.visit(self.host, path)

    def click(self, element) -> None:
        self.loads += 1
        self.clicks += 1
        self.browser.click(element)

    def button(self, text: str):
        for candidate in self.browser.all("main button[type=submit]:not([aria-hidden=true])"):
            if candidate.text.strip() == text and candidate.is_displayed():
                return candidate
        raise AssertionError(f"no button {text!r} on {self.browser.path()}")

    def sign_in(self, username: str) -> None:
        """The first sign-in of a demo account: its one-time password, then a new one."""
        browser = self.browser
        browser.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        browser.visit(self.host, "/staff/login/")
        changed = (self.province, username) in _CHANGED
        password = NEW_PASSWORD if changed else _demo_password(self.province, username)
        browser.find("input[name=username]").send_keys(username)
        browser.find("input[name=password]").send_keys(password)
        browser.submit()
        for _attempt in range(3):
            if not browser.path().startswith("/staff/password/"):
                break
            try:
                browser.find("input[name=old_password]").send_keys(password)
                browser.find("input[name=new_password1]").send_keys(NEW_PASSWORD)
                browser.find("input[name=new_password2]").send_keys(NEW_PASSWORD)
                _CHANGED.add((self.province, username))
                browser.submit()
            except WebDriverException as error:
                # The page was still being replaced when a field was read: read it again.
                if "does not belong to the document" not in str(error):
                    raise
        self._second_factor(username)
        assert browser.path().startswith("/staff/"), browser.text()
        assert "/login/" not in browser.path()

    def _second_factor(self, username: str) -> None:
        """Approvers, publishers and administrators enrol an authenticator at the first sign-in
        (reading the secret typed out under the QR code, as a person with an app would scan
        it) and give its code at the next ones (ADR 0022)."""
        browser = self.browser
        account = (self.province, username)
        if browser.path() == "/staff/bao-mat/dang-ky/":
            # the QR code is inline SVG with a text alternative: no serious axe-core violation
            assert not browser.blocking_violations(), browser.blocking_violations()
            secret = browser.find("main code.one-time-secret").text.replace(" ", "")
            _AUTHENTICATORS[account] = secret
            browser.find("input[name=code]").send_keys(_authenticator_code(account))
            browser.submit()
            assert "mã khôi phục" in browser.text(), browser.text()
            assert not browser.blocking_violations(), browser.blocking_violations()
            browser.visit(self.host, "/staff/")
        elif browser.path() == "/staff/login/xac-thuc/":
            assert not browser.blocking_violations(), browser.blocking_violations()
            browser.find("input[name=code]").send_keys(_authenticator_code(account))
            browser.submit()

    def create_news(self, *, title: str, summary: str, body: str, site: str = "") -> int:
        """Open the editor for a news item, type it, save the draft; the item's number."""
        browser = self.browser
        self.get(f"/staff/items/new/?kind=news&site={site}")
        browser.find("#id_title").send_keys(title)
        browser.find("#id_summary").send_keys(summary)
        surface = browser.find(".rich-text-editor[data-ready] .ql-editor")
        browser.scroll_to(surface)
        surface.click()
        surface.send_keys(body)
        WebDriverWait(browser.driver, WAIT_SECONDS).until(
            lambda driver: (
                body in driver.execute_script("return document.getElementById('id_body').value;")
            )
        )
        self.click(self.button("Lưu bản nháp"))
        found = re.fullmatch(r"/staff/items/(\d+)/", browser.path())
        assert found, f"saving the draft landed on {browser.path()}: {browser.text()[:500]}"
        return int(found.group(1))

    def open_from_queue(self, pk: int) -> None:
        self.get("/staff/queue/")
        link = self.browser.find(f"main a[href$='/staff/items/{pk}/duyet/']")
        self.click(link)
        assert self.browser.path() == f"/staff/items/{pk}/duyet/"

    def decide(self, button: str, comment: str = "") -> str:
        """On the decision page: write the comment, press the button; the message shown."""
        browser = self.browser
        if comment:
            browser.find("#id_forward-comment").send_keys(comment)
        self.click(self.button(button))
        return browser.text(".messages") if browser.all(".messages") else browser.text()


def _authenticator_code(account: tuple[str, str]) -> str:
    """What the account's authenticator app shows: the code of the current 30-second step, or
    of the next one when the current one was used already (the server accepts one step of
    drift), waiting for the clock when even that was used."""
    import time
    from base64 import b32decode

    from django_otp.oath import TOTP

    secret = _AUTHENTICATORS[account]
    key = b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6)
    now = totp.t()
    step = max(now, _LAST_STEP.get(account, -1) + 1)
    if step > now + 1:
        time.sleep(30 - time.time() % 30 + 0.5)
        now = totp.t()
        step = max(now, _LAST_STEP.get(account, -1) + 1)
    _LAST_STEP[account] = step
    totp.drift = step - now
    return f"{totp.token():06d}"


def _demo_password(province: str, username: str) -> str:
    database = _database_settings()
    store = Path(settings.VAR_DIR) / "demo-logins" / f"{database['NAME']}-{database['PORT']}.json"
    return json.loads(store.read_text())[f"{province}:{username}"]


@pytest.fixture
def day(browser):
    return lambda province: Day(browser, province)


def test_thai_nguyen_updater_approver_and_editor_in_chief_publish_a_news_item(day, capsys):
    title = "Khánh thành cầu Gia Bảy mới ngày làm việc"
    updater, approver, chief = day("thainguyen"), day("thainguyen"), day("thainguyen")

    # given the updater writes a news item in the editor and sends it for approval
    updater.sign_in("demo_portal_updater")
    updater.reset_counts()
    pk = updater.create_news(
        title=title,
        summary="Cây cầu nối hai bờ sông Cầu đã thông xe.",
        body="Sáng nay, tỉnh khánh thành cầu Gia Bảy mới.",
    )
    updater.click(updater.browser.link("Xem và quyết định"))
    done = updater.decide("Gửi duyệt", comment="Ảnh do phóng viên Báo Thái Nguyên chụp.")
    assert "Bước tiếp theo" in done

    # when the approver opens it from the queue, reads it with the comment and approves
    approver.sign_in("demo_portal_approver")
    approver.reset_counts()
    approver.open_from_queue(pk)
    page = approver.browser.text()
    assert "Sáng nay, tỉnh khánh thành cầu Gia Bảy mới." in page
    assert "Ảnh do phóng viên Báo Thái Nguyên chụp." in page
    approver.decide("Duyệt")

    # and the editor-in-chief publishes it
    chief.sign_in("demo_editor_in_chief")
    chief.reset_counts()
    chief.open_from_queue(pk)
    done = chief.decide("Đăng")

    # then the chief is told it is published, with its public address, and citizens read it
    assert chief.browser.path() == f"/staff/items/{pk}/"
    assert done.startswith("Đã đăng."), done
    public_url = re.search(r"công khai tại (http\S+?)\.?$", done).group(1)
    workflow = chief.browser.text("section[aria-labelledby=workflow-heading]")
    assert "Đã đăng." in workflow
    assert chief.browser.all(f"main a[href='{public_url}']")
    chief.browser.driver.get(public_url)
    chief.browser.expect_ok()
    assert title in chief.browser.heading()

    people = (updater, approver, chief)
    clicks, loads = sum(p.clicks for p in people), sum(p.loads for p in people)
    with capsys.disabled():
        print(
            f"\nThái Nguyên day (create → publish): {clicks} clicks, {loads} page loads "
            f"(updater {updater.clicks}/{updater.loads}, approver {approver.clicks}/"
            f"{approver.loads}, editor-in-chief {chief.clicks}/{chief.loads})"
        )


def _first_site(person: Day) -> str:
    """The label of the first component site offered on the 'new item' page."""
    person.get("/staff/items/new/")
    sites = [value for value, _ in person.browser.options("Nơi đăng")]
    assert sites, "no component site is offered"
    return sites[0]


def _hue_amended_item(day, title: str) -> tuple[int, Day]:
    """Huế's steps 1 and 2: the board member enters an item, the deputy head amends its text
    and forwards it; the item and the deputy's day."""
    member, deputy = day("thuathienhue"), day("thuathienhue")
    member.sign_in("demo_board_member")
    site = _first_site(member)
    pk = member.create_news(
        title=title,
        summary="Lịch tham quan Đại Nội dịp lễ.",
        body="Đại Nội mở cửa từ 7 giờ đến 17 giờ.",
        site=site,
    )
    member.click(member.browser.link("Xem và quyết định"))
    member.decide("Gửi duyệt", comment="Nguồn: Trung tâm Bảo tồn Di tích Cố đô Huế.")

    # the deputy head corrects the opening hours in the editor, then forwards
    deputy.sign_in("demo_deputy_head")
    deputy.get(f"/staff/items/{pk}/")
    surface = deputy.browser.find(".rich-text-editor[data-ready] .ql-editor")
    deputy.browser.driver.execute_script(
        "document.getElementById('id_body').richTextEditor.setText(arguments[0]);",
        "Đại Nội mở cửa từ 6 giờ 30 đến 22 giờ.",
    )
    assert surface.is_displayed()
    deputy.click(deputy.button("Lưu phiên bản mới"))
    deputy.open_from_queue(pk)
    deputy.decide("Duyệt", comment="Đã sửa giờ mở cửa theo thông báo mới.")
    return pk, deputy


def _diff_lines(person: Day) -> tuple[str, str]:
    removed = " ".join(e.text for e in person.browser.all("ol.diff li.diff-del"))
    added = " ".join(e.text for e in person.browser.all("ol.diff li.diff-ins"))
    return removed, added


def test_hue_deputy_head_amends_and_the_head_sees_the_diff_then_publishes(day):
    title = "Đại Nội Huế mở cửa ban đêm dịp lễ"
    pk, _ = _hue_amended_item(day, title)

    # when the head opens the item from the queue
    head = day("thuathienhue")
    head.sign_in("demo_head")
    head.open_from_queue(pk)

    # then the deputy's change shows as a diff against the reviewed revision, with his comment
    removed, added = _diff_lines(head)
    assert "7 giờ đến 17 giờ" in removed
    assert "6 giờ 30 đến 22 giờ" in added
    assert "Đã sửa giờ mở cửa theo thông báo mới." in head.browser.text()

    # and publishing lands on the item saying it is public
    done = head.decide("Đăng")
    assert "công khai" in done


def test_hue_head_delegates_the_publishing_step_and_the_history_names_him(day):
    title = "Lễ hội đường phố Huế được dời lịch"
    pk, _ = _hue_amended_item(day, title)

    # given the head delegates his role to the agency head for a week
    head = day("thuathienhue")
    head.sign_in("demo_head")
    head.get("/staff/delegations/")
    browser = head.browser
    people = browser.options("Người được uỷ quyền")
    delegate = next(value for value, text in people if "demo_agency_head" in text)
    Select(browser.field("Người được uỷ quyền")).select_by_value(delegate)
    now = timezone.localtime()  # the province's clock, as the form reads it
    for label, moment in (("Từ", now - timedelta(hours=1)), ("Đến", now + timedelta(days=7))):
        browser.driver.execute_script(
            "arguments[0].value = arguments[1];",
            browser.field(label),
            moment.strftime("%Y-%m-%dT%H:%M"),
        )
    browser.fill("Lý do", "Trưởng Ban đi công tác.")
    head.click(head.button("Uỷ quyền"))
    given = browser.text("#given-heading + *")
    assert "Demo Thủ trưởng cơ quan" in given, given

    # when the delegate publishes from the queue
    stand_in = day("thuathienhue")
    stand_in.sign_in("demo_agency_head")
    stand_in.open_from_queue(pk)
    assert "theo uỷ quyền của" in stand_in.browser.text()
    done = stand_in.decide("Đăng")
    assert "công khai" in done

    # then the history names the head on whose behalf it was published
    stand_in.get(f"/staff/items/{pk}/history/")
    rows = [row.text for row in stand_in.browser.all("main tbody tr")]
    assert any("Demo Trưởng Ban Biên tập" in row for row in rows), rows


def test_dong_nai_portal_day_ends_with_the_post_publication_check(day):
    title = "Đồng Nai khởi công đường vành đai 3"
    provider, editor, checker = day("dongnai"), day("dongnai"), day("dongnai")

    provider.sign_in("demo_agency_provider")
    pk = provider.create_news(
        title=title,
        summary="Đoạn qua huyện Nhơn Trạch dài 11 km.",
        body="Sáng nay, tỉnh khởi công đường vành đai 3.",
    )
    provider.click(provider.browser.link("Xem và quyết định"))
    provider.decide("Gửi duyệt", comment="Tin của Sở Giao thông vận tải.")

    editor.sign_in("demo_support_editor")
    editor.open_from_queue(pk)
    editor.decide("Duyệt")

    checker.sign_in("demo_support_checker")
    checker.open_from_queue(pk)
    checker.decide("Duyệt")

    editor.sign_in("demo_support_editor")
    editor.open_from_queue(pk)
    done = editor.decide("Đăng")
    assert "Đã đăng." in done
    assert "Kiểm tra thông tin sau khi đăng tải" in done

    # then the checker finds it in the queue once more, for the check after publication
    checker.sign_in("demo_support_checker")
    checker.open_from_queue(pk)
    done = checker.decide("Hậu kiểm")
    assert "Đã hậu kiểm." in done
    checker.get(f"/staff/items/{pk}/")
    assert "Đã đăng." in checker.browser.text()


# One item waiting for Thái Nguyên's approver, shared by both widths of the checks below.
_WAITING: dict[str, int] = {}


def _waiting_item(day) -> int:
    if "pk" not in _WAITING:
        updater = day("thainguyen")
        updater.sign_in("demo_portal_updater")
        pk = updater.create_news(
            title="Thái Nguyên đón 2 triệu lượt khách du lịch",
            summary="Lượng khách tăng 12% so với năm trước.",
            body="Du khách đến Hồ Núi Cốc và vùng chè Tân Cương tăng mạnh.",
        )
        updater.click(updater.browser.link("Xem và quyết định"))
        updater.decide("Gửi duyệt", comment="Số liệu của Sở Văn hoá, Thể thao và Du lịch.")
        _WAITING["pk"] = pk
    return _WAITING["pk"]


def _assert_accessible(person: Day, width: int, screenshot: str | None = None) -> None:
    browser = person.browser
    browser.width(width)
    violations = browser.blocking_violations()
    assert not violations, f"{browser.path()} at {width} px:\n" + "\n".join(
        violation.describe() for violation in violations
    )
    folder = os.environ.get("PORTAL_SCREENSHOTS")
    if folder and screenshot:
        browser.screenshot(Path(folder) / f"{screenshot}-{width}.png")


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=lambda width: f"{width}px")
def test_the_staff_pages_of_the_day_have_no_serious_accessibility_violation(day, width):
    pk = _waiting_item(day)

    updater = day("thainguyen")
    updater.sign_in("demo_portal_updater")
    updater.get("/staff/items/new/?kind=news&site=")
    updater.browser.find(".rich-text-editor[data-ready]")
    _assert_accessible(updater, width)

    approver = day("thainguyen")
    approver.sign_in("demo_portal_approver")
    approver.get("/staff/queue/")
    assert approver.browser.all(f"main a[href$='/staff/items/{pk}/duyet/']")
    _assert_accessible(approver, width, "staff-queue")
    approver.get(f"/staff/items/{pk}/duyet/")
    assert "Du khách đến Hồ Núi Cốc" in approver.browser.text()
    _assert_accessible(approver, width, "staff-review")

    answerer = day("thainguyen")
    answerer.sign_in("demo_agency_head")
    answerer.get("/staff/hoi-dap/")
    _assert_accessible(answerer, width)
