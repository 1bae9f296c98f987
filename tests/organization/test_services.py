"""Writes of the province administrator's pages: roles given and taken away, accounts created
with a one-time secret, deactivated and reactivated — and what is refused, with nothing
half-written."""

from __future__ import annotations

import pytest

from accounts.models import AuditEntry, User
from accounts.services import AccountError, user_issue_secret, user_set_active
from organization.models import Agency, RoleAssignment
from organization.services import OrganizationError, role_grant, role_unassign, staff_create


@pytest.fixture
def hue(province_schema):
    """Thừa Thiên Huế: its seeded administrator, a department with a site, and a staff factory."""
    site, staff = province_schema("thuathienhue")
    admin = User.objects.get(is_superuser=True)
    return site, staff, admin


def _second_admin() -> User:
    return User.objects.create(username="quantri2", is_staff=True, is_superuser=True)


# --- role_unassign ----------------------------------------------------------------------------


def test_role_unassign_takes_the_role_away(hue):
    # given
    _site, staff, admin = hue
    deputy = staff.holding("deputy_head")
    assignment = deputy.role_assignments.get()
    # when
    removed = role_unassign(assignment=assignment, actor=admin)
    # then
    assert removed is True
    assert not RoleAssignment.objects.filter(user=deputy).exists()


def test_role_unassign_twice_is_harmless(hue):
    _site, staff, admin = hue
    assignment = staff.holding("head").role_assignments.get()
    role_unassign(assignment=assignment, actor=admin)
    # when: the same removal posted again (a double click, a second tab)
    removed = role_unassign(assignment=assignment, actor=admin)
    # then
    assert removed is False


def test_role_unassign_is_refused_to_anyone_but_the_administrator(hue):
    _site, staff, _admin = hue
    head = staff.holding("head")
    assignment = staff.holding("deputy_head").role_assignments.get()
    with pytest.raises(OrganizationError) as refused:
        role_unassign(assignment=assignment, actor=head)
    assert refused.value.code == "not_allowed"
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


# --- role_grant -------------------------------------------------------------------------------


def test_role_grant_of_an_agency_role_needs_an_agency(hue):
    _site, staff, admin = hue
    member = staff.holding("board_member")
    with pytest.raises(OrganizationError) as refused:
        role_grant(user=member, role_code="deputy_head", agency=None, actor=admin)
    assert (refused.value.code, refused.value.field) == ("agency_required", "agency")


def test_role_grant_refuses_a_role_already_held_there(hue):
    site, staff, admin = hue
    deputy = staff.holding("deputy_head")
    with pytest.raises(OrganizationError) as refused:
        role_grant(user=deputy, role_code="deputy_head", agency=site.agency, actor=admin)
    assert refused.value.code == "already_held"
    # the same role for another agency is a different assignment
    other = Agency.objects.exclude(pk=site.agency.pk).order_by("pk").first()
    role_grant(user=deputy, role_code="deputy_head", agency=other, actor=admin)
    assert deputy.role_assignments.count() == 2


def test_role_grant_refuses_a_role_the_profile_does_not_have(hue):
    site, _staff, admin = hue
    with pytest.raises(OrganizationError) as refused:
        role_grant(user=admin, role_code="tong_bien_tap", agency=site.agency, actor=admin)
    assert (refused.value.code, refused.value.field) == ("unknown_role", "role")


def test_role_grant_of_a_portal_role_refuses_an_agency_and_stores_nothing(province_schema):
    site, staff = province_schema("hagiang")
    admin = User.objects.get(is_superuser=True)
    member = staff.holding("focal_point")
    before = AuditEntry.objects.count()
    # board_editor is a member of the portal's editorial board (QĐ 19/2015 Art. 12(4))
    with pytest.raises(OrganizationError) as refused:
        role_grant(user=member, role_code="board_editor", agency=site.agency, actor=admin)
    assert (refused.value.code, refused.value.field) == ("agency_not_allowed", "agency")
    assert not member.role_assignments.filter(role__code="board_editor").exists()
    assert AuditEntry.objects.count() == before


def test_role_grant_by_the_command_line_is_audited_as_done_by_it(hue):
    site, staff, _admin = hue
    member = staff.holding("board_member")
    role_grant(user=member, role_code="head", agency=site.agency, actor=None)
    entry = AuditEntry.objects.get(action="role_granted", target=member.username)
    assert entry.actor is None
    assert entry.actor_name.startswith("dòng lệnh máy chủ")
    assert entry.data["via"] == "command"


# --- staff_create -----------------------------------------------------------------------------


def test_staff_create_names_the_account_by_the_profile_rule_and_issues_a_secret(hue):
    site, _staff, admin = hue
    # when: Huế Art. 11 — initials of family and middle names + the given name
    issued = staff_create(
        actor=admin,
        full_name="Nguyễn Văn An",
        username_rule="initials_given",
        role_code="deputy_head",
        agency=site.agency,
    )
    # then
    user = User.objects.get(pk=issued.user.pk)
    assert user.username == "nvan"
    assert user.must_change_password is True
    assert user.check_password(issued.one_time_secret)
    assert issued.one_time_secret not in user.password
    assert list(user.role_assignments.values_list("role__code", "agency")) == [
        ("deputy_head", site.agency.pk)
    ]


def test_staff_create_with_a_taken_derived_name_suggests_a_free_one(hue):
    site, _staff, admin = hue
    User.objects.create(username="nvan")
    with pytest.raises(OrganizationError) as refused:
        staff_create(
            actor=admin,
            full_name="Nguyễn Văn An",
            username_rule="initials_given",
            role_code="head",
            agency=site.agency,
        )
    assert (refused.value.code, refused.value.field) == ("username_taken", "username")
    assert "'nvan2'" in refused.value.message


def test_staff_create_refused_for_its_role_creates_no_account(hue):
    _site, _staff, admin = hue
    with pytest.raises(OrganizationError) as refused:
        staff_create(
            actor=admin,
            full_name="Trần Thị Bích",
            username_rule="initials_given",
            role_code="deputy_head",
            agency=None,
        )
    assert refused.value.code == "agency_required"
    assert not User.objects.filter(username="ttbich").exists()


# --- user_set_active --------------------------------------------------------------------------


def test_user_set_active_deactivates_and_reactivates_a_staff_member(hue):
    _site, staff, admin = hue
    member = staff.holding("board_member")
    # when
    user_set_active(user=member, active=False, actor=admin)
    # then: the account can no longer sign in; its roles are kept for a reactivation
    member.refresh_from_db()
    assert member.is_active is False
    assert member.role_assignments.exists()
    user_set_active(user=member, active=True, actor=admin)
    member.refresh_from_db()
    assert member.is_active is True


def test_user_set_active_refuses_deactivating_yourself(hue):
    _site, _staff, admin = hue
    _second_admin()  # even when another administrator would remain
    with pytest.raises(AccountError) as refused:
        user_set_active(user=admin, active=False, actor=admin)
    assert refused.value.code == "self_deactivation"
    admin.refresh_from_db()
    assert admin.is_active is True


def test_user_set_active_refuses_deactivating_the_last_active_administrator(hue):
    # given: two administrators; each, in their own still-open session, deactivates the other
    _site, _staff, admin = hue
    second = _second_admin()
    stale_second = User.objects.get(pk=second.pk)  # loaded before the first deactivation
    user_set_active(user=second, active=False, actor=admin)
    # when
    with pytest.raises(AccountError) as refused:
        user_set_active(user=admin, active=False, actor=stale_second)
    # then: the province keeps one administrator
    assert refused.value.code == "last_superuser"
    assert User.objects.filter(is_superuser=True, is_active=True).get() == admin


def test_user_set_active_lets_an_administrator_deactivate_another(hue):
    _site, _staff, admin = hue
    second = _second_admin()
    user_set_active(user=second, active=False, actor=admin)
    second.refresh_from_db()
    assert second.is_active is False


def test_user_set_active_is_refused_to_staff_who_are_not_administrators(hue):
    _site, staff, _admin = hue
    head = staff.holding("head")
    member = staff.holding("board_member")
    with pytest.raises(AccountError) as refused:
        user_set_active(user=member, active=False, actor=head)
    assert refused.value.code == "not_allowed"
    member.refresh_from_db()
    assert member.is_active is True


def test_user_set_active_to_the_current_state_changes_nothing(hue):
    _site, staff, admin = hue
    member = staff.holding("board_member")
    assert user_set_active(user=member, active=True, actor=admin).is_active is True


# --- user_issue_secret ------------------------------------------------------------------------


def test_user_issue_secret_replaces_the_password_and_forces_a_change(hue):
    _site, staff, admin = hue
    member = staff.holding("board_member")
    member.set_password("old-password-2025")
    member.must_change_password = False
    member.save()
    # when
    issued = user_issue_secret(user=member, actor=admin)
    # then
    member.refresh_from_db()
    assert member.check_password(issued.one_time_secret)
    assert not member.check_password("old-password-2025")
    assert member.must_change_password is True


def test_user_issue_secret_by_the_command_line_is_audited_as_done_by_it(hue):
    _site, _staff, admin = hue
    # the province administrator's own lost secret: only the command line may re-issue it
    issued = user_issue_secret(user=admin, actor=None)
    admin.refresh_from_db()
    assert admin.check_password(issued.one_time_secret)
    assert admin.must_change_password is True
    entry = AuditEntry.objects.get(action="user_secret_issued", target=admin.username)
    assert (entry.actor, entry.data) == (None, {"via": "command"})
    assert entry.actor_name.startswith("dòng lệnh máy chủ")


def test_user_issue_secret_refuses_yourself_and_a_deactivated_account(hue):
    _site, staff, admin = hue
    with pytest.raises(AccountError) as refused:
        user_issue_secret(user=admin, actor=admin)
    assert refused.value.code == "self_reset"
    member = staff.holding("board_member")
    user_set_active(user=member, active=False, actor=admin)
    with pytest.raises(AccountError) as refused:
        user_issue_secret(user=member, actor=admin)
    assert refused.value.code == "inactive"
