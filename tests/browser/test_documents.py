"""Legal documents in a real browser: a citizen narrows the list of a province's legal
documents with a filter and reads one document's page with its metadata."""

import re

import pytest

pytestmark = pytest.mark.browser

PORTAL = "thainguyen.localhost"


def found(browser) -> int:
    """The count the page announces ("Tìm thấy 5 văn bản")."""
    match = re.search(r"Tìm thấy (\d+) văn bản", browser.text(".document-summary"))
    assert match, browser.text(".document-summary")
    return int(match.group(1))


def test_a_citizen_filters_the_legal_documents_and_reads_one(browser):
    # given the legal documents of Thái Nguyên
    browser.visit(PORTAL, "/van-ban/")
    everything = found(browser)
    assert everything >= 5, "the demo content has fewer than 5 legal documents"

    # when the citizen keeps one type of document (the first offered, "Quyết định (3 văn bản)")
    document_type, option = browser.options("Loại văn bản")[0]
    expected = int(re.search(r"\((\d+) văn bản\)", option).group(1))
    browser.choose("Loại văn bản", option)
    browser.submit()

    # then only documents of that type are listed, as many as the option said
    assert "loai=" in browser.path()
    assert found(browser) == expected <= everything
    types = [row.text.strip() for row in browser.all("table.documents tbody td:nth-child(4)")]
    assert types
    assert set(types) == {document_type}

    # when they open the first document
    number_link = browser.find("table.documents tbody td.document-number a")
    number = number_link.text.strip()
    title = browser.find("table.documents tbody td:nth-child(3) a").text.strip()
    browser.click(number_link)

    # then its page shows its title and metadata: number, type and issuing body
    assert browser.path().startswith("/bai-viet/")
    assert browser.heading() == title
    facts = browser.text(".document-facts")
    assert number in facts
    assert document_type in facts
    assert "Cơ quan ban hành" in facts
