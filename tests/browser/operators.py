"""An operator of the platform host in real Chromium, for the operators' console tests: one of
its own, created as an operator is (`manage.py operator create`), signed in for the first time
(its one-time password, a new one and an authenticator, ADR 0022; in whichever order the pages
ask), and the accessibility check each console page passes at both widths."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys

from tests.browser.chromium import DESKTOP, PHONE, Browser
from tests.browser.conftest import ROOT, _database_settings, _server_environment
from tests.browser.test_staff_days import _AUTHENTICATORS, _authenticator_code

PLATFORM = "platform.localhost"


def _new_operator(username: str) -> str:
    """An operator of its own in the seeded portal's database (the demo operator's first
    sign-in belongs to another test); its one-time password."""
    created = subprocess.run(
        [sys.executable, "manage.py", "operator", "create", "--username", username],
        cwd=ROOT,
        env=_server_environment(_database_settings()),
        capture_output=True,
        text=True,
        check=True,
    )
    return re.search(r"one-time password: (\S+)", created.stdout).group(1)


def sign_in_new_operator(browser: Browser, username: str) -> None:
    """Create the operator `username` and sign it in for the first time on the platform host."""
    account = ("platform", username)
    password, new_password = _new_operator(username), f"Qv{secrets.token_urlsafe(12)}#7"
    browser.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    browser.visit(PLATFORM, "/login/")
    browser.find("input[name=username]").send_keys(username)
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
            _AUTHENTICATORS[account] = secret
            browser.find("input[name=code]").send_keys(_authenticator_code(account))
            browser.submit()
            browser.visit(PLATFORM, "/")
        else:
            break
    assert browser.path() == "/", f"{browser.path()}: {browser.text()}"


def assert_accessible(browser: Browser) -> None:
    """No serious or critical axe-core violation on the page, at a phone's and a desktop's
    width."""
    for width in (PHONE, DESKTOP):
        browser.width(width)
        violations = browser.blocking_violations()
        assert not violations, f"{browser.path()} at {width} px:\n" + "\n".join(
            violation.describe() for violation in violations
        )
