"""Update SLAs: when must a piece of content be on the portal (pure Python, no Django).

Every content deadline in the platform goes through `sla_deadline`, which reads the profile's
`update_slas` and counts on the province's working calendar (provinces.calendar).

Readings (docs/adr/0005-update-slas.md):
- within N working hours: inside the profile's office periods of working days only, the lunch
  break excluded (Thái Nguyên Art. 10(2) "giờ hành chính"; docs/adr/0008).
- within N working days: by the end of the last office period of the N-th working day after
  the anchor day (the anchor day itself does not count: "sau khi ban hành").
- within N days: by the end (23:59:59) of the N-th calendar day after the anchor day.
- same day by HH:MM: that day at HH:MM when the anchor is before it; an anchor after it is due at
  HH:MM of the next working day (Huế Art. 9(3): current-affairs items by 16:00 every day).
- immediately / right after: platform reading, within IMMEDIATE_WORKING_HOURS office hours
  (counted over the office periods like any working hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from provinces.calendar import TZ, WorkingCalendar, calendar_for

IMMEDIATE_WORKING_HOURS = 1
IMMEDIATE_SOURCE = "platform default (reading of “ngay”/“ngay sau khi”)"
_END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class SlaDeadline:
    content_type: str
    anchor: str
    anchor_at: datetime
    due_at: datetime
    rule: str
    source: str


_ANCHOR_TEXT = {
    "event": "sự kiện",
    "issue": "ngày ban hành",
    "effective": "ngày có hiệu lực",
    "period_end": "khi kết thúc kỳ",
    "receipt": "khi nhận được thông tin",
    "completion": "khi thông tin hoàn thành",
}


def _rule_text(sla: Any) -> str:
    """The rule in Vietnamese, as staff and citizens read it next to its article."""
    anchor = _ANCHOR_TEXT[sla.anchor]
    if sla.within_working_hours:
        return f"trong {sla.within_working_hours} giờ làm việc kể từ {anchor}"
    if sla.within_working_days:
        return f"trong {sla.within_working_days} ngày làm việc sau {anchor}"
    if sla.within_days:
        return f"trong {sla.within_days} ngày sau {anchor}"
    if sla.same_day_by:
        return f"trước {sla.same_day_by:%H:%M} cùng ngày"
    return f"ngay sau {anchor} (trong {IMMEDIATE_WORKING_HOURS} giờ làm việc)"


def sla_due(sla: Any, anchor_at: datetime, calendar: WorkingCalendar) -> datetime:
    """The instant by which content under `sla` must be published, for that anchor."""
    if anchor_at.tzinfo is None:
        raise ValueError("anchor_at must be timezone-aware")
    local = anchor_at.astimezone(TZ)
    if sla.within_working_hours:
        return calendar.add_working_hours(local, sla.within_working_hours)
    if sla.within_working_days:
        days = calendar.working_days_from(local.date() + timedelta(days=1), sla.within_working_days)
        return calendar.office_end(days[-1])
    if sla.within_days:
        return datetime.combine(local.date() + timedelta(days=sla.within_days), _END_OF_DAY, TZ)
    if sla.same_day_by:
        due = datetime.combine(local.date(), sla.same_day_by, TZ)
        if local <= due:
            return due
        return datetime.combine(calendar.next_working_day(local.date()), sla.same_day_by, TZ)
    return calendar.add_working_hours(local, IMMEDIATE_WORKING_HOURS)


def sla_deadline(
    profile: Any, content_type: str, anchor_at: datetime, *, calendar: WorkingCalendar | None = None
) -> SlaDeadline | None:
    """The deadline of `content_type` under the profile, or None when the profile sets none."""
    sla = next((s for s in profile.update_slas if s.content_type == content_type), None)
    if sla is None:
        return None
    calendar = calendar or calendar_for(profile)
    source = sla.source if not sla.immediately else f"{sla.source}; {IMMEDIATE_SOURCE}"
    return SlaDeadline(
        content_type=content_type,
        anchor=sla.anchor,
        anchor_at=anchor_at,
        due_at=sla_due(sla, anchor_at, calendar),
        rule=_rule_text(sla),
        source=source,
    )
