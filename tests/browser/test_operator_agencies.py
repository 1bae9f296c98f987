"""The operators' agency changes in real Chromium (issue 16): the demo operator signs in on the
platform host (a new password and an authenticator at the first sign-in, ADR 0022), opens
"Sắp xếp cơ quan" from the console, chooses Thái Nguyên, asks for a merge on the first row and
runs the dry run: the plan shows what moves and which hosts redirect, with the "Thực hiện"
button; nothing is applied (the seeded portal is shared by the other browser tests). axe-core:
no serious or critical violation on the form and on the plan at 375 and 1280 px."""

from __future__ import annotations

import pytest

from tests.browser.operators import assert_accessible, sign_in_new_operator

pytestmark = pytest.mark.browser

OPERATOR = "vanhanh_coquan"


def test_an_operator_plans_a_merge_of_agencies(browser):
    # given
    sign_in_new_operator(browser, OPERATOR)
    browser.click(browser.link("Sắp xếp cơ quan (đổi tên, hợp nhất, giải thể)"))
    browser.click(browser.link("Thái Nguyên"))
    assert browser.heading() == "Sắp xếp cơ quan của Thái Nguyên"
    assert_accessible(browser)
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
    assert_accessible(browser)
