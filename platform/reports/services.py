"""Writes of the reports: drafting from the profile's `reporting` entries, redrafting, signing
off and reminding (issue 14, Must have 2). Keyword-only, one transaction each, audited.

A report is drafted from the platform's records (reports.figures.activity_figures) for one
period of one entry, per agency or component site where the entry says so. Drafting is
idempotent: the unique constraint on (entry, period, agency, site) keeps one report, and
drafting again returns it. Once signed off a report is archived: nothing changes it after."""

from __future__ import annotations

from datetime import date, datetime

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.services import audit_record
from core.errors import ErrorKind, ServiceError
from core.notices import notice_send_once, notice_subject
from core.profiles import current_profile
from organization.models import Agency, ComponentSite
from provinces.calendar import TZ, calendar_for
from provinces.loader import today_in_vietnam
from provinces.schema import Profile
from reports import documents, periods
from reports.figures import activity_figures
from reports.models import Report
from reports.selectors import (
    ON_DEMAND_CADENCES,
    DraftScope,
    Entry,
    entries,
    entry_by_key,
    person_name,
    signers_of,
    signing_capacity,
)

NOTE_MAX = 2000  # characters of a sign-off note
# Who the audit names for the reports the platform drafts itself when their period ends.
PLATFORM_DRAFTER = "Nền tảng (dự thảo tự động khi hết kỳ)"


class ReportError(ServiceError):
    """A refusal by the reports' services."""


def _entry(key: str, *, on: date | None = None) -> tuple[Profile, Entry]:
    """The entry with `key` in the profile in force today, else in the one in force on `on`
    (an entry a later profile dropped can still be drafted for a period it governed)."""
    profile = current_profile()
    entry = entry_by_key(profile, key)
    if entry is None and on is not None:
        profile = current_profile(on)
        entry = entry_by_key(profile, key)
    if entry is None:
        raise ReportError(
            "entry_not_found",
            _("Quy chế không quy định báo cáo này."),
            "entry_key",
            kind=ErrorKind.NOT_FOUND,
        )
    return profile, entry


def _check_scope(entry: Entry, agency: Agency | None, site: ComponentSite | None) -> None:
    per = entry.reporting.per
    if per == "province" and (agency is not None or site is not None):
        raise ReportError("scope_not_allowed", _("Báo cáo này được lập cho toàn tỉnh."), "agency")
    if per == "agency" and (agency is None or site is not None):
        raise ReportError(
            "agency_required", _("Báo cáo này được lập cho từng cơ quan, đơn vị."), "agency"
        )
    if per == "component_site" and (site is None or agency is not None):
        raise ReportError(
            "site_required",
            _("Báo cáo này được lập cho từng cổng thông tin thành phần."),
            "site",
        )


def _scope_name(agency: Agency | None, site: ComponentSite | None) -> str:
    if agency is not None:
        return agency.name
    if site is not None:
        return site.name
    return ""


def report_title(entry: Entry, period: periods.Period, scope: str) -> str:
    """ "Báo cáo tình hình sử dụng dịch vụ công trực tuyến tháng 11/2026 — Sở Y tế"."""
    title = f"{entry.subject_label} {periods.period_label(entry.reporting.cadence, period)}"
    return (f"{title} — {scope}" if scope else title)[:500]


def _existing(key: str, start: date, end: date, agency, site) -> Report | None:
    return Report.objects.filter(
        entry_key=key,
        period_start=start,
        period_end=end,
        agency=agency,
        site=site,
    ).first()


def _fill(report: Report, *, profile: Profile, entry: Entry, now: datetime | None) -> None:
    """Copy the entry, compute the due day and the figures onto `report` (not saved)."""
    reporting = entry.reporting
    period = periods.Period(report.period_start, report.period_end)
    report.who = reporting.who[:500]
    report.to = reporting.to[:500]
    report.cadence = reporting.cadence
    report.subject = reporting.subject
    report.role_code = reporting.role
    report.source = reporting.source[:300]
    report.profile_effective_from = profile.effective_from
    calendar = calendar_for(profile)
    report.due_on = periods.due_on(period.end, reporting.due_working_days, calendar)
    report.due_rule = periods.due_rule_text(reporting.due_working_days)
    report.due_source = reporting.source_of("due_working_days")[:300]
    report.title = report_title(entry, period, _scope_name(report.agency, report.site))
    figures = activity_figures(
        start=period.start, end=period.end, agency=report.agency, site=report.site, now=now
    )
    report.figures = figures.as_dict()


def draft_report(
    *,
    entry_key: str,
    start: date,
    end: date,
    agency: Agency | None = None,
    site: ComponentSite | None = None,
    actor=None,
    now: datetime | None = None,
    actor_name: str | None = None,
) -> Report:
    """The report of one entry for start..end (and the agency or site the entry is made per):
    drafted with its DOCX and XLSX, or the one already drafted (never a duplicate). Without
    an actor the audit names `actor_name` (the beat's drafting), else the command line."""
    if end < start:
        raise ReportError("period_order", _("Kỳ báo cáo kết thúc trước khi bắt đầu."), "end")
    profile, entry = _entry(entry_key, on=end)
    _check_scope(entry, agency, site)
    found = _existing(entry.key, start, end, agency, site)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            report = Report(
                entry_key=entry.key,
                period_start=start,
                period_end=end,
                agency=agency,
                site=site,
                drafted_by=actor,
            )
            _fill(report, profile=profile, entry=entry, now=now)
            report.save()
            documents.write_files(report)
            audit_record(
                actor=actor,
                actor_name=actor_name,
                action="report_drafted",
                target=report.title,
                report=report.pk,
                period=f"{start.isoformat()}..{end.isoformat()}",
            )
    except IntegrityError:
        # Drafted at the same moment by another run: that one is the report.
        found = _existing(entry.key, start, end, agency, site)
        if found is None:
            raise
        return found
    return report


def targets(entry: Entry) -> list[tuple[Agency | None, ComponentSite | None]]:
    """Whom an entry's reports are made for: the province; each active agency that has an
    active component site or a holder of the entry's role; or each active component site."""
    per = entry.reporting.per
    if per == "agency":
        agencies = (
            Agency.objects.filter(is_active=True)
            .filter(Q(site__is_active=True) | Q(role_assignments__role__code=entry.reporting.role))
            .distinct()
            .order_by("name")
        )
        return [(agency, None) for agency in agencies]
    if per == "component_site":
        sites = ComponentSite.objects.filter(is_active=True, agency__is_active=True)
        return [(None, site) for site in sites.select_related("agency").order_by("label")]
    return [(None, None)]


def draft_due(*, today: date | None = None) -> list[Report]:
    """For every entry with a fixed cadence: the reports of its last period ended before
    `today` not drafted yet, for each agency or site it is made per. Returns those drafted."""
    today = today or today_in_vietnam()
    drafted: list[Report] = []
    for entry in entries(current_profile(today)):
        if not entry.fixed:
            continue
        period = periods.last_ended_before(entry.reporting.cadence, today)
        for agency, site in targets(entry):
            if _existing(entry.key, period.start, period.end, agency, site) is None:
                drafted.append(
                    draft_report(
                        entry_key=entry.key,
                        start=period.start,
                        end=period.end,
                        agency=agency,
                        site=site,
                        actor_name=PLATFORM_DRAFTER,
                    )
                )
    return drafted


def draft_for_month(
    *, year: int, month: int, actor=None, today: date | None = None
) -> list[Report]:
    """The month's reports, on demand: of every fixed-cadence entry, each period ending in
    that month; of every `periodic` and `on_request` entry, the month itself. For each agency
    or site the entry is made per. The month must have ended."""
    try:
        period = periods.month_period(int(year), int(month))
    except (TypeError, ValueError):
        raise ReportError("bad_month", _("Tháng báo cáo không hợp lệ."), "period") from None
    today = today or today_in_vietnam()
    if period.end >= today:
        raise ReportError("period_not_ended", _("Tháng báo cáo chưa kết thúc."), "period")
    reports: list[Report] = []
    for entry in entries(current_profile(period.end)):
        if entry.fixed:
            wanted = periods.periods_ending_in(entry.reporting.cadence, period.start, period.end)
        else:
            wanted = [period]
        for each in wanted:
            for agency, site in targets(entry):
                reports.append(
                    draft_report(
                        entry_key=entry.key,
                        start=each.start,
                        end=each.end,
                        agency=agency,
                        site=site,
                        actor=actor,
                    )
                )
    return reports


def draft_on_request(
    *,
    entry_key: str,
    start: date,
    end: date,
    agency: Agency | None = None,
    site: ComponentSite | None = None,
    actor,
    today: date | None = None,
) -> Report:
    """A `periodic` or `on_request` report for a period someone gives: in order, at most 366
    days, ended by today."""
    _profile, entry = _entry(entry_key, on=end if isinstance(end, date) else None)
    if entry.reporting.cadence not in ON_DEMAND_CADENCES:
        raise ReportError(
            "not_on_demand",
            _("Báo cáo này được lập tự động khi hết kỳ, không lập theo yêu cầu."),
            "entry_key",
        )
    if actor is not None and not DraftScope(actor).target(entry, agency=agency, site=site):
        raise ReportError(
            "not_allowed",
            _("Bạn không lập được báo cáo này: nó thuộc cơ quan hoặc vai trò khác."),
            "entry_key",
            kind=ErrorKind.FORBIDDEN,
        )
    if not isinstance(start, date) or not isinstance(end, date):
        raise ReportError("bad_period", _("Kỳ báo cáo không hợp lệ."), "start")
    problem = periods.check_on_demand(start, end, today or today_in_vietnam())
    if problem is not None:
        messages = {
            "order": _("Kỳ báo cáo kết thúc trước khi bắt đầu."),
            "long": _("Kỳ báo cáo dài quá 366 ngày."),
            "future": _("Kỳ báo cáo chưa kết thúc."),
        }
        which = "order" if "before" in problem else "long" if "longer" in problem else "future"
        raise ReportError(f"period_{which}", messages[which], "end")
    return draft_report(
        entry_key=entry_key, start=start, end=end, agency=agency, site=site, actor=actor
    )


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("agency", "site")
        .get(pk=report.pk)
    )


def _archived() -> ReportError:
    return ReportError(
        "report_signed_off",
        _("Báo cáo đã được ký duyệt và lưu trữ: không thể thay đổi."),
        kind=ErrorKind.CONFLICT,
    )


@transaction.atomic
def redraft(*, report: Report, actor) -> Report:
    """Recompute a drafted report's figures, due day and files (not once signed off)."""
    from reports.selectors import reports_visible_to

    if actor is not None and not reports_visible_to(actor).filter(pk=report.pk).exists():
        raise ReportError("not_found", _("Không có báo cáo này."), kind=ErrorKind.NOT_FOUND)
    locked = _locked(report)
    if locked.status != Report.Status.DRAFTED:
        raise _archived()
    profile, entry = _entry(locked.entry_key, on=locked.period_end)
    _fill(locked, profile=profile, entry=entry, now=None)
    documents.delete_files(locked)
    locked.save()
    documents.write_files(locked)
    audit_record(actor=actor, action="report_redrafted", target=locked.title, report=locked.pk)
    return locked


@transaction.atomic
def sign_off(*, report: Report, actor, note: str = "", now: datetime | None = None) -> Report:
    """The holder of the report's role (or a delegate) signs it off: who, when and on whose
    behalf are recorded, and the report is archived."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ReportError(
            "note_too_long",
            _("Ghi chú dài quá %(max)d ký tự.") % {"max": NOTE_MAX},
            "note",
            kind=ErrorKind.TOO_LARGE,
        )
    locked = _locked(report)
    if locked.status != Report.Status.DRAFTED:
        raise _archived()
    allowed, delegator = signing_capacity(actor, locked, at=now)
    if not allowed:
        raise ReportError(
            "not_signer",
            _(
                "Chỉ người giữ vai trò được quy chế giao (hoặc người được uỷ quyền) "
                "ký duyệt báo cáo này."
            ),
            kind=ErrorKind.FORBIDDEN,
        )
    locked.status = Report.Status.SIGNED_OFF
    locked.signed_off_at = now or timezone.now()
    locked.signed_off_by = actor
    locked.signed_off_name = person_name(actor)
    locked.signed_off_on_behalf_of = delegator
    locked.sign_off_note = note
    documents.delete_files(locked)
    locked.save()
    documents.write_files(locked)  # the archived document carries the sign-off block
    audit_record(
        actor=actor,
        action="report_signed_off",
        target=locked.title,
        report=locked.pk,
        on_behalf_of=delegator.get_username() if delegator is not None else "",
    )
    report.refresh_from_db()
    return locked


def _remind_one(report: Report, recipient, day: date) -> bool:
    due = f"{report.due_on:%d/%m/%Y}"
    subject = f"Báo cáo đến hạn ký duyệt ngày {due}: {report.title}"[:250]
    body = (
        f"Báo cáo “{report.title}” ({report.who} gửi {report.to}; {report.source}) "
        f"phải được ký duyệt trước ngày {due} ({report.due_rule}; {report.due_source}).\n"
        f"Xem và ký duyệt: /staff/bao-cao/{report.pk}/\n"
    )
    return notice_send_once(
        recipient=recipient,
        subject=notice_subject(kind="due", about=report),
        day=day,
        message=lambda: EmailMessage(subject=subject, body=body, to=[recipient.email]),
    )


def remind_due(*, today: date | None = None, now: datetime | None = None) -> int:
    """Remind the signers of every report not signed off whose reminder day has come (the
    entry's `remind_working_days` before its due day; each working day until it is signed),
    once a day per recipient. Returns the number of mails sent."""
    now = now or timezone.now()
    today = today or now.astimezone(TZ).date()
    profile = current_profile(today)
    calendar = calendar_for(profile)
    if not calendar.is_working_day(today):
        return 0  # reminders reach staff on the province's working days only
    remind_days = {entry.key: entry.reporting.remind_working_days for entry in entries(profile)}
    sent = 0
    pending = Report.objects.filter(status=Report.Status.DRAFTED).select_related("agency", "site")
    for report in pending.order_by("due_on", "pk"):
        days = remind_days.get(report.entry_key, 0)
        if periods.remind_from(report.due_on, days, calendar) > today:
            continue
        reached = 0
        for user in signers_of(report):
            reached += _remind_one(report, user, today)
        if reached:
            sent += reached
            Report.objects.filter(pk=report.pk).update(reminded_at=now)
    return sent
