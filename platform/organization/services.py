"""Writes on a province's organization: agencies, component sites, roles, staff."""

from __future__ import annotations

import unicodedata

from django.db import transaction

from organization.models import Agency, ComponentSite, Role, RoleAssignment


class OrganizationError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


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
        code=code, defaults={"name": _nfc(name), "scope": scope, "source": source}
    )
    return created or _apply(role, {"name": _nfc(name), "scope": scope, "source": source})


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
) -> bool:
    """Create or update an agency (and its component site when a host is given)."""
    name = _nfc(name)
    agency, created = Agency.objects.get_or_create(
        name=name, defaults={"short_name": _nfc(short_name), "kind": kind, "source": source}
    )
    changed = created or _apply(
        agency, {"short_name": _nfc(short_name), "kind": kind, "source": source}
    )
    if host is None:
        return changed
    site = ComponentSite.objects.filter(agency=agency).first()
    if site is None:
        ComponentSite.objects.create(agency=agency, label=label, host=host, dev_host=dev_host)
        return True
    return _apply(site, {"label": label, "host": host, "dev_host": dev_host}) or changed


@transaction.atomic
def role_assign(*, user, role_code: str, agency_name: str | None = None) -> RoleAssignment:
    role = Role.objects.filter(code=role_code).first()
    if role is None:
        codes = ", ".join(Role.objects.values_list("code", flat=True))
        raise OrganizationError(
            "unknown_role",
            f"Vai trò '{role_code}' không có trong hồ sơ quy chế ({codes}).",
            field="role",
        )
    agency = None
    if agency_name:
        agency = (
            Agency.objects.filter(name=_nfc(agency_name)).first()
            or Agency.objects.filter(short_name__iexact=agency_name).first()
            or Agency.objects.filter(site__label=agency_name.lower()).first()
        )
        if agency is None:
            raise OrganizationError(
                "unknown_agency", f"Không tìm thấy cơ quan '{agency_name}'.", field="agency"
            )
    if role.scope == Role.Scope.AGENCY and agency is None:
        raise OrganizationError(
            "agency_required",
            f"Vai trò '{role.code}' thuộc một cơ quan: cần chỉ rõ --agency.",
            field="agency",
        )
    assignment, _ = RoleAssignment.objects.get_or_create(user=user, role=role, agency=agency)
    return assignment
