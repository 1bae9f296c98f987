"""Rule profiles: the five shipped regulations load, every value cites its source, and a
malformed profile is refused with the field path and the reason. Pure Python: no Django."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from datetime import date, time
from pathlib import Path

import pytest
from pydantic import BaseModel

from provinces.loader import (
    PROFILES_DIR,
    ProfileError,
    load_profile,
    parse_profile,
    profile_in_force,
    profile_versions,
    resolve_profile,
    shipped_profile_paths,
    validate_paths,
)
from provinces.schema import PLATFORM_DEFAULT, Profile

ROOT = Path(__file__).resolve().parents[2]
SLUGS = ("backan", "dongnai", "hagiang", "thainguyen", "thuathienhue")
AXES = (
    "province",
    "language",
    "domains",
    "agencies",
    "governance",
    "update_slas",
    "qa",
    "public_services",
    "office_hours",
    "calendar",
    "backups",
    "reporting",
    "budget",
    "royalties",
    "accounts",
    "operations",
    "required_sections",
    "attribution",
)


def shipped_text(slug: str) -> tuple[str, str]:
    """(file name, text) of the newest shipped version of a province."""
    path = sorted((PROFILES_DIR / slug).glob("*.toml"))[-1]
    return path.name, path.read_text(encoding="utf-8")


def variant(tmp_path: Path, slug: str, *edits: tuple[str, str], name: str | None = None) -> Path:
    """A shipped profile with text edits applied, written under tmp_path/<slug>/."""
    file_name, text = shipped_text(slug)
    for old, new in edits:
        assert old in text, f"edit target not in {slug}: {old!r}"
        text = text.replace(old, new, 1)
    folder = tmp_path / slug
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or file_name)
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path, **kwargs) -> dict[str, str]:
    with pytest.raises(ProfileError) as caught:
        load_profile(path, **kwargs)
    return dict(caught.value.errors)


def walk(model: BaseModel, path: str = ""):
    """(path, model) for a model and every model nested in it."""
    yield path, model
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = (
            [(f"{path}.{name}[{i}]", v) for i, v in enumerate(value)]
            if isinstance(value, list)
            else [(f"{path}.{name}.{k}", v) for k, v in value.items()]
            if isinstance(value, dict)
            else [(f"{path}.{name}", value)]
        )
        for sub_path, item in items:
            if isinstance(item, BaseModel):
                yield from walk(item, sub_path)
    for name, workflow in getattr(model, "items", lambda: [])():
        if isinstance(workflow, BaseModel) and name not in type(model).model_fields:
            yield from walk(workflow, f"{path}.{name}")


def strings(model: BaseModel):
    for _, node in walk(model):
        for name in type(node).model_fields:
            value = getattr(node, name)
            values = (
                value
                if isinstance(value, list)
                else list(value.values())
                if isinstance(value, dict)
                else [value]
            )
            yield from (v for v in values if isinstance(v, str))


# --- the shipped profiles ------------------------------------------------------------------


def test_there_is_one_shipped_version_per_seed_regulation():
    assert sorted(p.parent.name for p in shipped_profile_paths()) == list(SLUGS)
    assert all(error is None for _, error in validate_paths(shipped_profile_paths()))


@pytest.mark.parametrize("slug", SLUGS)
def test_shipped_profile_loads_with_every_axis(slug):
    # given the version in force today
    profile = resolve_profile(slug)
    # then every axis of PROFILES.md is present
    assert isinstance(profile, Profile)
    assert profile.schema_version == 1
    assert profile.province.slug == slug
    for axis in AXES:
        value = getattr(profile, axis)
        assert value, f"{slug}: axis {axis} is empty"
    assert profile.governance.workflows.portal.steps
    assert profile.governance.workflows["component_site"].steps
    assert profile.qa.default_kind in profile.qa.kinds
    assert profile.office_hours.clock_start_time == time(8, 0)
    assert profile.office_hours.periods[-1].end == time(17, 0)
    assert sum(a.kind == "district" for a in profile.agencies) >= 1
    assert len(profile.agencies) >= 3


@pytest.mark.parametrize("slug", SLUGS)
def test_every_value_cites_a_source(slug):
    profile = resolve_profile(slug)
    sourced = [(path, node) for path, node in walk(profile) if "source" in type(node).model_fields]
    assert len(sourced) > 30
    for path, node in sourced:
        assert node.source.strip(), f"{slug}{path}: empty source"
        assert node.source == PLATFORM_DEFAULT or any(ch.isdigit() for ch in node.source), (
            f"{slug}{path}: '{node.source}' cites no article"
        )
        for field, source in getattr(node, "field_sources", {}).items():
            assert source.strip(), f"{slug}{path}.{field}: empty source"


@pytest.mark.parametrize("slug", SLUGS)
def test_vietnamese_text_is_precomposed(slug):
    profile = resolve_profile(slug)
    for text in strings(profile):
        assert unicodedata.is_normalized("NFC", text), text


def test_decomposed_input_is_stored_precomposed(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Hà Giang")
    path = variant(tmp_path, "hagiang", ('name = "Hà Giang"', f'name = "{decomposed}"'))
    assert load_profile(path).province.name == unicodedata.normalize("NFC", "Hà Giang")


def test_effective_dates_are_those_of_the_regulations():
    effective = {slug: resolve_profile(slug).effective_from for slug in SLUGS}
    assert effective == {
        "hagiang": date(2015, 10, 15),  # 10 days after signing 2015-10-05 (Decision Art. 2)
        "dongnai": date(2018, 12, 27),
        "thainguyen": date(2012, 11, 16),  # 10 days after 2012-11-06
        "thuathienhue": date(2007, 11, 26),  # 10 days after 2007-11-16
        "backan": date(2024, 8, 26),  # Decision Art. 2
    }


def test_component_hosts_follow_the_examples_of_the_texts():
    def hosts(slug):
        profile = resolve_profile(slug)
        return {profile.agency_host(a) for a in profile.agencies if a.component_site}

    # Hà Giang Art. 4(2): stttt.hagiang.gov.vn, bacquang.hagiang.gov.vn
    assert {"stttt.hagiang.gov.vn", "bacquang.hagiang.gov.vn"} <= hosts("hagiang")
    # Thái Nguyên Art. 7(2): phoyen.thainguyen.gov.vn, sokhdt.thainguyen.gov.vn
    assert {"phoyen.thainguyen.gov.vn", "sokhdt.thainguyen.gov.vn"} <= hosts("thainguyen")
    # Huế Art. 3: <so + unit abbreviation>.thuathienhue.gov.vn
    assert "sotttt.thuathienhue.gov.vn" in hosts("thuathienhue")
    for slug in SLUGS:
        assert all(host.isascii() for host in hosts(slug))


def test_workflows_follow_each_regulation():
    def steps(slug, workflow):
        flow = resolve_profile(slug).governance.workflows[workflow]
        return [(s.role, s.action) for s in flow.steps]

    assert steps("hagiang", "portal") == [
        ("focal_point", "submit"),
        ("board_editor", "review"),
        ("board_head", "publish"),
    ]
    dongnai = resolve_profile("dongnai").governance.workflows.portal
    assert [s.action for s in dongnai.steps] == [
        "submit",
        "review",
        "approve",
        "publish",
        "post_check",
    ]
    assert dongnai.post_publication_check is True
    assert steps("thainguyen", "portal") == [
        ("portal_updater", "submit"),
        ("portal_approver", "approve"),
        ("editor_in_chief", "publish"),
    ]
    assert steps("thainguyen", "component_site") == [("updater", "submit"), ("approver", "publish")]
    # Huế Art. 19: exactly three steps; the deputy may amend; delegation is allowed
    hue = resolve_profile("thuathienhue").governance.workflows.portal
    assert [(s.code, s.role, s.may_amend) for s in hue.steps] == [
        ("enter", "board_member", False),
        ("verify", "deputy_head", True),
        ("publish", "head", False),
    ]
    assert hue.delegation_allowed is True
    assert steps("backan", "portal") == [
        ("agency_provider", "submit"),
        ("board_approver", "publish"),
    ]
    backan = resolve_profile("backan").governance
    assert backan.role(backan.workflows.component_site.publish_step.role).scope == "agency"


def test_qa_deadlines():
    thainguyen = resolve_profile("thainguyen").qa
    # Thái Nguyên Art. 14(4): 5 / 10 / at most 15 working days (appointment), clock from 08:00
    assert {code: (k.working_days, k.appointment) for code, k in thainguyen.kinds.items()} == {
        "competence": (5, False),
        "interagency": (10, False),
        "special": (15, True),
    }
    assert thainguyen.clock_start == "office_start"
    assert thainguyen.source_of("clock_start") == "QĐ 40/2012 Art. 14(4)(c)"
    assert thainguyen.disclaimer
    for slug in ("hagiang", "dongnai", "backan", "thuathienhue"):
        qa = resolve_profile(slug).qa
        national = qa.kinds["national"]
        # Decree 43/2011 Art. 17: 15 working days, with a progress notice
        assert (qa.default_kind, national.working_days, national.progress_notice) == (
            "national",
            15,
            True,
        )
        assert qa.out_of_scope_return_immediately is True
        if slug in ("hagiang", "dongnai"):
            assert "Decree 43/2011 Art. 17" in national.source
            assert slug != "hagiang" or national.source.startswith("QĐ 19/2015 Art. 11")
        else:
            assert national.source == PLATFORM_DEFAULT


def test_update_slas_of_thai_nguyen_and_hue():
    thainguyen = resolve_profile("thainguyen")
    assert thainguyen.sla("news").within_working_hours == 8  # Art. 10(2)
    assert thainguyen.sla("legal_document").within_working_days == 2
    assert thainguyen.sla("procedure_change").anchor == "effective"  # Art. 10(3)
    hue = resolve_profile("thuathienhue")
    assert hue.sla("news").same_day_by == time(16, 0)  # Art. 9(3)
    assert hue.sla("urgent_notice").form == "immediately"  # Art. 9(2)
    assert {q.agency_kind: q.min_per_month for q in thainguyen.quotas} == {
        "department": 2,
        "district": 3,
    }  # Art. 8(3)


# --- malformed profiles are refused with the field path ----------------------------------------


def test_missing_field_is_named(tmp_path):
    path = variant(tmp_path, "hagiang", ('instrument = "QĐ 19/2015/QĐ-UBND"\n', ""))
    assert refused(path) == {"province.instrument": "Field required"}


def test_wrong_type_is_named(tmp_path):
    path = variant(
        tmp_path,
        "thainguyen",
        ("working_days = 5\n", 'working_days = "five"\n'),
        ("english = true", 'english = "yes"'),
    )
    errors = refused(path)
    assert set(errors) == {"qa.kinds.competence.working_days", "language.english"}
    assert "integer" in errors["qa.kinds.competence.working_days"]


def test_unknown_workflow_role_is_named(tmp_path):
    path = variant(tmp_path, "hagiang", ('role = "board_editor"', 'role = "ghost"'))
    errors = refused(path)
    assert list(errors) == ["governance.workflows.portal.steps[1].role"]
    assert errors["governance.workflows.portal.steps[1].role"].startswith(
        "unknown workflow role 'ghost'"
    )


@pytest.mark.parametrize("value", ["-5", "0"])
def test_negative_or_zero_qa_deadline_is_refused(tmp_path, value):
    path = variant(
        tmp_path,
        "thainguyen",
        ("working_days = 15\nappointment = true", f"working_days = {value}\nappointment = true"),
    )
    assert list(refused(path)) == ["qa.kinds.special.working_days"]


def test_negative_update_deadline_is_refused(tmp_path):
    path = variant(
        tmp_path, "thainguyen", ("within_working_hours = 8", "within_working_hours = -8")
    )
    assert list(refused(path)) == ["update_slas[1].within_working_hours"]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("stttt.hagiang.gov.vn", "exactly once"),
        ("{label}.{label}.hagiang.gov.vn", "exactly once"),
        ("{label}.ha_giang.gov.vn", "DNS"),
        ("{label}.{slug}.gov.vn", "braces"),
        ("{label}", "DNS"),
    ],
)
def test_bad_component_host_pattern_is_refused(tmp_path, pattern, reason):
    path = variant(tmp_path, "hagiang", ('"{label}.hagiang.gov.vn"', f'"{pattern}"'))
    errors = refused(path)
    assert reason in errors["domains.component_host_pattern"]


def test_bad_portal_domain_is_refused(tmp_path):
    path = variant(tmp_path, "backan", ('portal = "backan.gov.vn"', 'portal = "bắc kạn.gov.vn"'))
    assert "domains.portal" in refused(path)


def test_unknown_key_is_refused(tmp_path):
    path = variant(tmp_path, "thainguyen", ("[budget]\n", '[budget]\nowner_phone = "0280"\n'))
    assert refused(path) == {"budget.owner_phone": "unknown field (not in the profile schema)"}


def test_default_kind_must_be_a_kind(tmp_path):
    path = variant(tmp_path, "thainguyen", ('default_kind = "competence"', 'default_kind = "x"'))
    assert refused(path)["qa.default_kind"].startswith("'x' is not one of qa.kinds")


def test_sla_needs_exactly_one_within_form(tmp_path):
    path = variant(
        tmp_path,
        "thainguyen",
        ("within_working_hours = 8\n", "within_working_hours = 8\nwithin_days = 1\n"),
    )
    assert "exactly one of" in refused(path)["update_slas[1]"]


def test_post_publication_check_must_match_the_steps(tmp_path):
    path = variant(
        tmp_path, "dongnai", ("post_publication_check = true", "post_publication_check = false")
    )
    errors = refused(path)
    assert "governance.workflows.portal.post_publication_check" in errors


def test_office_hours_must_end_after_they_start(tmp_path):
    path = variant(tmp_path, "thainguyen", ("end = 17:00:00 }", "end = 07:00:00 }"))
    assert "office_hours.periods[1].end" in refused(path)


@pytest.mark.parametrize("source", ['""', '"   "', '"platform defaults"'])
def test_source_must_be_an_article_or_exactly_platform_default(tmp_path, source):
    path = variant(tmp_path, "thainguyen", ('source = "QĐ 40/2012 Art. 24"', f"source = {source}"))
    assert "royalties.source" in refused(path)


def test_underivable_host_label_is_refused(tmp_path):
    path = variant(tmp_path, "hagiang", ('short_name = "stttt"', 'short_name = "!!"'))
    assert "agencies[0]" in refused(path)


def test_several_problems_are_reported_together_with_the_file_name(tmp_path):
    path = variant(
        tmp_path,
        "hagiang",
        ('instrument = "QĐ 19/2015/QĐ-UBND"\n', ""),
        ("immediately = true", 'immediately = "soon"'),
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert path.name in message
    assert "province.instrument: Field required" in message
    assert "update_slas[6].immediately: " in message


def test_unreadable_files_are_profile_errors(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("schema_version = [", encoding="utf-8")
    assert "not valid TOML" in refused(broken)[""]
    assert refused(tmp_path / "missing.toml") == {"": "file not found"}


def test_uploaded_text_is_validated_like_a_file():
    _, text = shipped_text("backan")
    assert parse_profile(text).province.slug == "backan"
    with pytest.raises(ProfileError) as caught:
        parse_profile("schema_version = 'x'")
    assert "schema_version" in dict(caught.value.errors)


# --- extends = "national" ----------------------------------------------------------------------


def copy_tree(tmp_path: Path, *slugs: str) -> Path:
    base = tmp_path / "profiles"
    for folder in ("_national", *slugs):
        for source in (PROFILES_DIR / folder).glob("*.toml"):
            target = base / folder / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return base


def test_national_baseline_is_merged_under_the_province(tmp_path):
    # given a national baseline whose Q&A deadline changes
    base = copy_tree(tmp_path, "hagiang")
    national = base / "_national" / "2011-06-13.toml"
    national.write_text(
        national.read_text(encoding="utf-8").replace("working_days = 15", "working_days = 20"),
        encoding="utf-8",
    )
    # when Hà Giang, which extends it, is loaded
    profile = load_profile(base / "hagiang" / "2015-10-15.toml", base_dir=base)
    # then the inherited value follows the baseline, the province's own source wins,
    # and the province's lists replace the baseline's
    assert profile.qa.kinds["national"].working_days == 20
    assert profile.qa.kinds["national"].source.startswith("QĐ 19/2015 Art. 11")
    assert profile.qa.source_of("receipt_all_hours") == "QĐ 19/2015 Art. 9(1)"
    # (Art. 5(1)'s composite section stands for the baseline's concrete ones: ADR 0016)
    assert profile.required_sections[0].code == "organisation"
    assert (
        profile.required_sections[0].source == "QĐ 19/2015 Art. 5(1) → Decree 43/2011 Art. 10(1)(a)"
    )
    assert profile.sla("procedure_change") is not None


def test_unknown_base_is_refused(tmp_path):
    path = variant(tmp_path, "hagiang", ('extends = "national"', 'extends = "regional"'))
    assert "unknown base profile 'regional'" in refused(path)["extends"]


# --- versions by effective date ------------------------------------------------------------------


def two_versions(tmp_path: Path) -> Path:
    base = copy_tree(tmp_path, "thainguyen")
    _, text = shipped_text("thainguyen")
    amended = text.replace("effective_from = 2012-11-16", "effective_from = 2020-01-01").replace(
        "working_days = 5\n", "working_days = 4\n"
    )
    (base / "thainguyen" / "2020-01-01.toml").write_text(amended, encoding="utf-8")
    return base


def test_versions_are_sorted_by_effective_date(tmp_path):
    base = two_versions(tmp_path)
    versions = profile_versions("thainguyen", base_dir=base)
    assert [v.effective_from for v in versions] == [date(2012, 11, 16), date(2020, 1, 1)]


@pytest.mark.parametrize(
    ("on", "effective", "competence_days"),
    [
        (date(2012, 11, 16), date(2012, 11, 16), 5),
        (date(2019, 12, 31), date(2012, 11, 16), 5),
        (date(2020, 1, 1), date(2020, 1, 1), 4),
        (date(2031, 1, 1), date(2020, 1, 1), 4),
    ],
)
def test_profile_in_force_picks_the_latest_version_started(
    tmp_path, on, effective, competence_days
):
    base = two_versions(tmp_path)
    profile = profile_in_force("thainguyen", on, base_dir=base)
    assert profile.effective_from == effective
    assert profile.qa.kinds["competence"].working_days == competence_days


def test_nothing_in_force_before_the_first_version(tmp_path):
    base = two_versions(tmp_path)
    with pytest.raises(ProfileError) as caught:
        profile_in_force("thainguyen", date(2012, 11, 15), base_dir=base)
    assert "province.effective_from" in dict(caught.value.errors)


def test_unknown_province_is_a_profile_error(tmp_path):
    with pytest.raises(ProfileError, match="no profile for 'quangtri'"):
        profile_in_force("quangtri", date(2020, 1, 1))
    with pytest.raises(ProfileError):
        profile_versions("../etc")


def test_file_name_must_match_the_effective_date(tmp_path):
    base = copy_tree(tmp_path, "thainguyen")
    (base / "thainguyen" / "2012-11-16.toml").rename(base / "thainguyen" / "2013-01-01.toml")
    with pytest.raises(ProfileError) as caught:
        profile_versions("thainguyen", base_dir=base)
    assert "province.effective_from" in dict(caught.value.errors)
    [(_, error)] = validate_paths([base / "thainguyen" / "2013-01-01.toml"], base_dir=base)
    assert error is not None


def test_resolve_profile_takes_a_path_or_a_slug(tmp_path):
    base = two_versions(tmp_path)
    by_path = resolve_profile(str(base / "thainguyen" / "2020-01-01.toml"))
    by_slug = resolve_profile("thainguyen", date(2015, 1, 1), base_dir=base)
    assert (by_path.effective_from, by_slug.effective_from) == (
        date(2020, 1, 1),
        date(2012, 11, 16),
    )


# --- boundaries ----------------------------------------------------------------------------------


def test_schema_and_loader_do_not_import_django():
    code = (
        "import sys, provinces.schema, provinces.loader\n"
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_profiles_are_immutable():
    profile = resolve_profile("hagiang")
    with pytest.raises(ValueError, match="frozen"):
        profile.province.slug = "other"


# --- the national baseline by date (ADR 0009) -----------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_every_shipped_version_composes_with_every_baseline_it_can_meet(slug):
    from provinces.loader import baseline_versions

    for version_path in sorted((PROFILES_DIR / slug).glob("*.toml")):
        version = load_profile(version_path)
        for effective, _ in baseline_versions():
            on = max(effective, version.effective_from)
            composed = load_profile(version_path, on=on)
            assert composed.province == version.province
            if composed.baseline is not None:
                assert composed.baseline.effective_from <= on
                assert composed.baseline.effective_from.isoformat() in {
                    path.stem for _, path in baseline_versions()
                }


def test_baseline_files_are_named_by_their_effective_date():
    from provinces.loader import baseline_versions

    versions = baseline_versions()
    assert [effective.isoformat() for effective, _ in versions] == ["2011-06-13", "2022-08-15"]
    for effective, path in versions:
        assert f"effective_from = {effective.isoformat()}" in path.read_text(encoding="utf-8")
