"""The operators' province merge in real Chromium (issue 16): an operator of its own signs in
for the first time (a new password and an authenticator, ADR 0022), opens "Hợp nhất
tỉnh" from the console, plans Bắc Kạn into Thái Nguyên from 1 July 2025 and reads the plan, part
by part; keeps Thái Nguyên's procedure for each code both provinces hold, after which the plan
has no problem and offers "Chạy hợp nhất"; then cancels it (the seeded portal is shared by the
other browser tests, and nothing is run). axe-core: no serious or critical violation on the
list and on the plan at 375 and 1280 px."""

from __future__ import annotations

import pytest

from tests.browser.chromium import Browser
from tests.browser.operators import assert_accessible, sign_in_new_operator

pytestmark = pytest.mark.browser

OPERATOR = "vanhanh_hopnhat"

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


def _buttons(browser: Browser) -> list[str]:
    return [button.text.strip() for button in browser.all("main button[type=submit]")]


def test_an_operator_plans_a_merge_of_provinces_and_cancels_it(browser):
    # given
    sign_in_new_operator(browser, OPERATOR)
    browser.click(browser.link("Hợp nhất tỉnh"))
    assert browser.heading() == "Hợp nhất tỉnh"
    assert_accessible(browser)
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
    assert_accessible(browser)
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
    assert_accessible(browser)
    # and the operator cancels it: nothing was run
    browser.submit("main form[action$='/huy/'] button[type=submit]")
    assert "Đã huỷ" in browser.text()
    assert "Chạy hợp nhất" not in _buttons(browser)
