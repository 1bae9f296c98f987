"""The staff dashboard lists the required sections citizens cannot reach yet (ADR 0016): a
section without published content is a compliance gap, named with its article in Vietnamese,
until its content is published."""

from __future__ import annotations

import re

import pytest

from editorial.selectors import site_categories
from organization.models import Agency
from tests.factories.editorial import published
from tests.factories.pages import page_text, signed_in

HOST = "thainguyen.localhost"


@pytest.fixture
def board(province_schema, django_capture_on_commit_callbacks):
    """Thái Nguyên's editor-in-chief (the portal's board: whole province) and a way to publish
    on the portal that bumps the cached pages' version as a real commit does."""
    _site, staff = province_schema("thainguyen")

    def publish(**content):
        with django_capture_on_commit_callbacks(execute=True):
            return published(staff, site=None, **content)

    return staff, staff.holding("editor_in_chief"), publish


def gaps(html: str) -> str:
    section = re.search(r'<section aria-labelledby="sections-heading">.*?</section>', html, re.S)
    assert section, "the dashboard has no section-gaps panel"
    return section.group(0)


def test_a_section_without_published_content_is_a_gap_until_its_content_is_published(board):
    _staff, editor_in_chief, publish = board
    client = signed_in(HOST, editor_in_chief)
    # given nothing in the business section (Art. 4(11))
    before = gaps(page_text(client.get("/staff/dashboard/")))
    # then it is listed with its name and article, as Vietnamese law is cited
    assert "<strong>Doanh nghiệp</strong>" in before
    assert "Hỗ trợ, quảng bá giới thiệu doanh nghiệp" in before
    assert "(Điều 4 khoản 11 Quyết định số 40/2012/QĐ-UBND)" in before
    assert "Art." not in before
    # when an item is published in its category
    business = next(c for c in site_categories(site=None) if c.slug == "doanh-nghiep")
    publish(title="Diễn đàn doanh nghiệp", category=business)
    # then it is no longer a gap; sections still empty are
    after = gaps(page_text(client.get("/staff/dashboard/")))
    assert "<strong>Doanh nghiệp</strong>" not in after
    assert "<strong>Thống kê</strong>" in after
    # a page the platform does not have yet stays a gap (the procedures catalogue)
    assert "<strong>Thủ tục hành chính</strong>" in after


def test_an_agency_role_does_not_see_the_portals_gaps(board):
    staff, _editor_in_chief, _publish = board
    department = Agency.objects.get(short_name="sokhdt")
    approver = staff.holding("approver", agency=department)
    html = page_text(signed_in(HOST, approver).get("/staff/dashboard/"))
    assert 'aria-labelledby="sections-heading"' not in html
