"""Reads of the reports shared by api/ and frontend/: the profile's `reporting` entries as
people read them, which reports a person sees, and who may sign one off.

An entry is identified by `entry_key`, a digest of who, to, cadence and source: stable across
profile versions that keep the entry, so a report drafted under one version is found again
under the next (Report.entry_key)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ErrorKind, ServiceError
from organization.models import Agency, ComponentSite, Delegation, Role, RoleAssignment
from organization.selectors import agency_list, component_site_list, role_assignment_list
from provinces.schema import Profile, Reporting
from reports.models import Report

CADENCE_LABELS = {
    "weekly": _("Hằng tuần"),
    "monthly": _("Hằng tháng"),
    "quarterly": _("Hằng quý"),
    "semiannual": _("Sáu tháng"),
    "yearly": _("Hằng năm"),
    "periodic": _("Định kỳ, khi được yêu cầu"),
    "on_request": _("Đột xuất, theo yêu cầu"),
}
PER_LABELS = {
    "province": _("Toàn tỉnh"),
    "agency": _("Từng cơ quan, đơn vị"),
    "component_site": _("Từng cổng thông tin thành phần"),
}
SUBJECT_LABELS = {
    "portal_activity": _("Báo cáo tình hình hoạt động của Cổng thông tin điện tử"),
    "online_services": _("Báo cáo tình hình sử dụng dịch vụ công trực tuyến"),
    "information_supply": _("Báo cáo tình hình cung cấp thông tin trên Cổng thông tin điện tử"),
}
# Cadences with a period of their own: drafted by the platform when the period ends.
FIXED_CADENCES = ("weekly", "monthly", "quarterly", "semiannual", "yearly")
# Cadences drafted on demand for a period someone gives.
ON_DEMAND_CADENCES = ("periodic", "on_request")


class ReportNotVisible(ServiceError):
    kind = ErrorKind.NOT_FOUND


@dataclass(frozen=True)
class Entry:
    """One `reporting` entry of the profile in force, with what people read of it."""

    key: str
    index: int
    reporting: Reporting
    cadence_label: str
    per_label: str
    subject_label: str
    role_name: str  # the role's name in the profile (never its code)

    @property
    def fixed(self) -> bool:
        return self.reporting.cadence in FIXED_CADENCES


def entry_key(reporting: Reporting) -> str:
    """sha256 of who, to, cadence and source (64 hex characters: Report.entry_key)."""
    text = "\x1f".join([reporting.who, reporting.to, reporting.cadence, reporting.source])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entries(profile: Profile) -> list[Entry]:
    """The profile's `reporting` entries in its order."""
    found = []
    for index, reporting in enumerate(profile.reporting):
        role = profile.governance.role(reporting.role)
        found.append(
            Entry(
                key=entry_key(reporting),
                index=index,
                reporting=reporting,
                cadence_label=str(CADENCE_LABELS[reporting.cadence]),
                per_label=str(PER_LABELS[reporting.per]),
                subject_label=str(SUBJECT_LABELS[reporting.subject]),
                role_name=role.name if role is not None else reporting.role,
            )
        )
    return found


def entry_by_key(profile: Profile, key: str) -> Entry | None:
    """The entry of `profile` with this key, or None (an entry a later profile dropped)."""
    return next((entry for entry in entries(profile) if entry.key == key), None)


def _held(user) -> tuple[set[str], set[tuple[str, int]]]:
    """(portal role codes, (agency role code, agency id)) the user holds."""
    portal: set[str] = set()
    agency: set[tuple[str, int]] = set()
    for code, scope, agency_id in RoleAssignment.objects.filter(user=user).values_list(
        "role__code", "role__scope", "agency_id"
    ):
        if scope == Role.Scope.PORTAL or agency_id is None:
            portal.add(code)
        else:
            agency.add((code, agency_id))
    return portal, agency


def reports_visible_to(user) -> QuerySet[Report]:
    """The reports `user` may read: every one for the holders of a portal-scope role and the
    superusers; for the holders of agency roles, their agencies' and component sites' reports
    and the province's reports whose role they hold; none for anybody else."""
    reports = Report.objects.select_related("agency", "site", "signed_off_by")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return reports.none()
    if user.is_superuser:
        return reports
    portal, agency = _held(user)
    if portal:
        return reports
    if not agency:
        return reports.none()
    agency_ids = {agency_id for _, agency_id in agency}
    codes = {code for code, _ in agency}
    return reports.filter(
        Q(agency_id__in=agency_ids)
        | Q(site__agency_id__in=agency_ids)
        | Q(agency__isnull=True, site__isnull=True, role_code__in=codes)
    )


def report_for(user, pk) -> Report:
    """One report `user` may read. Raises Report.DoesNotExist for no such report and
    ReportNotVisible (not_found: nobody learns what exists) for another person's."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Report.DoesNotExist from None
    if not -(2**63) < pk < 2**63:
        raise Report.DoesNotExist
    report = Report.objects.select_related("agency", "site", "signed_off_by").get(pk=pk)
    if not reports_visible_to(user).filter(pk=report.pk).exists():
        raise ReportNotVisible("not_found", _("Không có báo cáo này."))
    return report


def person_name(user) -> str:
    """How a report names a person: the account's full name, else its username."""
    if user is None:
        return ""
    return (getattr(user, "full_name", "") or user.get_full_name() or user.get_username())[:200]


def report_agency_id(report: Report) -> int | None:
    """The agency a report is made for: its own, or its component site's."""
    if report.agency_id is not None:
        return report.agency_id
    site = report.site if report.site_id is not None else None
    return site.agency_id if site is not None else None


def signing_capacity(user, report: Report, *, at=None):
    """(allowed, delegator or None): whether `user` may sign `report` off, and on whose behalf.

    The holder of the report's role for its agency or site; for a province report any holder
    of that role; or a delegate under a current delegation of the organization from such a
    holder (Huế Art. 19; Thái Nguyên Art. 14(3)). A superuser is not a signer as such: a
    report is signed by the person the regulation names."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False, None
    at = at or timezone.now()
    agency_id = report_agency_id(report)
    holders = RoleAssignment.objects.filter(role__code=report.role_code)
    if agency_id is not None:
        holders = holders.filter(Q(agency_id=agency_id) | Q(role__scope=Role.Scope.PORTAL))
    if holders.filter(user=user).exists():
        return True, None
    grants = Delegation.objects.filter(
        delegate=user,
        role__code=report.role_code,
        starts_at__lte=at,
        ends_at__gt=at,
        revoked_at__isnull=True,
        delegator__is_active=True,
    ).select_related("delegator")
    if agency_id is not None:
        grants = grants.filter(Q(agency_id=agency_id) | Q(agency__isnull=True))
    for grant in grants.order_by("starts_at"):
        if holders.filter(user=grant.delegator).exists():
            return True, grant.delegator
    return False, None


def can_sign_off(user, report: Report) -> bool:
    return signing_capacity(user, report)[0]


def signers_of(report: Report):
    """The active holders of the report's role for its agency or site (every holder for a
    province report): who is reminded."""
    from accounts.models import User

    holders = RoleAssignment.objects.filter(role__code=report.role_code)
    agency_id = report_agency_id(report)
    if agency_id is not None:
        holders = holders.filter(Q(agency_id=agency_id) | Q(role__scope=Role.Scope.PORTAL))
    return User.objects.filter(is_active=True, pk__in=holders.values("user_id")).order_by(
        "username"
    )


def report_list(*, user, status: str | None = None, start=None, end=None) -> QuerySet[Report]:
    """The reports `user` sees, newest period first, filtered by status and by periods ending
    on or after `start` and starting on or before `end`."""
    reports = reports_visible_to(user)
    if status:
        reports = reports.filter(status=status)
    if start is not None:
        reports = reports.filter(period_end__gte=start)
    if end is not None:
        reports = reports.filter(period_start__lte=end)
    return reports.order_by("-period_end", "pk")


# --- who may ask for a report on demand -------------------------------------------------------


class DraftScope:
    """Which on-demand reports a user may ask for: the province's administrator and portal
    staff any; an agency's staff those of their own agency or site, and the province's reports
    of a role they hold. The page offers what it allows; the service refuses the rest."""

    def __init__(self, user):
        portal, codes, agency_ids = False, set(), set()
        for assignment in role_assignment_list(user=user):
            codes.add(assignment.role.code)
            if assignment.role.scope == Role.Scope.PORTAL or assignment.agency_id is None:
                portal = True
            else:
                agency_ids.add(assignment.agency_id)
        self.everything = bool(user.is_superuser) or portal
        self.codes: set[str] = codes
        self.agency_ids: set[int] = agency_ids

    def entry(self, entry: Entry) -> bool:
        if self.everything:
            return True
        if entry.reporting.per == "province":
            return entry.reporting.role in self.codes
        return bool(self.agency_ids)

    def target(self, entry: Entry, *, agency=None, site=None) -> bool:
        """May ask for `entry`'s report for this agency or site (both None: the province)."""
        if not self.entry(entry):
            return False
        if self.everything or entry.reporting.per == "province":
            return True
        agency_id = site.agency_id if site is not None else getattr(agency, "pk", None)
        return agency_id in self.agency_ids

    def agencies(self) -> list[Agency]:
        found = list(agency_list())
        return found if self.everything else [a for a in found if a.pk in self.agency_ids]

    def sites(self) -> list[ComponentSite]:
        found = list(component_site_list().select_related("agency"))
        return found if self.everything else [s for s in found if s.agency_id in self.agency_ids]
