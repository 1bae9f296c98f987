"""A reader goes from a province portal's home page to a news article and back, as in a real
browser (Thái Nguyên and Đồng Nai)."""

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("host", ["thainguyen.localhost", "dongnai.localhost"])
def test_a_reader_opens_a_news_article_from_the_home_page_and_comes_back(browser, host):
    # given the portal's home page, which links the latest articles
    browser.visit(host, "/")
    portal_name = browser.heading()
    articles = [
        (element, element.text.strip(), element.get_attribute("pathname"))
        for element in browser.all("main a[href*='/bai-viet/']")
    ]
    assert len({path for _, _, path in articles}) >= 5, "the home page links fewer than 5 articles"
    link, title, path = next(article for article in articles if article[1])

    # when the reader opens the first one
    browser.click(link)

    # then its page shows that article under its title
    assert browser.path() == path
    assert browser.heading() in title

    # when the reader goes back
    browser.back()

    # then they are on the home page again
    assert browser.path() == "/"
    assert browser.heading() == portal_name
