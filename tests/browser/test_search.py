"""Site-wide search in a real browser: a citizen who types without diacritics finds what one
who types them finds ("dat dai" and "đất đai")."""

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

PORTAL = "thainguyen.localhost"


def result_titles(browser) -> list[str]:
    return [link.text.strip() for link in browser.all(".search-results h3 a")]


def test_searching_with_or_without_diacritics_finds_the_same_items(browser):
    # given the portal's home page
    browser.visit(PORTAL, "/")

    # when a citizen types "đất đai" into its search box
    browser.search("đất đai")

    # then the search page lists what it found
    assert urlsplit(browser.driver.current_url).path == "/tim-kiem/"
    assert parse_qs(urlsplit(browser.driver.current_url).query)["q"] == ["đất đai"]
    with_diacritics = result_titles(browser)
    assert with_diacritics, "nothing found for “đất đai” in the demo content"
    count = browser.text("#results-heading")

    # when they search again for "dat dai", typed without diacritics
    browser.fill("Từ khoá", "dat dai")
    browser.submit()

    # then the same items come back, as many in all
    assert sorted(result_titles(browser)) == sorted(with_diacritics)
    assert browser.text("#results-heading").split()[0] == count.split()[0]


def test_the_words_searched_for_are_marked_in_the_results(browser):
    # given a search without diacritics
    browser.visit(PORTAL, "/tim-kiem/?q=dat+dai")

    # then the matching words of the titles or snippets are marked, with their diacritics
    marked = {mark.text.strip().lower() for mark in browser.all(".search-results mark")}
    assert marked & {"đất", "đai", "đất đai"}
