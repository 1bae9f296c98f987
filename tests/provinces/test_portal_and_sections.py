"""Who runs a portal (`[portal]`) and the sections citizens reach (`[[required_sections]]`):
validated when a profile loads, composite sections expanded to the national ones in force, and
every shipped profile ends with concrete sections that each say what fills them (ADR 0016).
Pure Python: no Django models, no database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.utils.text import slugify
from unidecode import unidecode

from provinces.citations import for_citizens
from provinces.colours import contrast
from provinces.items import ITEM_KINDS
from provinces.loader import (
    PROFILES_DIR,
    ProfileError,
    baseline_versions,
    load_profile,
    shipped_profile_paths,
)
from provinces.schema import section_slug

pytestmark = pytest.mark.without_services

SLUGS = ("backan", "dongnai", "hagiang", "thainguyen", "thuathienhue")


def edited(tmp_path: Path, slug: str, *edits: tuple[str, str]) -> Path:
    """A copy of the profiles tree under tmp_path with text edits applied to one province's
    shipped file (the national baseline copied alongside); the edited file's path."""
    base = tmp_path / "profiles"
    for folder in ("_national", slug):
        for source in (PROFILES_DIR / folder).glob("*.toml"):
            target = base / folder / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    path = sorted((base / slug).glob("*.toml"))[-1]
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, f"edit target not in {slug}: {old!r}"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path, **kwargs) -> dict[str, str]:
    with pytest.raises(ProfileError) as caught:
        load_profile(path, base_dir=path.parent.parent, **kwargs)
    return dict(caught.value.errors)


def loaded(path: Path, **kwargs):
    return load_profile(path, base_dir=path.parent.parent, **kwargs)


# --- [portal] ----------------------------------------------------------------------------------


def test_a_colour_white_text_cannot_be_read_on_is_refused_with_its_contrast(tmp_path):
    # given Thái Nguyên's colour replaced by a light green
    path = edited(tmp_path, "thainguyen", ('colour = "#0b5e3b"', 'colour = "#7ccf9a"'))
    # when / then
    reason = refused(path)["portal.colour"]
    assert "white text on #7ccf9a has a contrast of 1.87:1; it needs 4.5:1" in reason
    # the grey that just passes (4.54:1) is accepted
    grey = edited(tmp_path / "grey", "thainguyen", ('colour = "#0b5e3b"', 'colour = "#767676"'))
    assert loaded(grey).portal.colour == "#767676"


@pytest.mark.parametrize("colour", ["green", "#0b5e3", "#0B5E3B", "0b5e3b"])
def test_a_colour_not_written_rrggbb_is_refused(tmp_path, colour):
    path = edited(tmp_path, "thainguyen", ('colour = "#0b5e3b"', f'colour = "{colour}"'))
    assert "is not a colour written #rrggbb" in refused(path)["portal.colour"]


def test_a_portal_without_contacts_or_with_bad_ones_is_refused(tmp_path):
    path = edited(
        tmp_path,
        "thainguyen",
        ('email = "portal@thainguyen.gov.vn"', 'email = "portal at thainguyen"'),
        ('phone = "0208 3 600 000"', 'phone = "gọi cho chúng tôi"'),
        ('colour = "#0b5e3b"', 'colour = "#0b5e3b"\nemblem = "../../etc/passwd.svg"'),
    )
    problems = refused(path)
    assert "is not an e-mail address" in problems["portal.email"]
    assert "is not a telephone number" in problems["portal.phone"]
    assert "is not a static file path" in problems["portal.emblem"]
    removed = edited(tmp_path / "again", "thainguyen", ('responsible = "', 'nobody = "'))
    problems = refused(removed)
    assert problems["portal.nobody"] == "unknown field (not in the profile schema)"
    assert problems["portal.responsible"] == "Field required"


@pytest.mark.parametrize("slug", SLUGS)
def test_each_shipped_portal_names_its_managing_body_and_a_readable_colour(slug):
    profile = load_profile(sorted((PROFILES_DIR / slug).glob("*.toml"))[-1])
    portal = profile.portal
    assert portal.managing_body
    assert portal.address
    assert portal.responsible
    assert contrast(portal.colour) >= 4.5
    # what the regulation does not say is marked as such, never presented as law
    for field in ("address", "phone"):
        assert portal.source_of(field).startswith(("demo data", "platform default")), field


# --- [[required_sections]] ---------------------------------------------------------------------


def test_an_unknown_kind_or_a_static_page_listed_as_a_kind_is_refused(tmp_path):
    path = edited(
        tmp_path,
        "thainguyen",
        ('content = { kinds = ["statistics_report"] }', 'content = { kinds = ["statistic"] }'),
        (
            'content = { kinds = ["news", "event"] }',
            'content = { kinds = ["news", "static_page", "news"] }',
        ),
    )
    problems = refused(path)
    statistics = next(p for p, r in problems.items() if "'statistic' is not an item kind" in r)
    assert statistics.startswith("required_sections[")
    assert statistics.endswith("content.kinds[0]")
    assert any(
        '`page = "<slug>"`' in reason and path.endswith("content.kinds[1]")
        for path, reason in problems.items()
    )
    assert any("'news' is listed twice" in reason for reason in problems.values())


def test_a_duplicate_address_or_code_is_refused(tmp_path):
    path = edited(
        tmp_path,
        "thainguyen",
        ('slug = "doanh-nghiep"', 'slug = "thong-ke"'),
        ('code = "business"', 'code = "statistics"'),
    )
    problems = refused(path)
    assert any(
        path.endswith(".slug") and "'thong-ke' is already used by required_sections[" in reason
        for path, reason in problems.items()
    )
    assert any(
        path.endswith(".code") and "'statistics' is already used" in reason
        for path, reason in problems.items()
    )


def test_a_section_says_what_fills_it_in_exactly_one_form(tmp_path):
    path = edited(
        tmp_path,
        "thainguyen",
        ('content = { page = "gioi-thieu" }', 'content = { page = "gioi-thieu", builtin = "qa" }'),
        ('content = { builtin = "procedures" }', "content = {}"),
        ('content = { builtin = "contacts" }', 'content = { builtin = "weather" }'),
    )
    problems = refused(path)
    reasons = " | ".join(problems.values())
    assert "exactly one of: kinds and/or category, page, builtin (got page, builtin)" in reasons
    assert "(got none)" in reasons
    assert any(path.endswith("content.builtin") for path in problems)


def test_a_category_is_the_address_onboarding_gives_the_sections_title(tmp_path):
    path = edited(
        tmp_path, "thainguyen", ('category = "doanh-nghiep"', 'category = "doanh-nghiep-moi"')
    )
    reason = next(r for p, r in refused(path).items() if p.endswith("content.category"))
    assert "has the address 'doanh-nghiep', not 'doanh-nghiep-moi'" in reason


def test_the_english_pages_are_refused_where_the_portal_has_no_english(tmp_path):
    path = edited(tmp_path, "thainguyen", ("english = true", "english = false"))
    problems = refused(path)
    assert any(
        p.endswith("content.builtin") and "only where language.english is true" in reason
        for p, reason in problems.items()
    )


def test_section_addresses_are_the_ones_the_editorial_module_gives_categories():
    # The onboarding creates a section's category with its title; the profile names its slug.
    for title in ("Chỉ đạo, điều hành", "Hỗ trợ – doanh nghiệp", "Đồng Nai 2018", "Tiếng Anh"):
        assert section_slug(title) == slugify(unidecode(title))


# --- composite sections ----------------------------------------------------------------------


def test_a_composite_section_expands_to_the_national_sections_in_force(tmp_path):
    # given Hà Giang's Art. 5(1) section, which stands for the Decree 43/2011 content
    path = PROFILES_DIR / "hagiang" / "2015-10-15.toml"
    # when composed in 2020 (Decree 43/2011) and in 2026 (Decree 42/2022)
    before = load_profile(path, on=date(2020, 1, 1))
    after = load_profile(path, on=date(2026, 1, 1))
    # then each national section takes its place, cited through the province's own article
    codes = [section.code for section in before.required_sections]
    assert "decree43_content" not in codes
    assert codes[:3] == ["organisation", "news", "direction"]
    assert before.required_sections[0].source == (
        "QĐ 19/2015 Art. 5(1) → Decree 43/2011 Art. 10(1)(a)"
    )
    assert for_citizens(before.required_sections[0].source) == (
        "Điều 5 khoản 1 Quyết định số 19/2015/QĐ-UBND; "
        "Điều 10 khoản 1 điểm a Nghị định số 43/2011/NĐ-CP"
    )
    # Decree 42/2022 adds the annual financial report and (Hà Giang offers English) Art. 7
    later = {section.code: section for section in after.required_sections}
    assert "financial_report" in later
    assert "financial_report" not in codes
    assert later["english"].source == "QĐ 19/2015 Art. 5(1) → Decree 42/2022 Art. 7"
    # the sections Hà Giang lists itself win over the national ones with the same page
    assert later["qa"].source == "QĐ 19/2015 Art. 5(4)"
    assert later["consultation"].source == "QĐ 19/2015 Art. 7(5)"
    assert "procedures" not in later  # Art. 5(2)'s "Dịch vụ công" is the procedures page
    assert "contacts" not in later  # Art. 5(3)'s e-mail directory is the contacts page


def test_a_province_without_english_takes_no_english_section():
    # Bắc Kạn Art. 4(1) takes Decree 42/2022 Art. 4; it publishes no English version
    profile = load_profile(PROFILES_DIR / "backan" / "2024-08-26.toml")
    assert not profile.language.english
    assert all(s.content.builtin != "english" for s in profile.required_sections)
    assert "financial_report" in {s.code for s in profile.required_sections}


def test_a_composite_section_must_defer_in_its_source(tmp_path):
    path = edited(
        tmp_path,
        "hagiang",
        ('source = "QĐ 19/2015 Art. 5(1) → national"', 'source = "QĐ 19/2015 Art. 5(1)"'),
    )
    problems = refused(path)
    assert (
        "write the province's article as '<article> → national'"
        in problems["required_sections[0].source"]
    )
    other = edited(tmp_path / "b", "hagiang", ('expand = "national"', 'expand = "regional"'))
    assert refused(other)["required_sections[0].expand"] == "only 'national' can be expanded"


# --- every shipped profile is concrete ----------------------------------------------------------


def compositions():
    """Every shipped province version composed with every baseline it can meet."""
    for path in shipped_profile_paths():
        for effective, _ in baseline_versions():
            yield pytest.param(path, effective, id=f"{path.parent.name}-{effective}")


@pytest.mark.parametrize(("path", "on"), list(compositions()))
def test_every_shipped_profile_ends_with_concrete_sections_that_say_what_fills_them(path, on):
    profile = load_profile(path, on=on)
    sections = profile.required_sections
    assert sections
    slugs = [section.slug for section in sections]
    assert len(slugs) == len(set(slugs))
    for section in sections:
        fills = section.content
        assert fills.form in ("items", "page", "builtin"), section.code
        assert set(fills.kinds) <= set(ITEM_KINDS)
        assert section.title
        assert len(section.title) <= 40
        # a citizen reads each section's basis in Vietnamese on the legal-basis page
        assert for_citizens(section.source), (section.code, section.source)
