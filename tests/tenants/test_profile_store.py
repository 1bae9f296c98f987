"""The profile store (ADR 0031): the shipped files seeded as approved versions, the version in
force read from the store at the instant computed, a process's copy kept until the store of
that province changes. Rows are written through the model here (the store's own unit); the
review by two operators is tested in test_profile_versions.py and test_profile_acceptance.py."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import AuditEntry
from core.profiles import current_profile
from provinces import loader
from provinces.loader import (
    PROFILES_DIR,
    ProfileError,
    known_slugs,
    load_profile,
    profile_in_force,
    profile_versions,
    register_version_source,
    shipped_profile_paths,
    today_in_vietnam,
)
from tenants import profile_store
from tenants.models import ProfileVersion
from tenants.services import OnboardingError, _check_shipped
from tests.conftest import SEED_SLUGS

THAI_NGUYEN = PROFILES_DIR / "thainguyen" / "2012-11-16.toml"
COMPETENCE = "[qa.kinds.competence]\nworking_days = 5\n"


def _text(path=THAI_NGUYEN, *, effective: date | None = None, days: int | None = None) -> str:
    text = path.read_text(encoding="utf-8")
    if effective is not None:
        assert text.count("effective_from = 2012-11-16") == 1
        text = text.replace("effective_from = 2012-11-16", f"effective_from = {effective}")
    if days is not None:
        assert text.count(COMPETENCE) == 1
        text = text.replace(COMPETENCE, f"[qa.kinds.competence]\nworking_days = {days}\n")
    return text


def _store(text: str, *, slug: str = "thainguyen", effective: date, origin="upload", **fields):
    """An approved row as the review leaves it (written directly: the store's unit)."""
    with schema_context(get_public_schema_name()):
        return ProfileVersion.objects.create(
            slug=slug,
            effective_from=effective,
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            origin=origin,
            status=fields.pop("status", ProfileVersion.Status.APPROVED),
            author_name="vanhanh1",
            **fields,
        )


def _competence_days(profile) -> int:
    return profile.qa.kinds["competence"].working_days


# --- seeds -------------------------------------------------------------------------------------


def test_every_shipped_file_is_an_approved_seed_after_migrating(tenant_db):
    # given: the test database, migrated (the seeding runs after the public schema's migration)
    rows = ProfileVersion.objects.filter(origin=ProfileVersion.Origin.SHIPPED)
    # then: one approved row per shipped file, its text and validated form
    paths = shipped_profile_paths()
    assert rows.filter(status=ProfileVersion.Status.APPROVED).count() == len(paths)
    for path in paths:
        row = rows.get(slug=path.parent.name, effective_from=date.fromisoformat(path.stem))
        text = path.read_text(encoding="utf-8")
        assert row.text == text
        assert row.sha256 == hashlib.sha256(text.encode()).hexdigest()
        assert row.data == load_profile(path).model_dump(mode="json")
        assert row.author_name == "kho mã của nền tảng"
        assert row.status == ProfileVersion.Status.APPROVED


def test_seeding_again_changes_nothing(tenant_db):
    before = sorted(ProfileVersion.objects.values_list("pk", "slug", "status", "sha256"))
    result = profile_store.seed_shipped()
    assert not result.changed
    assert sorted(ProfileVersion.objects.values_list("pk", "slug", "status", "sha256")) == before


def test_a_changed_shipped_file_supersedes_its_old_seed(tenant_db):
    # given: the seed of Thái Nguyên stored from an older text of the same file
    seed = ProfileVersion.objects.get(
        slug="thainguyen", origin="shipped", status=ProfileVersion.Status.APPROVED
    )
    older = _text(days=4)
    seed.text, seed.sha256 = older, hashlib.sha256(older.encode()).hexdigest()
    seed.save(update_fields=["text", "sha256"])
    # when
    result = profile_store.seed_shipped()
    # then: the old seed superseded, the file's text approved in its place
    assert result.replaced == ["thainguyen 2012-11-16"]
    seed.refresh_from_db()
    assert seed.status == ProfileVersion.Status.SUPERSEDED
    current = ProfileVersion.objects.get(
        slug="thainguyen", effective_from=date(2012, 11, 16), status="approved"
    )
    assert current.text == THAI_NGUYEN.read_text(encoding="utf-8")
    assert current.origin == ProfileVersion.Origin.SHIPPED
    entry = AuditEntry.objects.get(action="profile_seeded", data__version=current.pk)
    assert entry.target == "thainguyen 2012-11-16"
    assert entry.actor_name == "kho mã của nền tảng"
    assert entry.data["version"] == current.pk
    assert entry.data["superseded"] == seed.pk
    assert _competence_days(profile_in_force("thainguyen", date(2020, 1, 1))) == 5


def test_seeding_never_touches_an_approved_upload_of_the_same_day(tenant_db):
    # given: an operator's approved upload for the shipped file's own date
    ProfileVersion.objects.filter(slug="thainguyen").update(status="superseded")
    upload = _store(_text(days=6), effective=date(2012, 11, 16))
    # when
    result = profile_store.seed_shipped()
    # then
    assert result.kept == ["thainguyen 2012-11-16"]
    assert not result.changed
    upload.refresh_from_db()
    assert upload.status == ProfileVersion.Status.APPROVED
    profile_store.invalidate("thainguyen")
    assert _competence_days(profile_in_force("thainguyen", date(2020, 1, 1))) == 6


# --- reading the version in force ----------------------------------------------------------------


def test_the_version_in_force_is_read_from_the_store_on_its_date(tenant_db):
    # given: an approved version of Thái Nguyên from next year (Art. 14(4)(a) changed to 8)
    later = date(today_in_vietnam().year + 1, 1, 1)
    _store(_text(effective=later, days=8), effective=later)
    profile_store.invalidate("thainguyen")
    # then: nothing changes before its date; it is in force from its date
    assert _competence_days(profile_in_force("thainguyen", later - timedelta(days=1))) == 5
    assert _competence_days(profile_in_force("thainguyen", later)) == 8
    assert [p.effective_from for p in profile_versions("thainguyen")] == [
        date(2012, 11, 16),
        later,
    ]


def test_a_province_only_in_the_store_is_known_and_read(tenant_db):
    text = _text(effective=date(2020, 1, 1)).replace('slug = "thainguyen"', 'slug = "thuvien"')
    _store(text, slug="thuvien", effective=date(2020, 1, 1))
    profile_store.invalidate("thuvien")
    assert "thuvien" in known_slugs()
    assert profile_in_force("thuvien", date(2024, 5, 6)).province.slug == "thuvien"
    with pytest.raises(ProfileError) as caught:
        profile_in_force("thuvien", date(2019, 12, 31))
    assert "earliest takes effect 2020-01-01" in str(caught.value)


def test_the_process_keeps_its_copy_until_the_store_of_the_province_changes(tenant_db):
    # given: the store read once
    day = date(2024, 1, 1)
    assert _competence_days(profile_in_force("thainguyen", day)) == 5
    # when: a row appears without the store being told (no approval went through)
    _store(_text(effective=date(2023, 6, 1), days=9), effective=date(2023, 6, 1))
    # then: the process's copy answers (no query per read) ...
    assert _competence_days(profile_in_force("thainguyen", day)) == 5
    # ... another province's invalidation does not drop it ...
    profile_store.invalidate("hagiang")
    assert _competence_days(profile_in_force("thainguyen", day)) == 5
    # ... its own does, at once in this process
    profile_store.invalidate("thainguyen")
    assert _competence_days(profile_in_force("thainguyen", day)) == 9


def test_another_process_sees_an_approval_when_its_generation_memo_expires(tenant_db):
    # given: this process's copy of Thái Nguyên's versions
    day = date(2024, 1, 1)
    assert _competence_days(profile_in_force("thainguyen", day)) == 5
    _store(_text(effective=date(2023, 6, 1), days=9), effective=date(2023, 6, 1))
    # when: another process approves (a new generation in Redis, this process not told)
    with schema_context(get_public_schema_name()):
        cache.set(profile_store._generation_key("thainguyen"), "another-process", None)
    # then: within the memo window the copy answers; once it expires, the new version
    assert _competence_days(profile_in_force("thainguyen", day)) == 5
    profile_store._generations.clear()  # GENERATION_MEMO_SECONDS later
    assert _competence_days(profile_in_force("thainguyen", day)) == 9


def test_a_warm_read_costs_no_query(tenant_db, django_assert_num_queries):
    profile_in_force("dongnai", date(2024, 1, 1))
    with django_assert_num_queries(0):
        for _ in range(10):
            profile_in_force("dongnai", date(2024, 1, 1))


def test_the_current_profile_inside_a_province_schema_is_the_stored_one(in_province):
    # given: Đồng Nai's approved version in force since 2025 (the public schema's row)
    text = (PROFILES_DIR / "dongnai" / "2018-12-27.toml").read_text(encoding="utf-8")
    text = text.replace("effective_from = 2018-12-27", "effective_from = 2025-01-01", 1)
    text = text.replace('portal_name = "', 'portal_name = "Mới: ', 1)
    _store(text, slug="dongnai", effective=date(2025, 1, 1))
    profile_store.invalidate("dongnai")
    # then: read from inside the province's schema
    with in_province("dongnai"):
        assert current_profile().province.portal_name.startswith("Mới: ")
        assert current_profile(date(2024, 12, 31)).effective_from == date(2018, 12, 27)


def test_without_stored_versions_the_shipped_files_answer(tenant_db):
    ProfileVersion.objects.filter(slug="backan").delete()
    profile_store.invalidate("backan")
    assert profile_store.approved_versions("backan") is None
    path = PROFILES_DIR / "backan" / "2024-08-26.toml"
    assert profile_in_force("backan", date(2025, 3, 3)) == load_profile(path, on=date(2025, 3, 3))


def test_stored_and_shipped_reads_give_the_same_profiles(tenant_db):
    for slug in SEED_SLUGS:
        for on in (date(2021, 1, 4), date(2026, 3, 4)):
            try:
                stored = profile_in_force(slug, on)
            except ProfileError:
                continue
            (path,) = (PROFILES_DIR / slug).glob("*.toml")
            assert stored == load_profile(path, on=on)


def test_a_copy_of_the_profiles_folder_is_read_from_its_files(tenant_db, tmp_path, monkeypatch):
    # A caller reading another folder (a copy, a test's edited profiles) reads its files.
    base = tmp_path / "profiles"
    shutil.copytree(PROFILES_DIR, base)
    path = base / "thainguyen" / "2012-11-16.toml"
    path.write_text(_text(days=3), encoding="utf-8")
    monkeypatch.setattr(loader, "PROFILES_DIR", base)
    assert _competence_days(profile_in_force("thainguyen", date(2024, 1, 1))) == 3


# --- onboarding --------------------------------------------------------------------------------


def test_onboarding_accepts_an_approved_stored_version_only(tenant_db):
    text = _text(effective=date(2020, 1, 1)).replace('slug = "thainguyen"', 'slug = "thuvien"')
    profile = loader.parse_profile(text, on=today_in_vietnam())
    row = _store(text, slug="thuvien", effective=date(2020, 1, 1), status="submitted")
    with pytest.raises(OnboardingError) as caught:
        _check_shipped(profile)
    assert caught.value.code == "profile_not_shipped"
    row.status = ProfileVersion.Status.APPROVED
    row.save(update_fields=["status"])
    _check_shipped(profile)  # accepted: no error


# --- the loader's source, pure -------------------------------------------------------------------


@pytest.mark.without_services
def test_the_loader_reads_a_registered_source_and_falls_back_to_files():
    text = _text(effective=date(2030, 1, 1), days=11)
    calls = []

    def source(slug):
        calls.append(slug)
        return [(date(2030, 1, 1), "k1", text)] if slug == "thainguyen" else None

    register_version_source(source, slugs=lambda: ["thainguyen"])
    try:
        assert _competence_days(profile_in_force("thainguyen", date(2030, 2, 1))) == 11
        with pytest.raises(ProfileError):
            profile_in_force("thainguyen", date(2029, 12, 31))
        # a slug the source does not know: the shipped files
        assert profile_in_force("hagiang", date(2024, 1, 1)).province.slug == "hagiang"
        assert calls == ["thainguyen", "thainguyen", "hagiang"]
        # a version filed under another slug is refused
        register_version_source(lambda slug: [(date(2030, 1, 1), "k2", text)])
        with pytest.raises(ProfileError) as caught:
            profile_in_force("hagiang", date(2030, 2, 1))
        assert "filed as 'hagiang'" in str(caught.value)
    finally:
        profile_store.register()
