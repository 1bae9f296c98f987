"""The staff second factor (issue 13, OWASP ASVS 5.0 level 2, V6; ADR 0022): who must have one,
enrolment of a TOTP authenticator (django-otp's TOTPDevice, with its throttling), the ten
single-use recovery codes (stored as keyed hashes only), and the check of a code at sign-in.

Every event is audited through `accounts.services.audit_record` with the client's address;
never a code nor a secret. The reset by an administrator is `accounts.services.
user_second_factor_reset` (beside the one-time secret's reissue)."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import get_public_schema_name

from accounts.models import RecoveryCode, User
from accounts.services import AccountError, audit_record
from core.errors import ErrorKind
from core.profiles import current_profile
from organization.models import Delegation, RoleAssignment

RECOVERY_CODE_COUNT = 10
# 10 characters from 31 unambiguous ones (no 0/o, 1/l/i): about 49.5 bits each, shown as
# "abcde-fghjk". Guessing is also slowed by the device's throttle, which every wrong code feeds.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10
TOTP_DIGITS = 6
# The longest code anyone types (a recovery code with spaces or dashes): longer is refused.
CODE_MAX_LENGTH = 32
# An enrolment not confirmed within this time starts again with a new secret.
ENROLMENT_LIFETIME = timedelta(minutes=30)
STEP_ACTIONS_REQUIRING = frozenset({"approve", "publish"})
_HMAC_SALT = "accounts.second_factor.recovery_code"


class SecondFactorError(AccountError):
    """A refused second-factor step: a wrong or spent code, too many attempts, no enrolment."""


@dataclass(frozen=True)
class Verification:
    device: TOTPDevice
    by_recovery_code: bool
    recovery_codes_left: int


# --- who must ---------------------------------------------------------------------------------


def approving_role_codes(profile) -> frozenset[str]:
    """The roles whose holders approve or publish in the profile: the `role` of every workflow
    step whose action is `approve` or `publish` (portal and component sites), and the Q&A answer
    role, which approves and sends an agency's answers (Thái Nguyên Art. 14(3)) and publishes
    them where `qa.answer_publisher` is `answer_role`; where it is `board`, the board's role is
    the portal workflow's publish step, already counted. Pure: no database."""
    codes = {
        step.role
        for workflow in profile.governance.workflows.values()
        for step in workflow.steps
        if step.action in STEP_ACTIONS_REQUIRING
    }
    codes.add(profile.qa.answer_role)
    return frozenset(codes)


def _in_public_schema() -> bool:
    return connection.schema_name == get_public_schema_name()


def _approving_codes_here() -> frozenset[str]:
    return frozenset() if _in_public_schema() else approving_role_codes(current_profile())


def _holds_approving_role(codes: frozenset[str], *, at):
    """An Exists() over the user's role assignments and running delegations of those roles."""
    assignment = Exists(RoleAssignment.objects.filter(user=OuterRef("pk"), role__code__in=codes))
    delegation = Exists(
        Delegation.objects.filter(
            delegate=OuterRef("pk"),
            role__code__in=codes,
            revoked_at__isnull=True,
            starts_at__lte=at,
            ends_at__gt=at,
        )
    )
    return assignment, delegation


def required_for(user: User) -> bool:
    """Must this account of the active schema use a second factor? Every operator (a staff
    account of the public schema: the console opens for no other), every province
    administrator (its superusers), and every holder of a role that approves or publishes
    (`approving_role_codes`), held or delegated to them now. Anyone else may enrol
    voluntarily."""
    return second_factor_state(user).required


@dataclass(frozen=True)
class State:
    required: bool
    enrolled: bool


def second_factor_state(user: User) -> State:
    """Whether the account must have a second factor and whether it has one: one query."""
    if not user.is_authenticated or user.pk is None:
        return State(required=False, enrolled=False)
    device = Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    if user.is_superuser or _in_public_schema():
        enrolled = User.objects.filter(pk=user.pk).filter(device).exists()
        return State(required=user.is_superuser or user.is_staff, enrolled=enrolled)
    codes = _approving_codes_here()
    assignment, delegation = _holds_approving_role(codes, at=timezone.now())
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(enrolled=device, assigned=assignment, delegated=delegation)
        .values_list("enrolled", "assigned", "delegated")
        .first()
    )
    if row is None:
        return State(required=False, enrolled=False)
    enrolled, assigned, delegated = row
    return State(required=bool(assigned or delegated), enrolled=bool(enrolled))


def users_requiring() -> list[User]:
    """The active accounts of this schema that must have a second factor, by username."""
    queryset = User.objects.filter(is_active=True)
    if _in_public_schema():
        queryset = queryset.filter(Q(is_superuser=True) | Q(is_staff=True))
    else:
        assignment, delegation = _holds_approving_role(_approving_codes_here(), at=timezone.now())
        queryset = queryset.filter(Q(is_superuser=True) | Q(assignment) | Q(delegation))
    return list(queryset.order_by("username"))


# --- devices ----------------------------------------------------------------------------------


def device_for(user: User) -> TOTPDevice | None:
    """The account's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def _device_name(user: User) -> str:
    return f"authenticator of {user.get_username()}"[:64]


@transaction.atomic
def enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator the enrolment page shows (QR code and secret): the same one
    while the page is reloaded, a new secret after ENROLMENT_LIFETIME. Refused when the account
    already has a confirmed one (renewing it is a reset by an administrator)."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise _already_enrolled()
    pending = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False))
    fresh_after = timezone.now() - ENROLMENT_LIFETIME
    for device in pending:
        if device.created_at is not None and device.created_at >= fresh_after:
            return device
    TOTPDevice.objects.filter(pk__in=[device.pk for device in pending]).delete()
    return TOTPDevice.objects.create(
        user=user, name=_device_name(user), confirmed=False, digits=TOTP_DIGITS
    )


def _normalise(code: str) -> str:
    code = unicodedata.normalize("NFKC", code or "")
    return "".join(ch for ch in code if ch not in " -\u00a0\t").lower()


def _is_totp(code: str) -> bool:
    return len(code) == TOTP_DIGITS and code.isascii() and code.isdigit()


def _wrong_code(*, throttled: bool = False) -> SecondFactorError:
    if throttled:
        return SecondFactorError(
            "throttled",
            _("Bạn đã nhập sai quá nhiều lần. Hãy chờ một lát rồi thử lại."),
            field="code",
            kind=ErrorKind.TOO_MANY,
        )
    return SecondFactorError(
        "wrong_code", _("Mã xác thực không đúng hoặc đã hết hạn."), field="code"
    )


def _too_long(code: str) -> SecondFactorError | None:
    if len(code or "") > CODE_MAX_LENGTH:
        return SecondFactorError(
            "code_too_long",
            _("Mã xác thực dài tối đa %(max)d ký tự.") % {"max": CODE_MAX_LENGTH},
            field="code",
        )
    return None


def enrolment_confirm(*, user: User, code: str, address: str) -> list[str]:
    """Confirm the pending authenticator with a code it shows now; returns the ten recovery
    codes, in clear this once. Audited `otp_enrolled`; a wrong code `otp_failed`."""
    if error := _too_long(code):
        raise error
    outcome = _enrolment_confirm(user=user, code=_normalise(code), address=address)
    if isinstance(outcome, str):
        raise _wrong_code(throttled=outcome == "throttled")
    return outcome


@transaction.atomic
def _enrolment_confirm(*, user: User, code: str, address: str) -> list[str] | str:
    # A wrong code is returned, not raised, so that its count and audit row are committed.
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False, created_at__gte=timezone.now() - ENROLMENT_LIFETIME)
        .order_by("-pk")
        .first()
    )
    if device is None:
        raise SecondFactorError(
            "enrolment_expired",
            _("Phiên đăng ký đã hết hạn; hãy quét lại mã QR mới."),
            field="code",
            kind=ErrorKind.CONFLICT,
        )
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise _already_enrolled()
    if failure := _totp_failure(device, code, user=user, address=address, step="enrol"):
        return failure
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = _recovery_codes_replace(user)
    audit_record(actor=user, action="otp_enrolled", target=user.get_username(), address=address)
    return codes


def _already_enrolled() -> SecondFactorError:
    return SecondFactorError(
        "already_enrolled",
        _("Tài khoản đã có ứng dụng xác thực."),
        field="code",
        kind=ErrorKind.CONFLICT,
    )


def _not_enrolled() -> SecondFactorError:
    return SecondFactorError(
        "not_enrolled",
        _("Tài khoản chưa đăng ký ứng dụng xác thực."),
        field="code",
        kind=ErrorKind.CONFLICT,
    )


# --- recovery codes ---------------------------------------------------------------------------


def _hashes(code: str) -> list[str]:
    """The keyed hash of a normalised recovery code under the secret key and each fallback
    (SECRET_KEY_FALLBACKS): a rotated key does not void the codes staff keep on paper."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [
        salted_hmac(_HMAC_SALT, code, secret=key, algorithm="sha256").hexdigest() for key in keys
    ]


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _recovery_codes_replace(user: User) -> list[str]:
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=_hashes(_normalise(code))[0]) for code in codes]
    )
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def recovery_codes_renew(*, user: User, code: str, address: str) -> list[str]:
    """A new set of ten recovery codes (the old ones stop working) after a code from the
    authenticator itself: a lost paper list is replaced by its owner. Audited
    `otp_recovery_renewed`; a wrong code `otp_failed`."""
    if error := _too_long(code):
        raise error
    outcome = _recovery_codes_renew(user=user, code=_normalise(code), address=address)
    if isinstance(outcome, str):
        raise _wrong_code(throttled=outcome == "throttled")
    return outcome


@transaction.atomic
def _recovery_codes_renew(*, user: User, code: str, address: str) -> list[str] | str:
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None:
        raise _not_enrolled()
    if failure := _totp_failure(device, code, user=user, address=address, step="renewal"):
        return failure
    codes = _recovery_codes_replace(user)
    audit_record(
        actor=user, action="otp_recovery_renewed", target=user.get_username(), address=address
    )
    return codes


# --- the check at sign-in ---------------------------------------------------------------------


def second_factor_check(*, user: User, code: str, address: str) -> Verification:
    """The second step of a sign-in: a code of the account's authenticator, or one of its
    unused recovery codes (then spent, audited `otp_recovery_used`). A wrong code is counted on
    the authenticator (django-otp's throttle: each failure doubles the wait before the next
    try) and audited `otp_failed`; during the wait every code is refused unchecked."""
    if error := _too_long(code):
        raise error
    outcome = _second_factor_check(user=user, code=_normalise(code), address=address)
    if isinstance(outcome, str):
        raise _wrong_code(throttled=outcome == "throttled")
    return outcome


@transaction.atomic
def _second_factor_check(*, user: User, code: str, address: str) -> Verification | str:
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=True)
        .order_by("pk")
        .first()
    )
    if device is None:
        raise _not_enrolled()
    if _is_totp(code):
        if failure := _totp_failure(device, code, user=user, address=address, step="sign_in"):
            return failure
        return Verification(device, by_recovery_code=False, recovery_codes_left=-1)
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        _audit_failure(user=user, address=address, step="sign_in", reason="throttled")
        return "throttled"
    spent = (
        RecoveryCode.objects.select_for_update()
        .filter(user=user, used_at__isnull=True, code_hash__in=_hashes(code))
        .first()
        if len(code) == RECOVERY_CODE_LENGTH
        else None
    )
    if spent is None:
        device.throttle_increment()
        _audit_failure(user=user, address=address, step="sign_in", reason="wrong_code")
        return "wrong_code"
    spent.used_at = timezone.now()
    spent.save(update_fields=["used_at"])
    device.throttle_reset()
    left = recovery_codes_left(user)
    audit_record(
        actor=user,
        action="otp_recovery_used",
        target=user.get_username(),
        address=address,
        recovery_codes_left=left,
    )
    return Verification(device, by_recovery_code=True, recovery_codes_left=left)


def _audit_failure(*, user: User, address: str, step: str, reason: str) -> None:
    audit_record(
        actor=user,
        action="otp_failed",
        target=user.get_username(),
        address=address,
        step=step,
        reason=reason,
    )


def _totp_failure(
    device: TOTPDevice, code: str, *, user: User, address: str, step: str
) -> str | None:
    """None when `code` is the authenticator's current one (then spent: django-otp refuses a
    code of the same time step again); else why not, the failure counted and audited."""
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        _audit_failure(user=user, address=address, step=step, reason="throttled")
        return "throttled"
    if _is_totp(code) and device.verify_token(code):
        return None
    if not _is_totp(code):
        device.throttle_increment()
    # else verify_token has counted it
    _audit_failure(user=user, address=address, step=step, reason="wrong_code")
    return "wrong_code"
