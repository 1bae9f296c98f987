"""Profile versions (issue 15, ADR 0031): submitted by an operator, reviewed by another,
refused when unsafe or invalid, exported as stored."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import AuditEntry
from core.errors import ErrorKind
from provinces.loader import today_in_vietnam
from qa.services import topic_ensure
from tenants.models import ProfileVersion
from tenants.profile_versions import (
    MAX_TEXT_BYTES,
    NEW_PROVINCE,
    ProfileVersionError,
    validation_problems,
    version_approve,
    version_export,
    version_get,
    version_history,
    version_list,
    version_reject,
)
from tests.factories.profiles import approved, operator, profile_text, uploaded
from tests.factories.provinces import vn
from tests.factories.qa import submitted

NEXT_MONTH = today_in_vietnam() + timedelta(days=30)


def _audit(action: str) -> list[AuditEntry]:
    with schema_context(get_public_schema_name()):
        return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def _uploads(versions=None):
    """Versions operators uploaded (the shipped seeds left out)."""
    versions = ProfileVersion.objects.all() if versions is None else versions
    return versions.filter(origin=ProfileVersion.Origin.UPLOAD)


def _refused(text: str, **kwargs) -> ProfileVersionError:
    author = operator()
    with pytest.raises(ProfileVersionError) as refused:
        uploaded(text, operator=author, **kwargs)
    assert not _uploads().exists()
    return refused.value


def test_a_valid_text_is_stored_with_its_diff_and_sources(tenant_db):
    author = operator()
    text = profile_text(
        "thainguyen", effective_from=NEXT_MONTH, qa__kinds__competence__working_days=7
    )
    version = uploaded(text, operator=author)
    version.refresh_from_db()
    assert (version.slug, version.effective_from) == ("thainguyen", NEXT_MONTH)
    assert version.status == ProfileVersion.Status.SUBMITTED
    assert version.author == author
    assert version.author_name == author.username
    assert version.text == text
    assert len(version.sha256) == 64
    assert version.data["qa"]["kinds"]["competence"]["working_days"] == 7
    entries = {entry["path"]: entry for entry in version.diff}
    assert entries["qa.kinds.competence.working_days"] == {
        "path": "qa.kinds.competence.working_days",
        "before": 5,
        "after": 7,
        "source_before": "QĐ 40/2012 Art. 14(4)(a)",
        "source_after": "QĐ 40/2012 Art. 14(4)(a)",
    }
    # Readable: the changed leaf and the new date, not the whole profile.
    assert set(entries) == {"qa.kinds.competence.working_days", "province.effective_from"}
    [audit] = _audit("profile_submitted")
    assert audit.actor == author
    assert audit.data["slug"] == "thainguyen"
    assert audit.data["version"] == version.pk
    assert audit.data["date"] == NEXT_MONTH.isoformat()


def test_list_items_are_matched_by_their_code(tenant_db):
    text = profile_text("thainguyen", effective_from=NEXT_MONTH)
    renamed = text.replace(
        'name = "Cập nhật (Trung tâm Thông tin tỉnh)"', 'name = "Cập nhật tin (Trung tâm)"'
    )
    assert renamed != text
    version = uploaded(renamed, operator=operator())
    [entry] = [e for e in version.diff if e["path"].startswith("governance.roles")]
    assert entry["path"].startswith("governance.roles[")
    assert entry["path"].endswith("].name")
    assert entry["after"] == "Cập nhật tin (Trung tâm)"
    assert entry["source_after"] == "QĐ 40/2012 Art. 16(1)(c), 17(2)"


@pytest.mark.parametrize(
    ("name", "make", "path"),
    [
        ("not TOML", lambda text: text + "\n[[[broken", "text"),
        ("over 256 KiB", lambda text: text + "\n# " + "x" * MAX_TEXT_BYTES, "text"),
        (
            "too deep",
            lambda text: text + "\n[deep]\n" + "x = " + "{ a = " * 14 + "1" + " }" * 14,
            "deep.x" + ".a" * 10,
        ),
        ("another province's file", lambda text: 'extends = "../thainguyen"\n' + text, "extends"),
        (
            "a NUL character in a value (the database could not keep it)",
            lambda text: text.replace('name = "Thái Nguyên"', 'name = "Thái\\u0000Nguyên"', 1),
            "province.name",
        ),
        (
            "a field of the wrong type",
            lambda text: text.replace("working_days = 5", 'working_days = "năm"', 1),
            "qa.kinds.competence.working_days",
        ),
    ],
)
def test_invalid_texts_are_refused_by_path_and_nothing_stored(tenant_db, name, make, path):
    text = make(profile_text("thainguyen", effective_from=NEXT_MONTH))
    refused = _refused(text)
    assert refused.code == "profile_invalid"
    assert path in refused.field_errors(), refused.field_errors()
    assert validation_problems(text)
    assert _audit("profile_submitted") == []


def test_validation_problems_of_a_valid_text_are_none(tenant_db):
    assert validation_problems(profile_text("hagiang", effective_from=NEXT_MONTH)) == []


def test_a_past_date_needs_a_reason_recorded_and_audited(tenant_db):
    text = profile_text("hagiang", effective_from=date(2025, 7, 1))
    refused = _refused(text)
    assert (refused.code, refused.field) == ("past_needs_reason", "past_reason")
    version = uploaded(text, operator=operator(), past_reason="Quyết định ký muộn, áp dụng lại")
    assert version.past_reason == "Quyết định ký muộn, áp dụng lại"
    [audit] = _audit("profile_submitted")
    assert audit.data["past_reason"] == version.past_reason


def test_a_date_on_or_before_a_received_question_is_refused_even_with_a_reason(tenant_db):
    with schema_context(tenant_db["thainguyen"].schema_name):
        from organization.models import Agency

        topic = topic_ensure(name="Đất đai", agency=Agency.objects.order_by("pk").first())
        submitted(topic, received_at=vn(2026, 3, 4, 10))
    for day in (date(2026, 3, 4), date(2026, 2, 1)):
        text = profile_text("thainguyen", effective_from=day)
        refused = _refused(text, past_reason="Áp dụng hồi tố")
        assert refused.code == "rules_in_use"
        assert refused.kind == ErrorKind.CONFLICT
    # The day after the question is free.
    later = profile_text("thainguyen", effective_from=date(2026, 3, 5))
    assert uploaded(later, operator=operator(), past_reason="Áp dụng hồi tố").pk


def test_the_author_cannot_approve_another_operator_can(tenant_db):
    author, reviewer = operator(), operator()
    version = uploaded(
        profile_text("thainguyen", effective_from=NEXT_MONTH, qa__kinds__special__working_days=12),
        operator=author,
    )
    with pytest.raises(ProfileVersionError) as refused:
        version_approve(version=version, operator=author)
    assert refused.value.kind == ErrorKind.FORBIDDEN
    assert refused.value.code == "own_submission"
    version.refresh_from_db()
    assert version.status == ProfileVersion.Status.SUBMITTED

    version = version_approve(version=version, operator=reviewer)
    version.refresh_from_db()
    assert version.status == ProfileVersion.Status.APPROVED
    assert version.reviewer == reviewer
    assert version.decided_at is not None
    [audit] = _audit("profile_approved")
    assert audit.actor == reviewer
    assert audit.data["onboarded"] is False
    assert audit.data["version"] == version.pk
    with pytest.raises(ProfileVersionError) as again:
        version_approve(version=version, operator=operator())
    assert again.value.code == "not_submitted"


def test_a_province_staff_account_is_not_an_operator(tenant_db):
    from accounts.services import user_create_with_secret

    with schema_context(tenant_db["hagiang"].schema_name):
        staff = user_create_with_secret(username="bientap9", full_name="Biên tập").user
    with pytest.raises(ProfileVersionError) as refused:
        uploaded(profile_text("hagiang", effective_from=NEXT_MONTH), operator=staff)
    assert refused.value.code == "not_operator"
    assert not _uploads().exists()


def test_approval_supersedes_an_approved_version_of_the_same_day(tenant_db):
    first = approved(
        profile_text("dongnai", effective_from=NEXT_MONTH), author=operator(), reviewer=operator()
    )
    second = approved(
        profile_text("dongnai", effective_from=NEXT_MONTH) + "\n# Bản sửa lần hai\n",
        author=operator(),
        reviewer=operator(),
    )
    first.refresh_from_db()
    assert first.status == ProfileVersion.Status.SUPERSEDED
    assert second.status == ProfileVersion.Status.APPROVED
    assert second.previous is None or second.previous.effective_from < NEXT_MONTH
    assert _audit("profile_approved")[-1].data["superseded"] == [first.pk]


def test_a_rejection_needs_a_reason_and_the_authors_own_is_a_withdrawal(tenant_db):
    author, reviewer = operator(), operator()
    version = uploaded(profile_text("backan", effective_from=NEXT_MONTH), operator=author)
    for reason in ("", "   ", "x" * 2001):
        with pytest.raises(ProfileVersionError) as refused:
            version_reject(version=version, operator=reviewer, reason=reason)
        assert refused.value.field == "reason"
    rejected = version_reject(version=version, operator=reviewer, reason="Sai điều khoản")
    assert rejected.status == ProfileVersion.Status.REJECTED
    assert rejected.decision_reason == "Sai điều khoản"
    assert rejected.reviewer == reviewer
    [audit] = _audit("profile_rejected")
    assert audit.data["reason"] == "Sai điều khoản"
    assert audit.data["withdrawn"] is False

    mine = uploaded(profile_text("backan", effective_from=NEXT_MONTH), operator=author)
    version_reject(version=mine, operator=author, reason="Gửi nhầm")
    assert _audit("profile_rejected")[-1].data["withdrawn"] is True


def test_a_second_submission_for_the_same_day_names_the_pending_one(tenant_db):
    text = profile_text("hagiang", effective_from=NEXT_MONTH)
    pending = uploaded(text, operator=operator())
    with pytest.raises(ProfileVersionError) as refused:
        uploaded(text, operator=operator())
    assert refused.value.code == "already_submitted"
    assert str(pending.pk) in str(refused.value.message)
    assert _uploads().count() == 1


def test_export_gives_the_text_byte_for_byte(tenant_db):
    text = profile_text("thuathienhue", effective_from=NEXT_MONTH) + "\n# Ghi chú: Huế\r\n"
    version = uploaded(text, operator=operator())
    name, exported = version_export(version=version_get(version.pk))
    assert name == f"thuathienhue/{NEXT_MONTH.isoformat()}.toml"
    assert exported.encode("utf-8") == text.encode("utf-8")


def test_selectors(tenant_db):
    version = uploaded(profile_text("hagiang", effective_from=NEXT_MONTH), operator=operator())
    # The shipped files are approved versions of the store too (seeds).
    assert list(_uploads(version_history("hagiang"))) == [version]
    assert list(_uploads(version_history("thainguyen"))) == []
    assert list(version_list(ProfileVersion.Status.SUBMITTED)) == [version]
    assert not _uploads(version_list(ProfileVersion.Status.APPROVED)).exists()
    for bad in ("nope", None, -1, 10**30):
        with pytest.raises(ProfileVersion.DoesNotExist):
            version_get(bad)
    with pytest.raises(ProfileVersionError) as refused:
        version_get(version.pk + 1000)
    assert refused.value.kind == ErrorKind.NOT_FOUND
    with pytest.raises(ProfileVersionError):
        version_list("bogus")


NEW_PROVINCE_CHANGES = {
    "domains__portal": "tuyenquang.gov.vn",
    "domains__component_host_pattern": "{label}.tuyenquang.gov.vn",
}


def _new_province_text() -> str:
    """Hà Giang's profile as Tuyên Quang's: a province outside the five, on hosts of its own."""
    text = profile_text("hagiang", effective_from=NEXT_MONTH, **NEW_PROVINCE_CHANGES)
    text = text.replace('slug = "hagiang"', 'slug = "tuyenquang"', 1)
    return text.replace('name = "Hà Giang"', 'name = "Tuyên Quang"', 1)


def test_a_new_province_has_no_version_before(tenant_db):
    version = uploaded(_new_province_text(), operator=operator())
    assert [entry["after"] for entry in version.diff] == [NEW_PROVINCE]
    assert version.previous is None


def test_approving_a_new_province_onboards_it(tenant_db):
    from tenants.models import Domain, Province

    version = approved(_new_province_text(), author=operator(), reviewer=operator())
    province = Province.objects.get(slug="tuyenquang")
    assert province.name == "Tuyên Quang"
    assert Domain.objects.filter(tenant=province, domain="tuyenquang.gov.vn").exists()
    assert _audit("profile_approved")[-1].data["onboarded"] is True
    assert version.status == ProfileVersion.Status.APPROVED
    # The administrator's one-time secret, shown once to the approver.
    assert version.onboarding.admin_username == "quantri"
    assert version.onboarding.admin_secret


def test_an_approved_version_of_next_month_changes_nothing_today(tenant_db):
    from provinces.loader import profile_in_force

    approved(
        profile_text(
            "thainguyen", effective_from=NEXT_MONTH, qa__kinds__competence__working_days=7
        ),
        author=operator(),
        reviewer=operator(),
    )
    today = profile_in_force("thainguyen", today_in_vietnam())
    assert today.qa.kinds["competence"].working_days == 5
    assert profile_in_force("thainguyen", NEXT_MONTH).qa.kinds["competence"].working_days == 7
