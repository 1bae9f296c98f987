"""Reminders about update deadlines and the editorial board's daily summary, by mail.

Each goes out at most once a day and is never lost (core.notices, the one notice service of
every module): a reminder's subject is its item and kind ("editorial.item:<id>:overdue"), the
summary's is the module's ("editorial:board_summary"); a rerun of the hourly task, or two
workers at once, never send the same notice twice; a mail that fails to send is logged, goes
out on the next run, and the rest of the run goes on. The text is Vietnamese and carries
editorial content only (titles, agencies, deadlines, articles): never the personal data of
citizens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.mail import EmailMessage
from django.utils import timezone

from core.notices import notice_send_once, notice_subject, notices_send_once
from core.profiles import current_profile
from editorial import rules
from editorial.dashboard import (
    WHOLE_PROVINCE,
    DashboardScope,
    QuotaRow,
    agency_quotas,
    is_platform_default,
    items_due_soon,
    items_overdue,
    items_published_late,
    month_bounds,
    panel,
)
from editorial.models import Item
from organization.models import Role
from organization.selectors import board_members as board_seats
from organization.selectors import users_in_role
from provinces.calendar import TZ, WorkingCalendar, calendar_for

OVERDUE = "overdue"
DUE_SOON = "due_soon"
BOARD_SUMMARY = "board_summary"
SUMMARY_LINES = 50  # per section of a mail; the rest is counted, and listed on the dashboard
DASHBOARD_NAME = "mục “Bảng theo dõi” của Trang cán bộ"


def in_office_hours(now: datetime, calendar: WorkingCalendar) -> bool:
    # Inside one of the profile's office periods: no mail in the lunch break (ADR 0008).
    return calendar.in_office_hours(now)


def _when(instant: datetime | None) -> str:
    return f"{instant.astimezone(TZ):%H:%M %d/%m/%Y}" if instant else "—"


def _source(source: str) -> str:
    return f"{source} (giá trị mặc định)" if is_platform_default(source) else source


# --- reminders to the holders of the waiting step ----------------------------------------


@dataclass(frozen=True)
class Waiting:
    kind: str  # OVERDUE or DUE_SOON
    item: Item
    step_name: str
    role_name: str


def reminder_message(*, recipient, entries: list[Waiting], portal_name: str, day: date):
    overdue = [entry for entry in entries if entry.kind == OVERDUE]
    soon = [entry for entry in entries if entry.kind == DUE_SOON]
    subject = (
        f"[{portal_name}] Nhắc việc ngày {day:%d/%m/%Y}: {len(overdue)} tin bài quá hạn, "
        f"{len(soon)} tin bài sắp đến hạn đăng"
    )
    lines = [
        f"Kính gửi {recipient},",  # the staff member's full name, else the username
        "",
        "Các tin bài dưới đây đang chờ bước xử lý thuộc vai trò của anh/chị.",
    ]
    for heading, group in (("QUÁ HẠN ĐĂNG", overdue), ("SẮP ĐẾN HẠN ĐĂNG", soon)):
        if not group:
            continue
        lines += ["", f"{heading} ({len(group)})"]
        for entry in group[:SUMMARY_LINES]:
            item = entry.item
            lines += [
                f"- {item.title} – {item.agency.name if item.agency else portal_name}",
                f"  Bước: {entry.step_name} (vai trò: {entry.role_name})",
                f"  Hạn đăng: {_when(item.sla_due_at)}; thời hạn: {item.sla_rule}; "
                f"căn cứ: {_source(item.sla_source)}",
            ]
        if len(group) > SUMMARY_LINES:
            lines.append(f"  … và {len(group) - SUMMARY_LINES} tin bài khác.")
    lines += [
        "",
        "Thư gửi tự động, mỗi tin bài một lần trong ngày. Xem đầy đủ tại " + DASHBOARD_NAME + ".",
    ]
    return EmailMessage(subject=subject, body="\n".join(lines), to=[recipient.email])


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind the holders of each waiting item's step (an item not yet submitted waits at the
    first step of its workflow) about items overdue or due soon: one mail per person with
    what is new for them today. Only in the province's office hours. Returns mails sent."""
    now = now or timezone.now()
    day = now.astimezone(TZ).date()
    profile = current_profile(day)
    calendar = calendar_for(profile)
    if not in_office_hours(now, calendar):
        return 0
    first_steps = {
        on_portal: rules.workflow_for(profile, on_portal=on_portal).steps[0]
        for on_portal in (True, False)
    }
    role_names = dict(Role.objects.values_list("code", "name"))
    holders: dict[tuple[str, int | None], list] = {}
    by_recipient: dict[int, tuple[object, list[Waiting]]] = {}
    waiting = (
        (OVERDUE, items_overdue(scope=WHOLE_PROVINCE, now=now)),
        (DUE_SOON, items_due_soon(scope=WHOLE_PROVINCE, now=now, calendar=calendar)),
    )
    for kind, items in waiting:
        for item in items:
            first = first_steps[item.site_id is None]
            step = item.step or {"name": first.name, "role": first.role}
            key = (step["role"], item.agency_id)
            if key not in holders:
                holders[key] = list(users_in_role(role_code=step["role"], agency_id=item.agency_id))
            entry = Waiting(kind, item, step["name"], role_names.get(step["role"], step["role"]))
            for user in holders[key]:
                by_recipient.setdefault(user.pk, (user, []))[1].append(entry)
    sent = 0
    for user, entries in by_recipient.values():
        by_subject = {notice_subject(kind=entry.kind, about=entry.item): entry for entry in entries}
        sent += notices_send_once(
            recipient=user,
            subjects=list(by_subject),
            day=day,
            compose=lambda fresh, user=user, by_subject=by_subject: reminder_message(
                recipient=user,
                entries=[by_subject[subject] for subject in fresh],
                portal_name=profile.province.portal_name,
                day=day,
            ),
        )
    return sent


# --- the editorial board's daily summary (Thái Nguyên Art. 10(5)) --------------------------


def board_members(profile) -> list[tuple[object, DashboardScope]]:
    """The editorial board (organization.selectors.board_members, the one definition every
    module uses), each member with the dashboard scope of what they oversee."""
    return [
        (
            seat.user,
            WHOLE_PROVINCE
            if seat.agency_ids is None
            else DashboardScope(whole_province=False, agency_ids=seat.agency_ids),
        )
        for seat in board_seats(profile=profile)
    ]


def board_summary_message(
    *,
    recipient,
    portal_name: str,
    now: datetime,
    since: datetime,
    overdue,
    late,
    below: list[QuotaRow],
    month_start: datetime,
):
    subject = (
        f"[{portal_name}] Báo cáo ngày {now.astimezone(TZ):%d/%m/%Y}: "
        f"{overdue.total} tin bài quá hạn, {late.total} đăng muộn, "
        f"{len(below)} cơ quan chưa đạt định mức"
    )
    lines = [
        f"Kính gửi {recipient},",  # the staff member's full name, else the username
        "",
        f"Tình hình cập nhật thông tin trên {portal_name} đến {_when(now)}.",
        "",
        f"TIN BÀI QUÁ HẠN ĐĂNG ({overdue.total})",
    ]
    for item in overdue.rows:
        agency = item.agency.name if item.agency else portal_name
        lines.append(
            f"- {item.title} – {agency}; hạn {_when(item.sla_due_at)}; thời hạn: {item.sla_rule}; "
            f"căn cứ: {_source(item.sla_source)}"
        )
    if overdue.more:
        lines.append(f"  … và {overdue.more} tin bài khác.")
    lines += ["", f"TIN BÀI ĐĂNG MUỘN TỪ NGÀY {since:%d/%m/%Y} ({late.total})"]
    for item in late.rows:
        agency = item.agency.name if item.agency else portal_name
        lines.append(
            f"- {item.title} – {agency}; hạn {_when(item.sla_due_at)}, đăng "
            f"{_when(item.sla_met_at)}; vi phạm: {item.sla_rule}; "
            f"căn cứ: {_source(item.sla_source)}"
        )
    if late.more:
        lines.append(f"  … và {late.more} tin bài khác.")
    lines += ["", f"CƠ QUAN CHƯA ĐẠT ĐỊNH MỨC TIN NỔI BẬT THÁNG {month_start:%m/%Y} ({len(below)})"]
    for row in below[:SUMMARY_LINES]:
        lines.append(
            f"- {row.agency_name}: {row.count}/{row.minimum} tin; căn cứ: {_source(row.source)}"
        )
    if len(below) > SUMMARY_LINES:
        lines.append(f"  … và {len(below) - SUMMARY_LINES} cơ quan khác.")
    lines += ["", "Thư gửi tự động mỗi ngày làm việc. Xem đầy đủ tại " + DASHBOARD_NAME + "."]
    return EmailMessage(subject=subject, body="\n".join(lines), to=[recipient.email])


def board_summaries_send(*, now: datetime | None = None) -> int:
    """Once a working day, in office hours: to each board member, the items overdue, those
    published late since the start of the previous working day, and the agencies below their
    monthly quota so far. Nothing to report, no mail. Returns mails sent."""
    now = now or timezone.now()
    day = now.astimezone(TZ).date()
    profile = current_profile(day)
    calendar = calendar_for(profile)
    if not in_office_hours(now, calendar):
        return 0
    previous = day - timedelta(days=1)
    while not calendar.is_working_day(previous):
        previous -= timedelta(days=1)
    since = datetime.combine(previous, datetime.min.time(), TZ)
    start, end = month_bounds(day)
    sent = 0
    for user, scope in board_members(profile):
        if not user.email:
            continue
        overdue = panel(items_overdue(scope=scope, now=now), limit=SUMMARY_LINES)
        late = panel(items_published_late(scope=scope, since=since), limit=SUMMARY_LINES)
        below = [
            row
            for row in agency_quotas(scope=scope, profile=profile, start=start, end=end)
            if row.below
        ]
        if not (overdue.total or late.total or below):
            continue
        sent += notice_send_once(
            recipient=user,
            subject=notice_subject(kind=BOARD_SUMMARY, about="editorial"),
            day=day,
            message=lambda user=user, overdue=overdue, late=late, below=below: (
                board_summary_message(
                    recipient=user,
                    portal_name=profile.province.portal_name,
                    now=now,
                    since=since,
                    overdue=overdue,
                    late=late,
                    below=below,
                    month_start=start,
                )
            ),
        )
    return sent
