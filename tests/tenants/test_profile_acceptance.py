"""Issue 15's acceptance: a province outside the five served from a profile two operators
uploaded and approved, with no file added; four eyes; a new version of Thái Nguyên taking over
on its own date while a question received before keeps its deadline (ADR 0009, 0031).

Everything runs inside the test's transaction (onboarding's schema clone too), so the province
onboarded here leaves nothing behind."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django_tenants.utils import schema_context

from core.profiles import current_profile, profile_at
from organization.models import Agency, Role
from provinces.loader import PROFILES_DIR, profile_in_force, today_in_vietnam
from qa.models import Question
from qa.services import topic_ensure
from tenants.models import ProfileVersion, Province
from tenants.profile_versions import ProfileVersionError, version_approve
from tests.conftest import host_client
from tests.factories.pages import page_text
from tests.factories.profiles import approved, operator, profile_text, uploaded
from tests.factories.provinces import vn
from tests.factories.qa import submitted

TUYEN_QUANG_DAYS = 7  # the uploaded profile's own answer deadline (Hà Giang's: 15)


def _tuyen_quang_text(effective: date) -> str:
    """Hà Giang's shipped profile made Tuyên Quang's: slug, names, domains and one deadline."""
    return profile_text(
        "hagiang",
        effective_from=effective,
        province__slug="tuyenquang",
        province__name="Tuyên Quang",
        province__portal_name="Cổng Thông tin điện tử tỉnh Tuyên Quang",
        domains__portal="tuyenquang.gov.vn",
        domains__component_host_pattern="{label}.tuyenquang.gov.vn",
        language__submission_mailbox="bbt@tuyenquang.gov.vn",
        qa__kinds__national__working_days=TUYEN_QUANG_DAYS,
        qa__kinds__national__source="Quy chế thử Điều 11",
    )


def _first_of_next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def test_a_province_outside_the_five_is_served_from_an_approved_upload(
    tenant_db, django_capture_on_commit_callbacks
):
    # given: operator A uploads Tuyên Quang's profile, operator B approves it
    author, reviewer = operator(), operator()
    text = _tuyen_quang_text(date(2026, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        version = approved(
            text, author=author, reviewer=reviewer, past_reason="Quy chế áp dụng từ đầu năm 2026"
        )
    assert version.status == ProfileVersion.Status.APPROVED
    assert (version.author, version.reviewer) == (author, reviewer)
    # then: the province is onboarded, and no file was added to the repository
    province = Province.objects.get(slug="tuyenquang")
    assert not (PROFILES_DIR / "tuyenquang").exists()
    # its host answers its home page with its name
    response = host_client("tuyenquang.localhost").get("/")
    assert response.status_code == 200
    assert "Cổng Thông tin điện tử tỉnh Tuyên Quang" in page_text(response)
    with schema_context(province.schema_name):
        profile = current_profile()
        assert profile.province.name == "Tuyên Quang"
        # its staff workflow is the profile's (Hà Giang's, uploaded): the roles and steps
        roles = dict(Role.objects.values_list("code", "name"))
        assert roles == {role.code: role.name for role in profile.governance.roles}
        steps = [step.role for step in profile.governance.workflows["portal"].steps]
        assert steps == [
            step.role for step in profile_in_force("hagiang", date(2024, 1, 1))
            .governance.workflows["portal"].steps
        ]  # fmt: skip
        # a question submitted gets the profile's deadline
        agency = Agency.objects.order_by("pk").first()
        topic = topic_ensure(name="Đất đai", agency=agency)
        question = submitted(topic, received_at=vn(2026, 3, 4, 10))
        assert question.deadline_kind == profile.qa.default_kind
        assert question.deadline_working_days == TUYEN_QUANG_DAYS
        # received after 08:00: the clock starts Thu 5 Mar (ADR 0004); 7th working day Fri 13
        # (Hà Giang's 15 days would end Wed 25 Mar)
        assert question.due_at == vn(2026, 3, 13, 17)


def test_the_same_operator_cannot_approve_their_own_submission(tenant_db):
    # given
    author = operator()
    version = uploaded(_tuyen_quang_text(today_in_vietnam()), operator=author)
    # when / then
    with pytest.raises(ProfileVersionError) as caught:
        version_approve(version=version, operator=author)
    assert caught.value.code == "own_submission"
    version.refresh_from_db()
    assert version.status == ProfileVersion.Status.SUBMITTED
    assert not Province.objects.filter(slug="tuyenquang").exists()


def test_a_new_version_of_thai_nguyen_takes_over_on_its_date_only(
    tenant_db, province_schema, django_capture_on_commit_callbacks
):
    today = today_in_vietnam()
    effective = _first_of_next_month(today)
    site, _staff = province_schema("thainguyen")
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    # given: a question received today under the version in force (Art. 14(4)(a): 5 days)
    before = submitted(topic)
    assert before.deadline_working_days == 5
    # when: a new version effective next month is uploaded by A and approved by B
    text = profile_text(
        "thainguyen", effective_from=effective, qa__kinds__competence__working_days=8
    )
    with django_capture_on_commit_callbacks(execute=True):
        approved(text, author=operator(), reviewer=operator())
    # then: nothing changes today
    assert current_profile().effective_from == date(2012, 11, 16)
    assert current_profile().qa.kinds["competence"].working_days == 5
    today_question = submitted(topic)
    assert today_question.deadline_working_days == 5
    # it takes over on its date
    assert profile_in_force("thainguyen", effective - timedelta(days=1)).effective_from == (
        date(2012, 11, 16)
    )
    new = profile_in_force("thainguyen", effective)
    assert (new.effective_from, new.qa.kinds["competence"].working_days) == (effective, 8)
    later = submitted(topic, received_at=vn(effective.year, effective.month, 6, 10))
    assert later.profile_effective_from == effective
    assert later.deadline_working_days == 8
    # the question received before keeps its deadline once the new version is in force
    kept = Question.objects.get(pk=before.pk)
    assert (kept.due_at, kept.deadline_working_days) == (before.due_at, 5)
    assert profile_at(kept.received_at).qa.kinds["competence"].working_days == 5
