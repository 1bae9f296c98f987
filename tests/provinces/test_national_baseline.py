"""The national baseline by date (ADR 0009): a rule a province takes from the national baseline
is the one in force at the moment being computed, not on the province's effective date.

Decree 43/2011 was replaced by Decree 42/2022 from 2022-08-15 (`_national/2022-08-15.toml`).
Hà Giang QĐ 19/2015 Art. 11 defers its deadlines to "Điều 17 Nghị định 43/2011"; Art. 8(3)
speaks of the levels of online public services without listing them. Decree 42/2022 Art. 11
replaced the four levels of Decree 43/2011 Art. 3(4) by "toàn trình" and "một phần"; it sets no
rule for citizens' questions, so the Decree 43 rule is kept and the source says so."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest

from provinces.calendar import TZ
from provinces.loader import (
    PROFILES_DIR,
    ProfileError,
    load_profile,
    profile_in_force,
    validate_paths,
)
from tests.factories.qa import submitted

HAGIANG = PROFILES_DIR / "hagiang" / "2015-10-15.toml"
BEFORE_DECREE_42 = date(2020, 3, 2)
UNDER_DECREE_42 = date(2026, 3, 2)
SUCCESSOR_LEVELS = (
    "QĐ 19/2015 Art. 8(3) → Decree 42/2022 Art. 11 "
    "(successor of Decree 43/2011 Art. 3(4), replaced 2022-08-15)"
)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def _copy(tmp_path: Path, *folders: str) -> Path:
    base = tmp_path / "profiles"
    for folder in folders:
        for source in (PROFILES_DIR / folder).glob("*.toml"):
            target = base / folder / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return base


# --- a question in Hà Giang, before and under Decree 42/2022 ------------------------------------


@pytest.fixture
def qa_province(province_schema):
    """Enter a province's schema with one topic routed to its first agency."""
    from qa.services import topic_ensure

    def enter(slug: str):
        site, staff = province_schema(slug)
        return site, staff, topic_ensure(name="Đất đai", agency=site.agency)

    return enter


def test_hagiang_question_received_in_2026_takes_decree_42_where_it_has_one(qa_province):
    from core.profiles import current_profile

    # given Hà Giang's 2015 regulation, which defers to Decree 43/2011 Art. 17
    _site, _staff, topic = qa_province("hagiang")
    # when a question arrives on 2026-03-02, under Decree 42/2022
    question = submitted(topic, received_at=_at(UNDER_DECREE_42))
    profile = current_profile(UNDER_DECREE_42)
    # then the rules taken from the baseline are those of Decree 42/2022 where it has one ...
    assert profile.province.instrument == "QĐ 19/2015/QĐ-UBND"
    assert (profile.baseline.name, profile.baseline.effective_from) == (
        "Nghị định 42/2022/NĐ-CP",
        date(2022, 8, 15),
    )
    assert profile.public_services.levels == ["full", "partial"]
    assert profile.public_services.source_of("levels") == SUCCESSOR_LEVELS
    # ... and the question's rule, which Decree 42/2022 does not replace, is Decree 43's,
    # kept, and its stored source says so
    assert question.deadline_working_days == 15
    assert question.deadline_source == (
        "QĐ 19/2015 Art. 11 → Decree 43/2011 Art. 17, kept: Decree 42/2022 sets no rule "
        "for questions"
    )
    assert question.due_at.astimezone(TZ) == datetime(2026, 3, 23, 17, tzinfo=TZ)


def test_hagiang_question_received_in_2020_takes_decree_43(qa_province):
    from core.profiles import current_profile

    _site, _staff, topic = qa_province("hagiang")
    question = submitted(topic, received_at=_at(BEFORE_DECREE_42))
    profile = current_profile(BEFORE_DECREE_42)
    assert profile.baseline.name == "Nghị định 43/2011/NĐ-CP"
    assert profile.public_services.levels == ["level1", "level2", "level3", "level4"]
    assert profile.public_services.source_of("levels") == (
        "QĐ 19/2015 Art. 8(3) → Decree 43/2011 Art. 3(4)"
    )
    assert question.deadline_source == "QĐ 19/2015 Art. 11 → Decree 43/2011 Art. 17"
    assert "42/2022" not in question.deadline_rule + question.deadline_source


def test_a_question_keeps_the_rule_it_started_under(qa_province):
    # given a question received on the last working day under Decree 43/2011
    _site, _staff, topic = qa_province("hagiang")
    question = submitted(topic, received_at=_at(date(2022, 8, 12)))
    stored = (question.due_at, question.deadline_rule, question.deadline_source)
    # when it is read again after Decree 42/2022 took effect (its deadline runs into it)
    question.refresh_from_db()
    # then its deadline and the rule it was given do not move
    assert question.due_at.astimezone(TZ).date() > date(2022, 8, 15)
    assert (question.due_at, question.deadline_rule, question.deadline_source) == stored
    assert "42/2022" not in question.deadline_source


# --- what changes with the baseline, and what never does -----------------------------------------


def _deferring(table: object) -> bool:
    """A table (or list item) that takes a value from the baseline: its source, or one of its
    field_sources, is "national" or "<article> → national"."""
    if not isinstance(table, dict):
        return False
    sources = [table.get("source"), *dict(table.get("field_sources") or {}).values()]
    return any(
        isinstance(source, str) and (source == "national" or source.endswith("→ national"))
        for source in sources
    )


def test_values_the_province_sets_itself_are_the_same_at_both_dates():
    before = profile_in_force("hagiang", BEFORE_DECREE_42)
    under = profile_in_force("hagiang", UNDER_DECREE_42)
    own = tomllib.loads(HAGIANG.read_text(encoding="utf-8"))
    compared = 0
    for key, value in own.items():
        if key in {"extends", "schema_version"}:
            continue
        tables = value if isinstance(value, list) else [value]
        if any(_deferring(table) for table in tables):
            continue
        assert getattr(before, key) == getattr(under, key), key
        compared += 1
    assert compared >= 10
    # inside a table that defers, the fields the province writes itself do not move either
    assert before.qa.source_of("receipt_all_hours") == "QĐ 19/2015 Art. 9(1)"
    assert under.qa.source_of("receipt_all_hours") == "QĐ 19/2015 Art. 9(1)"
    assert before.sla("procedure_change") == under.sla("procedure_change")
    assert before.public_services.required_fields == under.public_services.required_fields


def test_only_what_the_successor_replaces_changes():
    before = profile_in_force("hagiang", BEFORE_DECREE_42)
    under = profile_in_force("hagiang", UNDER_DECREE_42)
    # Decree 42/2022 sets no figure for update deadlines: the Decree 43 figures are kept
    assert [(s.content_type, s.within_working_days) for s in before.update_slas] == [
        (s.content_type, s.within_working_days) for s in under.update_slas
    ]
    statistics = under.sla("statistics")
    assert statistics.source.startswith("QĐ 19/2015 Art. 11 → Decree 43/2011 Art. 17, kept")
    assert before.sla("statistics").source == "QĐ 19/2015 Art. 11 → Decree 43/2011 Art. 17"


def test_thai_nguyen_values_copied_from_decree_43_follow_its_successor():
    # Thái Nguyên's text is complete but silent on these: the national rule applies directly
    under = profile_in_force("thainguyen", UNDER_DECREE_42)
    before = profile_in_force("thainguyen", date(2013, 1, 2))
    assert under.baseline.name == "Nghị định 42/2022/NĐ-CP"
    assert before.baseline.name == "Nghị định 43/2011/NĐ-CP"
    assert before.sla("science_programme").source == "Decree 43/2011 Art. 17"
    assert under.sla("science_programme").source.startswith("Decree 43/2011 Art. 17, kept")
    assert under.sla("science_programme").within_working_days == 20
    assert before.qa.source_of("out_of_scope_return_immediately") == "Decree 43/2011 Art. 17"
    # its own Q&A kinds are not joined by the baseline's (it does not extend the baseline)
    assert set(under.qa.kinds) == {"competence", "interagency", "special"}
    assert under.sla("legal_document").source == "QĐ 40/2012 Art. 10(2)"


def test_backan_takes_the_levels_of_online_services_from_the_text_in_force():
    # Bắc Kạn Art. 21(1): a text it refers to that is replaced applies as replaced
    backan = profile_in_force("backan", UNDER_DECREE_42)
    assert backan.public_services.levels == ["full", "partial"]
    assert backan.public_services.source_of("levels") == (
        "QĐ 11/2024 Art. 4(1), 21(1) → Decree 42/2022 Art. 11 "
        "(successor of Decree 43/2011 Art. 3(4), replaced 2022-08-15)"
    )


def test_a_self_contained_profile_has_no_baseline():
    assert profile_in_force("thuathienhue", UNDER_DECREE_42).baseline is None


# --- the baseline folder --------------------------------------------------------------------------


def test_a_baseline_folder_with_one_version_still_works(tmp_path):
    base = _copy(tmp_path, "_national", "hagiang")
    (base / "_national" / "2022-08-15.toml").unlink()
    profile = profile_in_force("hagiang", UNDER_DECREE_42, base_dir=base)
    assert profile.baseline.name == "Nghị định 43/2011/NĐ-CP"
    assert profile.qa.kinds["national"].source == "QĐ 19/2015 Art. 11 → Decree 43/2011 Art. 17"


def test_an_instant_before_every_baseline_uses_the_oldest(tmp_path):
    base = _copy(tmp_path, "_national", "thuathienhue", "hagiang")
    # Hà Giang's file moved back before 2011 stands for any text older than every baseline
    text = (
        HAGIANG.read_text(encoding="utf-8")
        .replace("effective_from = 2015-10-15", "effective_from = 2009-01-01")
        .replace("signed = 2015-10-05", "signed = 2009-01-01")
    )
    (base / "hagiang" / "2015-10-15.toml").unlink()
    (base / "hagiang" / "2009-01-01.toml").write_text(text, encoding="utf-8")
    profile = profile_in_force("hagiang", date(2010, 5, 4), base_dir=base)
    assert profile.baseline.effective_from == date(2011, 6, 13)


def test_each_profile_is_composed_once_per_baseline_version():
    first = profile_in_force("hagiang", UNDER_DECREE_42)
    assert profile_in_force("hagiang", date(2025, 1, 2)) is first
    assert profile_in_force("hagiang", BEFORE_DECREE_42) is not first
    assert profile_in_force("hagiang", date(2016, 1, 4)) is profile_in_force(
        "hagiang", BEFORE_DECREE_42
    )


def test_a_deferral_the_baseline_cannot_answer_is_named(tmp_path):
    base = _copy(tmp_path, "_national", "hagiang")
    path = base / "hagiang" / "2015-10-15.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'content_type = "science_programme"', 'content_type = "science_fair"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(path, base_dir=base)
    [(field, reason)] = [(f, r) for f, r in caught.value.errors if f.startswith("update_slas")]
    assert field.startswith("update_slas[")
    assert "science_fair" in reason
    assert "2011-06-13" in reason


def test_validation_checks_every_baseline_a_version_can_meet(tmp_path):
    # given a 2022 baseline that lost a value Hà Giang defers to
    base = _copy(tmp_path, "_national", "hagiang")
    national = base / "_national" / "2022-08-15.toml"
    national.write_text(
        national.read_text(encoding="utf-8").replace(
            'content_type = "science_programme"', 'content_type = "science_other"'
        ),
        encoding="utf-8",
    )
    # then validating Hà Giang (which starts under Decree 43) names the 2022 baseline
    [(_, error)] = validate_paths([base / "hagiang" / "2015-10-15.toml"], base_dir=base)
    assert error is not None
    assert any("2022-08-15" in reason for _, reason in error.errors)


def test_a_province_may_not_write_the_baseline_itself(tmp_path):
    base = _copy(tmp_path, "_national", "hagiang")
    path = base / "hagiang" / "2015-10-15.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n[baseline]\nname = "x"\neffective_from = 2011-06-13\nsource = "x 1"\n',
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(path, base_dir=base)
    assert "baseline" in dict(caught.value.errors)


# --- the commands say which baseline applied ------------------------------------------------------


def _run(*args: str) -> list[str]:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().splitlines()


def test_deadline_command_names_the_baseline_of_the_day_received():
    lines = _run("deadline", "--profile", "hagiang", "--received", "2026-03-02T10:00")
    assert lines[0] == "2026-03-23T17:00:00+07:00"
    assert (
        "national baseline: Nghị định 42/2022/NĐ-CP, in force from 2022-08-15; "
        "replaces Nghị định 43/2011/NĐ-CP"
    ) in lines
    assert (
        "source: QĐ 19/2015 Art. 11 → Decree 43/2011 Art. 17, kept: Decree 42/2022 sets no rule "
        "for questions"
    ) in lines
    before = _run("deadline", "--profile", str(HAGIANG), "--received", "2020-03-02T10:00")
    assert "national baseline: Nghị định 43/2011/NĐ-CP, in force from 2011-06-13" in before
    assert "source: QĐ 19/2015 Art. 11 → Decree 43/2011 Art. 17" in before


def test_profiles_show_names_the_baseline_in_force_that_day():
    lines = _run("profiles", "show", "hagiang", "--on", "2026-03-02")
    assert (
        "  national baseline: Nghị định 42/2022/NĐ-CP, in force from 2022-08-15; "
        "replaces Nghị định 43/2011/NĐ-CP"
    ) in lines
    hue = _run("profiles", "show", "thuathienhue", "--on", "2026-03-02")
    assert any(line.startswith("  national baseline: none") for line in hue)


def test_workflow_explain_names_the_baseline():
    lines = _run("workflow", "explain", "--profile", "dongnai")
    assert lines[-1].startswith("national baseline: Nghị định 42/2022/NĐ-CP")
    assert lines[-2] == "profile: QĐ 57/2018/QĐ-UBND, in force from 2018-12-27"


def test_platform_defaults_are_the_same_in_every_baseline():
    # A national text changes what it regulates; the platform's own defaults do not move with it
    from provinces.loader import baseline_versions

    versions = [tomllib.loads(path.read_text(encoding="utf-8")) for _, path in baseline_versions()]
    oldest = versions[0]
    checked = 0
    for name, table in oldest.items():
        if not isinstance(table, dict) or name == "baseline":
            continue
        defaults = [
            field
            for field in table
            if field not in ("source", "field_sources")
            and (table.get("field_sources") or {}).get(field, table.get("source"))
            == "platform default"
        ]
        for later in versions[1:]:
            for field in defaults:
                assert later[name][field] == table[field], f"{name}.{field}"
                checked += 1
    assert checked >= 15
