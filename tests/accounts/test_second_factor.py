"""The staff second factor's rules (accounts.second_factor, ADR 0022): who must have one, the
enrolment of a TOTP authenticator, the ten single-use recovery codes stored only as keyed
hashes, the throttle of wrong codes, and the reset by an administrator or the command line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.models import AuditEntry, RecoveryCode, User
from accounts.second_factor import (
    RECOVERY_CODE_COUNT,
    SecondFactorError,
    approving_role_codes,
    enrolment_confirm,
    enrolment_start,
    recovery_codes_left,
    recovery_codes_renew,
    required_for,
    second_factor_check,
    second_factor_state,
)
from accounts.services import AccountError, user_second_factor_reset
from organization.models import Delegation
from provinces.loader import resolve_profile
from tests.factories.accounts import administrator, authenticator, totp_code
from tests.factories.organization import delegated

ADDRESS = "203.0.113.7"


def _audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def _enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = enrolment_start(user=user)
    codes = enrolment_confirm(user=user, code=totp_code(device), address=ADDRESS)
    device.refresh_from_db()
    return device, codes


# --- who must ---------------------------------------------------------------------------------


@pytest.mark.without_services
@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        # Thái Nguyên: the portal's approver and editor-in-chief, the agencies' approver, and
        # the head of an agency who approves and sends answers (Art. 14(3)).
        ("thainguyen", {"portal_approver", "editor_in_chief", "approver", "agency_head"}),
        # Hà Giang: the board's head publishes; the board's editor only reviews.
        ("hagiang", {"board_head", "site_head", "agency_head"}),
        # Đồng Nai: the support checker approves, the support editor publishes.
        ("dongnai", {"support_checker", "support_editor", "site_board", "agency_head"}),
    ],
)
def test_the_roles_that_approve_or_publish_come_from_the_profile(slug, expected):
    assert approving_role_codes(resolve_profile(slug)) == expected


def test_who_must_use_a_second_factor_in_a_province(province_schema):
    # given
    _site, staff = province_schema("thainguyen")
    admin = administrator()
    approver = staff.holding("approver")
    updater = staff.holding("updater")
    portal_updater = staff.holding("portal_updater")
    # then
    assert required_for(admin)
    assert required_for(approver)
    assert required_for(staff.holding("editor_in_chief"))
    assert required_for(staff.holding("agency_head"))
    assert not required_for(updater)
    assert not required_for(portal_updater)
    assert second_factor_state(updater) == second_factor.State(required=False, enrolled=False)


def test_a_running_delegation_of_an_approving_role_requires_it_too(province_schema):
    # given
    site, staff = province_schema("thainguyen")
    approver = staff.holding("approver")
    deputy = staff.holding("updater")
    assert not required_for(deputy)
    # when
    delegation = delegated(
        delegator=approver, delegate=deputy, role_code="approver", agency=site.agency
    )
    # then
    assert required_for(deputy)
    # and once it is revoked, no more
    Delegation.objects.filter(pk=delegation.pk).update(revoked_at=timezone.now())
    assert not required_for(deputy)


def test_every_operator_must_use_a_second_factor(tenant_db):
    operator = User.objects.create_user(username="op_2fa", password="x" * 12, is_staff=True)
    # an account of the public schema without the operator flag opens no console page
    other = User.objects.create_user(username="not_op", password="x" * 12)
    assert required_for(operator)
    assert not required_for(other)
    assert [user.username for user in second_factor.users_requiring()] == ["op_2fa"]


# --- enrolment --------------------------------------------------------------------------------


def test_enrolment_keeps_one_secret_while_the_page_is_reloaded(province_schema):
    _site, staff = province_schema("hagiang")
    user = staff.holding("board_head")
    first = enrolment_start(user=user)
    again = enrolment_start(user=user)
    assert first.pk == again.pk
    assert not first.confirmed
    # an enrolment left too long starts again with a new secret
    TOTPDevice.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - second_factor.ENROLMENT_LIFETIME - timedelta(minutes=1)
    )
    renewed = enrolment_start(user=user)
    assert renewed.pk != first.pk
    assert renewed.key != first.key
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_enrolment_confirmed_by_a_code_gives_ten_hashed_single_use_codes(province_schema):
    # given
    _site, staff = province_schema("hagiang")
    user = staff.holding("board_head")
    # when
    device, codes = _enrolled(user)
    # then
    assert device.confirmed
    assert len(codes) == RECOVERY_CODE_COUNT
    assert len(set(codes)) == RECOVERY_CODE_COUNT
    assert all(len(code) == 11 and code[5] == "-" for code in codes)
    stored = list(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(stored) == RECOVERY_CODE_COUNT
    for code in codes:
        assert code not in stored
        assert code.replace("-", "") not in stored
    assert second_factor_state(user) == second_factor.State(required=True, enrolled=True)
    [entry] = _audit("otp_enrolled")
    assert entry.actor == user
    assert entry.data == {"address": ADDRESS}


def test_a_wrong_code_at_enrolment_confirms_nothing_and_is_counted(province_schema):
    _site, staff = province_schema("hagiang")
    user = staff.holding("board_head")
    device = enrolment_start(user=user)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    with pytest.raises(SecondFactorError) as refused:
        enrolment_confirm(user=user, code=wrong, address=ADDRESS)
    assert refused.value.code == "wrong_code"
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1
    assert not RecoveryCode.objects.filter(user=user).exists()
    [entry] = _audit("otp_failed")
    assert entry.data == {"address": ADDRESS, "step": "enrol", "reason": "wrong_code"}
    assert wrong not in str(entry.data)


def test_an_over_long_code_is_refused_before_anything_is_read(province_schema):
    _site, staff = province_schema("hagiang")
    user = staff.holding("board_head")
    enrolment_start(user=user)
    with pytest.raises(SecondFactorError) as refused:
        enrolment_confirm(user=user, code="1" * 33, address=ADDRESS)
    assert refused.value.code == "code_too_long"
    assert not _audit("otp_failed")


# --- the check at sign-in ---------------------------------------------------------------------


def test_the_authenticators_code_passes_once(province_schema):
    _site, staff = province_schema("hagiang")
    user = staff.holding("board_head")
    device, _codes = _enrolled(user)
    code = totp_code(device, steps_ahead=1)
    verification = second_factor_check(user=user, code=code, address=ADDRESS)
    assert verification.device == device
    assert not verification.by_recovery_code
    # the same code again (a replay) is refused
    with pytest.raises(SecondFactorError):
        second_factor_check(user=user, code=code, address=ADDRESS)


def test_a_recovery_code_is_spent_by_its_first_use(province_schema):
    # given
    _site, staff = province_schema("hagiang")
    user = staff.holding("board_head")
    _device, codes = _enrolled(user)
    # when (typed in capitals, without its dash)
    verification = second_factor_check(
        user=user, code=codes[3].replace("-", " ").upper(), address=ADDRESS
    )
    # then
    assert verification.by_recovery_code
    assert verification.recovery_codes_left == RECOVERY_CODE_COUNT - 1
    assert recovery_codes_left(user) == RECOVERY_CODE_COUNT - 1
    [entry] = _audit("otp_recovery_used")
    assert entry.data == {"address": ADDRESS, "recovery_codes_left": RECOVERY_CODE_COUNT - 1}
    with pytest.raises(SecondFactorError) as refused:
        second_factor_check(user=user, code=codes[3], address=ADDRESS)
    assert refused.value.code == "wrong_code"


def test_wrong_codes_are_throttled_and_audited_without_the_code(province_schema):
    # given
    _site, staff = province_schema("hagiang")
    user = staff.holding("board_head")
    device, codes = _enrolled(user)
    # when a wrong recovery code, then at once the right code
    with pytest.raises(SecondFactorError) as first:
        second_factor_check(user=user, code="aaaaa-bbbbb", address=ADDRESS)
    with pytest.raises(SecondFactorError) as second:
        second_factor_check(user=user, code=totp_code(device, steps_ahead=1), address=ADDRESS)
    # then the second try came within the throttle's wait: refused unchecked
    assert first.value.code == "wrong_code"
    assert second.value.code == "throttled"
    failures = _audit("otp_failed")
    assert [entry.data["reason"] for entry in failures] == ["wrong_code", "throttled"]
    assert all(entry.data["address"] == ADDRESS for entry in failures)
    assert "aaaaa" not in str([entry.data for entry in failures])
    # and after the wait, the right code passes and the count starts again
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=10)
    )
    second_factor_check(user=user, code=codes[0], address=ADDRESS)
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_recovery_codes_survive_a_rotated_secret_key(province_schema, settings):
    _site, staff = province_schema("hagiang")
    user = staff.holding("board_head")
    _device, codes = _enrolled(user)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert second_factor_check(user=user, code=codes[0], address=ADDRESS).by_recovery_code


def test_renewal_replaces_every_recovery_code_after_an_authenticator_code(province_schema):
    # given
    _site, staff = province_schema("hagiang")
    user = staff.holding("board_head")
    device, old = _enrolled(user)
    second_factor_check(user=user, code=old[0], address=ADDRESS)
    # when a wrong code: nothing changes
    with pytest.raises(SecondFactorError):
        recovery_codes_renew(user=user, code="000000", address=ADDRESS)
    assert recovery_codes_left(user) == RECOVERY_CODE_COUNT - 1
    # when the right one
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    device.refresh_from_db()
    new = recovery_codes_renew(user=user, code=totp_code(device, steps_ahead=1), address=ADDRESS)
    # then
    assert recovery_codes_left(user) == RECOVERY_CODE_COUNT
    assert not set(new) & set(old)
    with pytest.raises(SecondFactorError):
        second_factor_check(user=user, code=old[1], address=ADDRESS)
    assert len(_audit("otp_recovery_renewed")) == 1


def test_renewal_without_an_authenticator_is_refused(province_schema):
    _site, staff = province_schema("hagiang")
    user = staff.holding("site_editor")
    with pytest.raises(SecondFactorError) as refused:
        recovery_codes_renew(user=user, code="123456", address=ADDRESS)
    assert refused.value.code == "not_enrolled"


# --- reset ------------------------------------------------------------------------------------


def test_an_administrator_resets_someone_elses_second_factor(province_schema):
    # given
    _site, staff = province_schema("hagiang")
    admin = administrator()
    user = staff.holding("board_head")
    _enrolled(user)
    # when
    removed = user_second_factor_reset(user=user, actor=admin, address=ADDRESS)
    # then
    assert removed == 1
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    [entry] = _audit("otp_reset")
    assert (entry.actor, entry.target, entry.data) == (admin, user.username, {"address": ADDRESS})
    assert second_factor_state(user) == second_factor.State(required=True, enrolled=False)


def test_nobody_resets_their_own_second_factor_and_only_administrators_reset(province_schema):
    _site, staff = province_schema("hagiang")
    admin = administrator()
    _enrolled(admin)
    other = staff.holding("board_head")
    with pytest.raises(AccountError) as own:
        user_second_factor_reset(user=admin, actor=admin)
    assert own.value.code == "self_otp_reset"
    with pytest.raises(AccountError) as not_admin:
        user_second_factor_reset(user=admin, actor=other)
    assert not_admin.value.code == "not_allowed"
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
    assert not _audit("otp_reset")


def test_the_staff_command_resets_a_province_account(in_province, capsys):
    with in_province("backan"):
        user = User.objects.create_user(username="otp_cmd", password="x" * 12, is_staff=True)
        authenticator(user)
    call_command("staff", "otp-reset", "--province", "backan", "otp_cmd")
    assert "second factor reset (1 authenticator(s)" in capsys.readouterr().out
    with in_province("backan"):
        assert not TOTPDevice.objects.filter(user=user).exists()
        [entry] = _audit("otp_reset")
        assert entry.actor is None
        assert entry.data["via"] == "command"
    with pytest.raises(CommandError, match="unknown user 'nobody' in backan"):
        call_command("staff", "otp-reset", "--province", "backan", "nobody")


def test_the_operator_command_resets_an_operator(tenant_db, capsys):
    operator = User.objects.create_user(username="op_reset", password="x" * 12, is_staff=True)
    authenticator(operator)
    call_command("operator", "otp-reset", "op_reset")
    assert "on the platform host" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=operator).exists()
    [entry] = _audit("otp_reset")
    assert entry.target == "op_reset"
    with pytest.raises(CommandError, match="unknown operator"):
        call_command("operator", "otp-reset", "nobody")
