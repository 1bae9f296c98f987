"""Writes on a province's organization: agencies, component sites, roles, staff."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import ErrorKind, ServiceError
from core.text import nfc
from organization.models import Agency, ComponentSite, Leader, Role, RoleAssignment


class OrganizationError(ServiceError):
    """A refused change to the organization: code, message, the field to blame, its kind."""


def _apply(instance, values: dict) -> bool:
    changed = [key for key, value in values.items() if getattr(instance, key) != value]
    for key in changed:
        setattr(instance, key, values[key])
    if changed:
        instance.save(update_fields=changed)
    return bool(changed)


@transaction.atomic
def role_ensure(*, code: str, name: str, scope: str, source: str) -> bool:
    """Create or update a workflow role from the profile; True when something changed."""
    role, created = Role.objects.get_or_create(
        code=code, defaults={"name": nfc(name), "scope": scope, "source": source}
    )
    return created or _apply(role, {"name": nfc(name), "scope": scope, "source": source})


@transaction.atomic
def agency_ensure(
    *,
    name: str,
    short_name: str,
    kind: str,
    source: str,
    label: str | None = None,
    host: str | None = None,
    dev_host: str | None = None,
    alternate_hosts: list[str] | None = None,
) -> bool:
    """Create or update an agency (and its component site when a host is given)."""
    name = nfc(name)
    agency, created = Agency.objects.get_or_create(
        name=name, defaults={"short_name": nfc(short_name), "kind": kind, "source": source}
    )
    changed = created or _apply(
        agency, {"short_name": nfc(short_name), "kind": kind, "source": source}
    )
    if host is None:
        return changed
    assert label is not None  # the profile gives every component site a label with its host
    site = ComponentSite.objects.filter(agency=agency).first()
    if site is None:
        ComponentSite.objects.create(
            agency=agency,
            label=label,
            host=host,
            dev_host=dev_host,
            alternate_hosts=alternate_hosts or [],
        )
        return True
    return (
        _apply(
            site,
            {
                "label": label,
                "host": host,
                "dev_host": dev_host,
                "alternate_hosts": alternate_hosts or [],
            },
        )
        or changed
    )


@transaction.atomic
def delegation_create(
    *,
    actor,
    delegator,
    delegate,
    role_code: str,
    agency_name: str | None,
    starts_at,
    ends_at,
    reason: str = "",
):
    """Record a grant of a workflow role from its holder to a named person for a period.
    Only the holder (or the province's administrator) may grant it."""
    from organization.models import Delegation

    if delegator.pk == delegate.pk:
        raise OrganizationError(
            "self_delegation", _("Không thể uỷ quyền cho chính mình."), "delegate"
        )
    if ends_at <= starts_at:
        raise OrganizationError("invalid_period", _("Thời hạn uỷ quyền không hợp lệ."), "ends_at")
    if actor.pk != delegator.pk and not actor.is_superuser:
        raise OrganizationError(
            "not_allowed",
            _("Chỉ người giữ vai trò hoặc quản trị mới được uỷ quyền."),
            "delegator",
            kind=ErrorKind.FORBIDDEN,
        )
    assignment = role_assign_lookup(user=delegator, role_code=role_code, agency_name=agency_name)
    return Delegation.objects.create(
        delegator=delegator,
        delegate=delegate,
        role=assignment.role,
        agency=assignment.agency,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=nfc(reason),
        created_by=actor,
    )


def role_assign_lookup(*, user, role_code: str, agency_name: str | None) -> RoleAssignment:
    assignments = RoleAssignment.objects.select_related("role", "agency").filter(
        user=user, role__code=role_code
    )
    if agency_name:
        assignments = assignments.filter(agency__name=nfc(agency_name))
    assignment = assignments.first()
    if assignment is None:
        raise OrganizationError(
            "role_not_held",
            _("Người uỷ quyền không giữ vai trò '%(role_code)s'.") % {"role_code": role_code},
            "role",
        )
    return assignment


@transaction.atomic
def delegation_revoke(*, delegation, actor):
    from django.utils import timezone

    if (
        actor.pk not in (delegation.delegator_id, delegation.created_by_id)
        and not actor.is_superuser
    ):
        raise OrganizationError(
            "not_allowed",
            _("Không có quyền thu hồi uỷ quyền này."),
            "delegation",
            kind=ErrorKind.FORBIDDEN,
        )
    if delegation.revoked_at is None:
        delegation.revoked_at = timezone.now()
        delegation.revoked_by = actor
        delegation.save(update_fields=["revoked_at", "revoked_by"])
    return delegation


# --- the province administrator's pages (/staff/quan-tri/) ----------------------------------


def _audit(action: str, *, actor, **data) -> None:
    from accounts.services import audit_record

    target = str(data.get("user") or data.get("role") or "")
    audit_record(actor=actor, action=action, target=target, **{k: str(v) for k, v in data.items()})


def _require_administrator(actor) -> None:
    """The pages act for a signed-in administrator of the province; the command line (actor
    None: `manage.py staff`, `seed_demo`) acts for whoever may run commands on the server,
    and the audit names it so (accounts.services.audit_record)."""
    if actor is not None and not (actor.is_active and actor.is_superuser):
        raise OrganizationError(
            "not_allowed",
            _("Chỉ quản trị viên của cổng mới được làm việc này."),
            "user",
            kind=ErrorKind.FORBIDDEN,
        )


@transaction.atomic
def role_grant(*, user, role_code: str, agency: Agency | None, actor) -> RoleAssignment:
    """The administrator (or the command line, actor None) gives `user` a role of the
    profile: an agency-scoped role for one agency, a portal role for none. Refuses a role
    already held in that scope."""
    _require_administrator(actor)
    role = Role.objects.filter(code=role_code).first()
    if role is None:
        raise OrganizationError(
            "unknown_role",
            _("Vai trò '%(role_code)s' không có trong hồ sơ quy chế.") % {"role_code": role_code},
            "role",
        )
    if role.scope == Role.Scope.AGENCY and agency is None:
        raise OrganizationError(
            "agency_required",
            _("Vai trò '%(name)s' thuộc một cơ quan: hãy chọn cơ quan.") % {"name": role.name},
            "agency",
        )
    if role.scope == Role.Scope.PORTAL and agency is not None:
        raise OrganizationError(
            "agency_not_allowed",
            _("Vai trò '%(name)s' là vai trò cấp Cổng tỉnh: không chọn cơ quan.")
            % {"name": role.name},
            "agency",
        )
    if agency is not None and not agency.is_active:
        raise OrganizationError(
            "agency_inactive",
            _("Cơ quan '%(name)s' đã ngừng hoạt động.") % {"name": agency.name},
            "agency",
        )
    if RoleAssignment.objects.filter(user=user, role=role, agency=agency).exists():
        where = _(" tại %(agency)s") % {"agency": agency.name} if agency else ""
        raise OrganizationError(
            "already_held",
            _("'%(username)s' đã giữ vai trò '%(name)s'%(where)s.")
            % {"username": user.username, "name": role.name, "where": where},
            "role",
        )
    assignment = RoleAssignment.objects.create(user=user, role=role, agency=agency)
    _audit(
        "role_granted",
        actor=actor,
        user=user.username,
        role=role.code,
        agency=agency.pk if agency else None,
    )
    return assignment


@transaction.atomic
def role_unassign(*, assignment: RoleAssignment, actor) -> bool:
    """Take a role away from its holder (delegations they gave of it stop counting, since a
    delegate acts only while the delegator holds the role). True when a row was removed;
    False when it was already gone (safe to repeat)."""
    _require_administrator(actor)
    locked = RoleAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
    if locked is None:
        return False
    locked.delete()
    _audit(
        "role_removed",
        actor=actor,
        user_id=assignment.user_id,
        role_id=assignment.role_id,
        agency=assignment.agency_id,
    )
    return True


@transaction.atomic
def staff_create(
    *,
    actor,
    full_name: str,
    username_rule: str,
    role_code: str,
    agency: Agency | None = None,
    username: str = "",
    email: str = "",
    password: str | None = None,
):
    """Create a staff account holding one role, with a one-time secret to hand over once
    (or, from the command line, the first password the staff member typed themselves:
    `password`, whose change at the first sign-in is the profile's rule, ADR 0013).
    Without a username, it is derived from the full name with the profile's rule (Huế Art. 11:
    "Nguyễn Văn An" → "nvan"). Nothing is created when any part is refused."""
    from accounts.services import (
        AccountError,
        IssuedAccount,
        user_create_with_password,
        user_create_with_secret,
        username_from_full_name,
    )

    _require_administrator(actor)
    full_name = nfc(full_name)
    derived = not username.strip()
    if derived and not full_name:
        raise OrganizationError("name_required", _("Hãy nhập họ và tên."), "full_name")
    if derived:
        try:
            username = username_from_full_name(full_name, rule=username_rule)
        except AccountError as error:
            raise OrganizationError(
                error.code, error.message, error.field, kind=error.kind
            ) from error
    try:
        if password is None:
            issued = user_create_with_secret(username=username, full_name=full_name, email=email)
        else:
            user = user_create_with_password(
                username=username, password=password, full_name=full_name, email=email
            )
            issued = IssuedAccount(user=user, one_time_secret=None)
    except AccountError as error:
        message = error.message
        if error.code == "username_taken" and derived:
            message = str(message) + _(" Hãy nhập một tên đăng nhập khác, ví dụ '%(free)s'.") % {
                "free": _free_username(username)
            }
        raise OrganizationError(error.code, message, error.field, kind=error.kind) from error
    role_grant(user=issued.user, role_code=role_code, agency=agency, actor=actor)
    _audit("staff_created", actor=actor, user=issued.user.username, role=role_code)
    return issued


def _free_username(taken: str) -> str:
    """The first of taken2, taken3… nobody has (one query)."""
    from accounts.models import User

    used = {
        name.lower()
        for name in User.objects.filter(username__istartswith=taken).values_list(
            "username", flat=True
        )
    }
    number = 2
    while f"{taken}{number}".lower() in used:
        number += 1
    return f"{taken}{number}"


# --- the agencies' public contacts and leaders (/lien-he/, /en/contacts/) --------------------

CONTACT_FIELDS = ("address", "phone", "email", "website", "english_name")
# What a phone number may hold: digits, spaces and + ( ) - . ("(0208) 3855 123", "+84 208 …").
_PHONE = re.compile(r"^[0-9 +().\-]+$")
_MIN_PHONE_DIGITS = 3  # "113", "1022": the shortest public numbers
LEADER_FIELDS = ("name", "title", "phone", "email", "position", "is_active")
MAX_POSITION = 100_000

_FIELD_NAMES = {
    "address": _("Địa chỉ"),
    "phone": _("Số điện thoại"),
    "email": _("Thư điện tử"),
    "website": _("Trang thông tin điện tử"),
    "english_name": _("Tên tiếng Anh"),
    "name": _("Họ và tên"),
    "title": _("Chức vụ"),
}

_REQUIRED = {"name": _("Hãy nhập họ và tên."), "title": _("Hãy nhập chức vụ.")}


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def _clean_text(model, field: str, value, *, required: bool = False) -> str:
    """One line of public text: NFC, trimmed, within the column's length, no control
    characters; a refusal names the field."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise OrganizationError(
            "invalid", _("%(field)s không hợp lệ.") % {"field": _FIELD_NAMES[field]}, field
        )
    value = nfc(value)
    if required and not value:
        raise OrganizationError(f"{field}_required", _REQUIRED[field], field)
    limit = _max_length(model, field)
    if len(value) > limit:
        raise OrganizationError(
            f"{field}_too_long",
            _("%(field)s dài tối đa %(limit)s ký tự.")
            % {"field": _FIELD_NAMES[field], "limit": limit},
            field,
        )
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise OrganizationError(
            f"{field}_invalid",
            _("%(field)s chỉ gồm một dòng, không có ký tự điều khiển.")
            % {"field": _FIELD_NAMES[field]},
            field,
        )
    return value


def _clean_phone(model, value) -> str:
    phone = _clean_text(model, "phone", value)
    if phone and (
        not _PHONE.match(phone) or sum(char.isdigit() for char in phone) < _MIN_PHONE_DIGITS
    ):
        raise OrganizationError(
            "phone_invalid",
            _("Số điện thoại chỉ gồm chữ số, dấu cách và các dấu + ( ) - . (ví dụ 0208 3855 123)."),
            "phone",
        )
    return phone


def _clean_email(model, value) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    email = _clean_text(model, "email", value)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise OrganizationError(
                "email_invalid", _("Địa chỉ thư điện tử không hợp lệ."), "email"
            ) from None
    return email


def _clean_website(value) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    website = _clean_text(Agency, "website", value)
    if website:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            raise OrganizationError(
                "website_invalid",
                _("Địa chỉ trang thông tin điện tử phải bắt đầu bằng http:// hoặc https://."),
                "website",
            ) from None
    return website


def _clean_agency_contacts(fields: dict) -> dict:
    unknown = sorted(set(fields) - set(CONTACT_FIELDS))
    if unknown:
        raise OrganizationError(
            "unknown_field",
            _("Không có trường '%(field)s' trong thông tin liên hệ.") % {"field": unknown[0]},
            unknown[0],
        )
    cleaners = {
        "address": lambda value: _clean_text(Agency, "address", value),
        "phone": lambda value: _clean_phone(Agency, value),
        "email": lambda value: _clean_email(Agency, value),
        "website": _clean_website,
        "english_name": lambda value: _clean_text(Agency, "english_name", value),
    }
    return {name: cleaners[name](value) for name, value in fields.items()}


def _contacts_audit(action: str, *, actor, agency: Agency, **data) -> None:
    from accounts.services import audit_record

    audit_record(actor=actor, action=action, target=agency.name, **data)


@transaction.atomic
def agency_contacts_update(*, agency: Agency, acting_user, **fields) -> Agency:
    """Change an agency's public contact (any of address, phone, email, website,
    english_name; "" clears one). The administrator acts (or the command line, acting_user
    None); each value is checked and nothing is stored when one is refused."""
    _require_administrator(acting_user)
    values = _clean_agency_contacts(fields)
    locked = Agency.objects.select_for_update().get(pk=agency.pk)
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, values[name])
    if changed:
        locked.save(update_fields=changed)
        _contacts_audit("contacts_updated " + ",".join(changed), actor=acting_user, agency=locked)
    return locked


def _clean_leader(fields: dict, *, partial: bool) -> dict:
    unknown = sorted(set(fields) - set(LEADER_FIELDS))
    if unknown:
        raise OrganizationError(
            "unknown_field",
            _("Không có trường '%(field)s' trong thông tin lãnh đạo.") % {"field": unknown[0]},
            unknown[0],
        )
    values: dict = {}
    for name in ("name", "title"):
        if name in fields or not partial:
            values[name] = _clean_text(Leader, name, fields.get(name), required=True)
    if "phone" in fields:
        values["phone"] = _clean_phone(Leader, fields["phone"])
    if "email" in fields:
        values["email"] = _clean_email(Leader, fields["email"])
    if "position" in fields:
        position = fields["position"]
        if (
            not isinstance(position, int)
            or isinstance(position, bool)
            or not 0 <= position <= MAX_POSITION
        ):
            raise OrganizationError(
                "position_invalid",
                _("Thứ tự hiển thị là một số từ 0 đến %(max)s.") % {"max": MAX_POSITION},
                "position",
            )
        values["position"] = position
    if "is_active" in fields:
        if not isinstance(fields["is_active"], bool):
            raise OrganizationError("invalid", _("Trạng thái không hợp lệ."), "is_active")
        values["is_active"] = fields["is_active"]
    return values


@transaction.atomic
def leader_add(
    *,
    agency: Agency,
    name: str,
    title: str,
    phone: str = "",
    email: str = "",
    position: int | None = None,
    acting_user=None,
):
    """Add a leader to an agency's contacts, last in its list unless a position is given. The
    administrator acts (or the command line, acting_user None: seed_demo, onboarding)."""
    _require_administrator(acting_user)
    fields: dict = {"name": name, "title": title, "phone": phone, "email": email}
    if position is not None:
        fields["position"] = position
    values = _clean_leader(fields, partial=False)
    # The agency's row is the lock: two additions at once get distinct positions.
    locked = Agency.objects.select_for_update().get(pk=agency.pk)
    if "position" not in values:
        last = (
            Leader.objects.filter(agency=locked)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        values["position"] = 0 if last is None else min(last + 1, MAX_POSITION)
    leader = Leader.objects.create(agency=locked, **values)
    _contacts_audit("leader_added", actor=acting_user, agency=locked, leader=leader.name)
    return leader


def _locked_leader(leader) -> Leader | None:
    return (
        Leader.objects.select_for_update(of=("self",))
        .select_related("agency")
        .filter(pk=leader.pk)
        .first()
    )


@transaction.atomic
def leader_update(*, leader, acting_user, **fields):
    """Change a leader's name, title, phone, e-mail, position or is_active (hidden from the
    public pages while False). Nothing is stored when one value is refused."""
    _require_administrator(acting_user)
    values = _clean_leader(fields, partial=True)
    current = _locked_leader(leader)
    if current is None:
        raise OrganizationError(
            "leader_not_found",
            _("Lãnh đạo này không còn trong danh sách."),
            "leader",
            kind=ErrorKind.NOT_FOUND,
        )
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    for name in changed:
        setattr(current, name, values[name])
    if changed:
        current.save(update_fields=changed)
        _contacts_audit(
            "leader_updated " + ",".join(changed),
            actor=acting_user,
            agency=current.agency,
            leader=current.name,
        )
    return current


@transaction.atomic
def leader_remove(*, leader, acting_user) -> bool:
    """Take a leader off the agency's contacts. True when a row was removed; False when it was
    already gone (safe to repeat: a double click, a second tab)."""
    _require_administrator(acting_user)
    row = _locked_leader(leader)
    if row is None:
        return False
    row.delete()
    _contacts_audit("leader_removed", actor=acting_user, agency=row.agency, leader=row.name)
    return True
