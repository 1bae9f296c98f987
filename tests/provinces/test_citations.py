"""A profile's source as a citizen reads it: Vietnamese, never the platform's own words."""

from __future__ import annotations

import pytest

from provinces.citations import for_citizens
from provinces.loader import PROFILES_DIR, load_profile


@pytest.mark.parametrize(
    ("source", "citizens_read"),
    [
        ("QĐ 40/2012 Art. 14(4)(a)", "Điều 14 khoản 4 điểm a Quyết định số 40/2012/QĐ-UBND"),
        (
            "QĐ 40/2012 Art. 6(3), 17(2)",
            "Điều 6 khoản 3, Điều 17 khoản 2 Quyết định số 40/2012/QĐ-UBND",
        ),
        ("QĐ 57/2018 Art. 8(2)(đ)", "Điều 8 khoản 2 điểm đ Quyết định số 57/2018/QĐ-UBND"),
        ("Decree 43/2011 Art. 17", "Điều 17 Nghị định số 43/2011/NĐ-CP"),
        (
            "QĐ 19/2015 Art. 11 → Decree 43/2011 Art. 17, "
            "kept: Decree 42/2022 sets no rule for questions",
            "Điều 11 Quyết định số 19/2015/QĐ-UBND; Điều 17 Nghị định số 43/2011/NĐ-CP",
        ),
        (
            "QĐ 2567/2007 Art. 1(2), 3 (demo agency)",
            "Điều 1 khoản 2, Điều 3 Quyết định số 2567/2007/QĐ-UBND",
        ),
        (
            "QĐ 11/2024 Art. 8(1) → Law on Access to Information 2016 Art. 22",
            "Điều 8 khoản 1 Quyết định số 11/2024/QĐ-UBND; Điều 22 Luật Tiếp cận thông tin 2016",
        ),
        ("Civil Code 2015 Art. 147", "Điều 147 Bộ luật Dân sự 2015"),
    ],
)
def test_an_article_reads_as_vietnamese_law_is_cited(source, citizens_read):
    assert for_citizens(source) == citizens_read


@pytest.mark.parametrize(
    "source",
    [
        None,
        "",
        "platform default",
        "national",
        "platform reading, ADR 0005",
        "QĐ 57/2018 (date of signing, per the seeds index)",
        "something no one wrote yet",
    ],
)
def test_the_platforms_own_readings_and_what_cannot_be_read_are_not_shown(source):
    assert for_citizens(source) is None


def test_a_reading_beside_an_article_keeps_the_article_only():
    assert for_citizens("QĐ 2567/2007 Art. 9(2); platform default (reading of “ngay”)") == (
        "Điều 9 khoản 2 Quyết định số 2567/2007/QĐ-UBND"
    )


def test_every_qa_source_of_the_shipped_profiles_reads_in_vietnamese_or_not_at_all():
    # what the Q&A pages show citizens: the kinds' deadlines, the disclaimer, the retention
    for path in sorted(PROFILES_DIR.glob("[a-z]*/*.toml")):
        qa = load_profile(path).qa
        sources = [kind.source for kind in qa.kinds.values()]
        sources += [qa.source_of(name) for name in ("disclaimer", "retention_days", "clock_start")]
        for source in sources:
            shown = for_citizens(source)
            assert shown is None or not any(
                word in shown for word in ("Art.", "Decree", "platform", "kept", "national")
            ), (path, source, shown)
