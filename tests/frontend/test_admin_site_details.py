"""The administrator's page of menus and footer: what citizens read in each site's menu and in
the portal's footer, shown read-only with the words saying who changes what (the profile, the
categories, the agencies' contacts)."""

from __future__ import annotations

import pytest

from core.profiles import current_profile
from organization.models import ComponentSite
from tests.factories.pages import page_text
from tests.frontend.test_administration import Hue as HueAdministration

PAGE = "/staff/quan-tri/trinh-don-va-chan-trang/"


@pytest.fixture
def hue(province_schema):
    site, staff = province_schema("thuathienhue")
    return HueAdministration(site, staff)


def test_admin_sees_the_portal_footer_from_the_profile_and_who_changes_it(hue):
    portal = current_profile().portal
    text = page_text(hue.client().get(PAGE))
    for value in (portal.managing_body, portal.address, portal.phone, portal.email):
        assert value in text
    assert "người vận hành nền tảng thay đổi chúng bằng cách cập nhật hồ sơ" in text
    assert "/staff/quan-tri/chuyen-muc/" in text
    assert "platform default" not in text


def test_admin_sees_the_menu_of_the_portal_and_of_every_component_site(hue):
    text = page_text(hue.client().get(PAGE))
    assert "Cổng tỉnh" in text
    for site in ComponentSite.objects.select_related("agency"):
        assert site.agency.name in text
    assert text.count("Trang chủ") >= 1 + ComponentSite.objects.count()


def test_the_page_is_the_administrators_only_and_only_reads(hue):
    updater = hue.staff.holding("board_member")
    assert hue.client(updater).get(PAGE).status_code == 403
    assert hue.client().post(PAGE).status_code == 405
