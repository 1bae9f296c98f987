"""The operators' province merge in real Chromium (issue 16): an operator of its own signs in
for the first time (a new password and an authenticator, ADR 0022), opens "Hợp nhất
tỉnh" from the console, plans Bắc Kạn into Thái Nguyên from 1 July 2025 and reads the plan, part
by part; keeps Thái Nguyên's procedure for each code both provinces hold, after which the plan
has no problem and offers "Chạy hợp nhất"; then cancels it (the seeded portal is shared by the
other browser tests, and nothing is run). axe-core: no serious or critical violation on the
list and on the plan at 375 and 1280 px."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys

import pytest

from tests.browser.chromium import DESKTOP, PHONE, Browser
from tests.browser.conftest import ROOT, _database_settings, _server_environment
from tests.browser.test_staff_days import _AUTHENTICATORS, _authenticator_code

pytestmark = pytest.mark.browser

PLATFORM = "platform.localhost"
OPERATOR = "vanhanh_hopnhat"
ACCOUNT = ("platform", OPERATOR)

SECTIONS = (
    "Hồ sơ quy chế áp dụng",
    "Số lượng theo loại",
    "Cơ quan",
    "Trang thành phần và tên miền",
    "Tài khoản (quy tắc trùng tên)",
    "Vai trò",
    "Lĩnh vực hỏi đáp",
    "Thủ tục trùng mã",
    "Vấn đề cần xử lý",
    "Lưu ý",
)


def _new_operator() -> str:
    """An operator of its own in the seeded portal's database (each browser test signs its own
    operator in for the first time), created as an operator is: `manage.py operator create`;
    its one-time password."""
    created = subprocess.run(
        [sys.executable, "manage.py", "operator", "create", "--username", OPERATOR],
        cwd=ROOT,
        env=_server_environment(_database_settings()),
        capture_output=True,
        text=True,
        check=True,
    )
    return re.search(r"one-time password: (\S+)", created.stdout).group(1)


def _sign_in(browser: Browser) -> None:
    """The operator's first sign-in: the one-time password, a new one, an authenticator."""
    password, new_password = _new_operator(), f"Hn{secrets.token_urlsafe(12)}#5"
    browser.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    browser.visit(PLATFORM, "/login/")
    browser.find("input[name=username]").send_keys(OPERATOR)
    browser.find("input[name=password]").send_keys(password)
    browser.submit()
    for _step in range(3):  # the new password and the second factor, in whichever order
        path = browser.path()
        if path.startswith("/password/"):
            browser.find("input[name=old_password]").send_keys(password)
            browser.find("input[name=new_password1]").send_keys(new_password)
            browser.find("input[name=new_password2]").send_keys(new_password)
            browser.submit()
            password = new_password
        elif path == "/bao-mat/dang-ky/":
            secret = browser.find("main code.one-time-secret").text.replace(" ", "")
            _AUTHENTICATORS[ACCOUNT] = secret
            browser.find("input[name=code]").send_keys(_authenticator_code(ACCOUNT))
            browser.submit()
            browser.visit(PLATFORM, "/")
        else:
            break
    assert browser.path() == "/", f"{browser.path()}: {browser.text()}"


def _accessible(browser: Browser) -> None:
    for width in (PHONE, DESKTOP):
        browser.width(width)
        violations = browser.blocking_violations()
        assert not violations, f"{browser.path()} at {width} px:\n" + "\n".join(
            violation.describe() for violation in violations
        )


def _buttons(browser: Browser) -> list[str]:
    return [button.text.strip() for button in browser.all("main button[type=submit]")]


def test_an_operator_plans_a_merge_of_provinces_and_cancels_it(browser):
    # given
    _sign_in(browser)
    browser.click(browser.link("Hợp nhất tỉnh"))
    assert browser.heading() == "Hợp nhất tỉnh"
    _accessible(browser)
    # when: the dry run's form, the date as a date picker leaves it
    browser.choose("Tỉnh được hợp nhất", "Bắc Kạn")
    browser.choose("Tỉnh nhận", "Thái Nguyên")
    date = browser.field("Ngày hợp nhất có hiệu lực")
    browser.driver.execute_script("arguments[0].value = '2025-07-01';", date)
    browser.submit()
    # then: the plan, every part of it, and the run
    assert browser.heading() == "Hợp nhất Bắc Kạn vào Thái Nguyên", browser.text()
    headings = [h2.text.strip() for h2 in browser.all("main h2")]
    for section in SECTIONS:
        assert section in headings, section
    text = browser.text()
    assert "chưa có gì thay đổi" in text
    assert "backan.gov.vn → backan.thainguyen.gov.vn" in text
    _accessible(browser)
    # the demo provinces share procedure codes: unanswered, they block the run
    assert "Chạy hợp nhất" not in _buttons(browser)
    assert "chưa chạy được" in text
    keep = browser.all("#procedure-answers input[type=radio][value=target]")
    assert keep
    for radio in keep:  # a choice, not a navigation
        browser.scroll_to(radio)
        radio.click()
    browser.submit("#procedure-answers button[type=submit]")
    # answered, the plan has no problem left and the run is offered
    assert "Đã lưu lựa chọn; kế hoạch đã được tính lại." in browser.text()
    assert "Không có vấn đề nào: có thể chạy hợp nhất." in browser.text(), browser.text()
    assert "Chạy hợp nhất" in _buttons(browser)
    _accessible(browser)
    # and the operator cancels it: nothing was run
    browser.submit("main form[action$='/huy/'] button[type=submit]")
    assert "Đã huỷ" in browser.text()
    assert "Chạy hợp nhất" not in _buttons(browser)
