"""A citizen asks the province a question on the Hỏi – Đáp form and follows it with the
tracking code the receipt shows, in a real browser."""

import pytest

pytestmark = pytest.mark.browser

PORTAL = "thainguyen.localhost"
TITLE = "Xin hỏi thủ tục tách thửa đất nông nghiệp"


def test_a_citizen_asks_a_question_and_tracks_it_with_the_code_shown(browser):
    # given the question form of Thái Nguyên's portal, reached from its Q&A page
    browser.visit(PORTAL, "/hoi-dap/")
    browser.click(browser.link("Gửi câu hỏi"))
    assert browser.path() == "/hoi-dap/gui/"

    # when a citizen fills it in, consents and sends it
    browser.fill("Họ và tên", "Lê Thị Hỏi")
    browser.fill("Số điện thoại", "0912 345 678")
    browser.choose("Lĩnh vực", "Đất đai")
    browser.fill("Tiêu đề", TITLE)
    browser.fill("Nội dung", "Gia đình tôi muốn tách thửa đất nông nghiệp, cần hồ sơ gì?")
    browser.tick("Tôi đồng ý")
    browser.submit()

    # then the receipt says it was received and shows a tracking code
    assert browser.heading() == "Đã tiếp nhận"
    code = browser.text(".tracking-code").strip()
    assert len(code.replace("-", "")) == 8

    # when, later, a new visitor types that code into the tracking form
    browser.reset()
    browser.visit(PORTAL, "/hoi-dap/tra-cuu/")
    browser.fill("Mã tra cứu", code)
    browser.submit()

    # then the question is found with its title and where it stands
    result = browser.text(".qa-status")
    assert f"Mã {code}" in result
    assert TITLE in result
    assert "Tình trạng" in result


def test_the_receipt_links_to_the_question_tracked(browser):
    # given a question just sent
    browser.visit(PORTAL, "/hoi-dap/gui/")
    browser.fill("Họ và tên", "Phạm Văn Theo")
    browser.fill("Thư điện tử", "theo@example.vn")
    browser.choose("Lĩnh vực", "Hộ tịch, tư pháp")
    browser.fill("Tiêu đề", "Đăng ký khai sinh cho con ở nơi tạm trú")
    browser.fill("Nội dung", "Tôi tạm trú tại Thái Nguyên, có được đăng ký khai sinh cho con?")
    browser.tick("Tôi đồng ý")
    browser.submit()
    code = browser.text(".tracking-code").strip()

    # when the citizen follows the receipt's tracking link
    browser.click(browser.link("Tra cứu tình trạng xử lý"))

    # then it shows that question
    assert browser.path().startswith("/hoi-dap/tra-cuu/")
    assert "Đăng ký khai sinh cho con ở nơi tạm trú" in browser.text(".qa-status")
    assert f"Mã {code}" in browser.text(".qa-status")
