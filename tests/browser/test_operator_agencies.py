"""The operators' agency changes in real Chromium (issue 16): the demo operator signs in on the
platform host (a new password and an authenticator at the first sign-in, ADR 0022), opens
"Sắp xếp cơ quan" from the console, chooses Thái Nguyên, asks for a merge on the first row and
runs the dry run: the plan shows what moves and which hosts redirect, with the "Thực hiện"
button; nothing is applied (the seeded portal is shared by the other browser tests). axe-core:
no serious or critical violation on the form and on the plan at 375 and 1280 px."""

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
OPERATOR = "vanhanh_coquan"
ACCOUNT = ("platform", OPERATOR)


def _new_operator() -> str:
    """An operator of its own in the seeded portal's database (the demo operator's first
    sign-in belongs to another test), created as an operator is: `manage.py operator create`;
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
    password, new_password = _new_operator(), f"Qv{secrets.token_urlsafe(12)}#7"
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


def test_an_operator_plans_a_merge_of_agencies(browser):
    # given
    _sign_in(browser)
    browser.click(browser.link("Sắp xếp cơ quan (đổi tên, hợp nhất, giải thể)"))
    browser.click(browser.link("Thái Nguyên"))
    assert browser.heading() == "Sắp xếp cơ quan của Thái Nguyên"
    _accessible(browser)
    # when
    browser.choose("Thay đổi", "Hợp nhất vào cơ quan khác")
    browser.choose("Cơ quan", "Sở Thông tin và Truyền thông")
    browser.choose("Cơ quan nhận (hợp nhất, giải thể)", "Sở Kế hoạch và Đầu tư")
    browser.submit()
    # then
    text = browser.text()
    assert "Kết quả chạy thử" in text, text
    assert "Hợp nhất cơ quan: Sở Thông tin và Truyền thông → Sở Kế hoạch và Đầu tư" in text
    assert "sotttt.thainguyen.gov.vn → sokhdt.thainguyen.gov.vn" in text
    assert any(b.text.strip() == "Thực hiện" for b in browser.all("main button[type=submit]"))
    _accessible(browser)
