"""An item's due time under its update rule, in the words a member of staff reads in a queue:
"Hạn: 16:00, 05/01/2026 (thứ Hai) – còn 5 giờ làm việc", "Quá hạn 2 ngày", or why there is
no due time at all. Working hours and days come from the province's working calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from provinces.calendar import TZ, WorkingCalendar

WEEKDAYS = (
    gettext_lazy("thứ Hai"),
    gettext_lazy("thứ Ba"),
    gettext_lazy("thứ Tư"),
    gettext_lazy("thứ Năm"),
    gettext_lazy("thứ Sáu"),
    gettext_lazy("thứ Bảy"),
    gettext_lazy("Chủ nhật"),
)
HOURS_HORIZON = 2  # within this many working days the words count working hours
DAYS_HORIZON = timedelta(days=366)  # no stored date, however far, makes a page count past it


@dataclass(frozen=True)
class Due:
    """What a queue row says about its deadline; `rank` orders rows: overdue, due, none."""

    due: datetime | None
    overdue: bool
    words: str
    rank: int


def _when(due: datetime) -> str:
    local = due.astimezone(TZ)
    return _("%(time)s (%(weekday)s)") % {
        "time": local.strftime("%H:%M, %d/%m/%Y"),
        "weekday": WEEKDAYS[local.weekday()],
    }


def _working_hours(calendar: WorkingCalendar, start: datetime, end: datetime) -> float:
    """Office hours between two instants, counted over HOURS_HORIZON + 1 calendar weeks."""
    seconds = 0.0
    day, last = start.astimezone(TZ).date(), end.astimezone(TZ).date()
    while day <= last:
        for opens, closes in calendar.office_periods(day):
            overlap = min(closes, end) - max(opens, start)
            seconds += max(overlap.total_seconds(), 0.0)
        day += timedelta(days=1)
    return seconds / 3600


def due_of(
    *,
    due: datetime | None,
    published: bool,
    now: datetime,
    calendar: WorkingCalendar,
    missing: str | None = None,
) -> Due:
    """The words for a due time. None: the rules set none for this kind of content, or (with
    `missing`, the label of the field that starts the clock) the author has not entered it."""
    if due is None and missing and not published:
        return Due(
            None, False, _("Chưa tính được hạn: chưa nhập “%(field)s”") % {"field": missing}, 2
        )
    if due is None:
        return Due(None, False, _("Không có thời hạn cập nhật theo quy chế"), 2)
    when = _when(due)
    if published:
        return Due(due, False, _("Hạn: %(when)s – đã đăng") % {"when": when}, 1)
    if due < now:
        late = now - due
        if late < timedelta(days=1):
            hours = max(int(late.total_seconds() // 3600), 1)
            late_words = ngettext("Quá hạn %(n)d giờ", "Quá hạn %(n)d giờ", hours) % {"n": hours}
        else:
            days = min(late.days, DAYS_HORIZON.days)
            late_words = ngettext("Quá hạn %(n)d ngày", "Quá hạn %(n)d ngày", days) % {"n": days}
        return Due(due, True, _("%(late)s – hạn %(when)s") % {"late": late_words, "when": when}, 0)
    today, due_day = now.astimezone(TZ).date(), min(due, now + DAYS_HORIZON).astimezone(TZ).date()
    days = calendar.working_days_between(today, due_day)
    if days <= HOURS_HORIZON:
        hours = round(_working_hours(calendar, now, due))
        left = ngettext("còn %(n)d giờ làm việc", "còn %(n)d giờ làm việc", hours) % {"n": hours}
    else:
        left = ngettext("còn %(n)d ngày làm việc", "còn %(n)d ngày làm việc", days) % {"n": days}
    return Due(due, False, _("Hạn: %(when)s – %(left)s") % {"when": when, "left": left}, 1)
