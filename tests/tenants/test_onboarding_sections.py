"""Onboarding creates the portal categories the profile's required sections are filled from
(ADR 0016): named after each section's title, once; a newer profile adds the categories it
names and never renames or removes one."""

from __future__ import annotations

from django_tenants.utils import schema_context

from editorial.selectors import site_categories
from editorial.services import category_update
from provinces.loader import PROFILES_DIR, parse_profile, resolve_profile
from tenants.services import province_onboard

THAI_NGUYEN = PROFILES_DIR / "thainguyen" / "2012-11-16.toml"


def portal_categories(province) -> dict[str, str]:
    with schema_context(province.schema_name):
        return {category.slug: category.name for category in site_categories(site=None)}


def test_onboarding_creates_the_category_of_each_section_named_after_its_title(tenant_db):
    # the sections of Thái Nguyên filled from a category (Art. 4(2), (3), (6), (11), (12))
    assert portal_categories(tenant_db["thainguyen"]) == {
        "chi-dao-dieu-hanh": "Chỉ đạo, điều hành",
        "chu-truong-chinh-sach": "Chủ trương, chính sách",
        "quy-hoach-du-an": "Quy hoạch, dự án",
        "doanh-nghiep": "Doanh nghiệp",
        "dich-vu-cong-ich": "Dịch vụ công ích",
    }
    # Bắc Kạn's come from the national sections Art. 4(1) stands for (Decree 42/2022)
    assert set(portal_categories(tenant_db["backan"])) == {
        "chi-dao-dieu-hanh",
        "pho-bien-phap-luat",
        "chien-luoc-quy-hoach",
        "bao-cao-tai-chinh",
    }


def test_onboarding_again_keeps_a_category_staff_renamed(tenant_db):
    # given the business category renamed by the province's staff
    province = tenant_db["thainguyen"]
    with schema_context(province.schema_name):
        business = next(c for c in site_categories(site=None) if c.slug == "doanh-nghiep")
        category_update(category=business, name="Doanh nghiệp và đầu tư", actor=None)
    # when the province is onboarded again with the same profile
    result = province_onboard(profile=resolve_profile("thainguyen"), dev_hosts=True)
    # then nothing changes: the category keeps the staff's name, no second one is created
    assert not [change for change in result.changes if change.startswith("category")]
    assert portal_categories(province)["doanh-nghiep"] == "Doanh nghiệp và đầu tư"


def test_a_newer_profile_adds_the_categories_it_names_and_renames_none(tenant_db):
    # given a newer profile whose business section has a new title, and a new tourism section
    text = THAI_NGUYEN.read_text(encoding="utf-8")
    text = text.replace('title = "Doanh nghiệp"', 'title = "Hỗ trợ doanh nghiệp"', 1)
    text = text.replace('category = "doanh-nghiep"', 'category = "ho-tro-doanh-nghiep"', 1)
    text += """
[[required_sections]]
code = "tourism"
name = "Du lịch, danh lam thắng cảnh"
title = "Du lịch"
slug = "du-lich"
content = { category = "du-lich" }
source = "QĐ 40/2012 Art. 4(1)"
"""
    profile = parse_profile(text, name="thainguyen.toml")
    # when the province is onboarded with it
    result = province_onboard(profile=profile, dev_hosts=True, shipped_only=False)
    # then the two new categories are added and the old one stays as it was
    categories = portal_categories(tenant_db["thainguyen"])
    assert categories["ho-tro-doanh-nghiep"] == "Hỗ trợ doanh nghiệp"
    assert categories["du-lich"] == "Du lịch"
    assert categories["doanh-nghiep"] == "Doanh nghiệp"
    assert sorted(c for c in result.changes if c.startswith("category")) == [
        "category du-lich created",
        "category ho-tro-doanh-nghiep created",
    ]
