"""Drafts open for comment in a real browser: a citizen opens a draft from the list, comments
with their consent and is told the comment will be reviewed before it is shown."""

import pytest

pytestmark = pytest.mark.browser

PORTAL = "thainguyen.localhost"
COMMENT = "Đề nghị bổ sung quy định về thời hạn trả kết quả cho người dân."


def test_a_citizen_comments_on_a_draft_open_for_comment(browser):
    # given the drafts open for comment on Thái Nguyên's portal
    browser.visit(PORTAL, "/du-thao/")
    title = browser.find("main article h3 a").text.strip()

    # when the citizen opens the first one and fills in the comment form with their consent
    browser.click(browser.find("main article h3 a"))
    assert browser.heading() == title
    browser.fill("Họ và tên", "Hoàng Văn Góp")
    browser.fill("Thư điện tử", "gop@example.vn")
    browser.fill("Nội dung góp ý", COMMENT)
    browser.tick("Tôi đồng ý")
    browser.submit("#gop-y form button[type=submit]")

    # then the draft's page says the comment was received and will be reviewed first
    assert browser.heading() == title
    confirmation = browser.text(".messages")
    assert "Đã nhận góp ý của bạn" in confirmation
    # and it is not shown before a moderator approves it
    assert COMMENT not in browser.text("main")


def test_a_comment_without_consent_is_refused_with_the_reason(browser):
    # given a draft open for comment
    browser.visit(PORTAL, "/du-thao/")
    browser.click(browser.find("main article h3 a"))

    # when a citizen sends a comment without ticking the consent box
    browser.fill("Họ và tên", "Hoàng Văn Vội")
    browser.fill("Nội dung góp ý", "Góp ý gửi vội.")
    browser.driver.find_element("css selector", "#gop-y form button[type=submit]").click()

    # then the page stays, names the missing consent and keeps what they typed
    summary = browser.find(".error-summary")
    assert "đồng ý" in summary.text
    assert browser.field("Nội dung góp ý").get_attribute("value") == "Góp ý gửi vội."
