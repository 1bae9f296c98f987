"""The periods of the reports' cadences and their due days: pure functions of dates.

weekly: Monday to Sunday; monthly; quarterly; semiannual: January–June and July–December;
yearly. "periodic" and "on_request" have no period of their own: they are drafted on demand
for a period someone gives. A report is due `due_working_days` working days after its
period's last day, counted by the province's calendar (it knows Tết and the swapped days)."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

FIXED = ("weekly", "monthly", "quarterly", "semiannual", "yearly")
# The longest period drafted on demand (a year, leap or not).
MAX_ON_DEMAND_DAYS = 366


class Calendar(Protocol):
    def next_working_day(self, day: date) -> date: ...

    def is_working_day(self, day: date) -> bool: ...


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period_containing(cadence: str, day: date) -> Period:
    """The period of a fixed cadence that contains `day`."""
    if cadence == "weekly":
        start = day - timedelta(days=day.weekday())
        return Period(start, start + timedelta(days=6))
    if cadence == "monthly":
        return month_period(day.year, day.month)
    if cadence == "quarterly":
        first = 3 * ((day.month - 1) // 3) + 1
        return Period(date(day.year, first, 1), _month_end(day.year, first + 2))
    if cadence == "semiannual":
        if day.month <= 6:
            return Period(date(day.year, 1, 1), date(day.year, 6, 30))
        return Period(date(day.year, 7, 1), date(day.year, 12, 31))
    if cadence == "yearly":
        return Period(date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValueError(f"'{cadence}' has no period of its own")


def last_ended_before(cadence: str, day: date) -> Period:
    """The latest period of a fixed cadence whose last day is before `day`."""
    current = period_containing(cadence, day)
    return period_containing(cadence, current.start - timedelta(days=1))


def periods_ending_in(cadence: str, start: date, end: date) -> list[Period]:
    """Every period of a fixed cadence whose last day is in start..end, in order."""
    found: list[Period] = []
    period = period_containing(cadence, start)
    while period.start <= end:
        if start <= period.end <= end:
            found.append(period)
        period = period_containing(cadence, period.end + timedelta(days=1))
    return found


def month_period(year: int, month: int) -> Period:
    return Period(date(year, month, 1), _month_end(year, month))


def _month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> tuple[int, int]:
    """ "2026-11" → (2026, 11); ValueError for anything else (years 2000–2100)."""
    match = _MONTH.match((text or "").strip())
    if not match:
        raise ValueError(f"'{text}' is not a month written YYYY-MM")
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError(f"'{text}' is not a month between 2000-01 and 2100-12")
    return year, month


def check_on_demand(start: date, end: date, today: date) -> str | None:
    """Why start..end cannot be drafted on demand (None when it can): in order, at most
    366 days, not ending after today."""
    if end < start:
        return "the period ends before it starts"
    if (end - start).days + 1 > MAX_ON_DEMAND_DAYS:
        return f"the period is longer than {MAX_ON_DEMAND_DAYS} days"
    if end > today:
        return "the period has not ended yet"
    return None


def due_on(end: date, working_days: int, calendar: Calendar) -> date:
    """The `working_days`-th working day after `end` (0: `end` itself)."""
    day = end
    for _ in range(working_days):
        day = calendar.next_working_day(day)
    return day


def remind_from(due: date, working_days: int, calendar: Calendar) -> date:
    """The day reminders start: `working_days` working days before `due` (0: on `due`)."""
    day = due
    for _ in range(working_days):
        day -= timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
    return day


def period_label(cadence: str, period: Period) -> str:
    """The period as a title names it: "tháng 11/2026", "quý IV/2026", "6 tháng đầu năm
    2026", "năm 2026", "tuần từ 02/11/2026 đến 08/11/2026"; other spans: "từ … đến …"."""
    start, end = period.start, period.end
    if start == date(start.year, start.month, 1) and end == _month_end(start.year, start.month):
        return f"tháng {start.month}/{start.year}"
    if (
        start.month in (1, 4, 7, 10)
        and start.day == 1
        and end == _month_end(start.year, start.month + 2)
    ):
        roman = ("I", "II", "III", "IV")[(start.month - 1) // 3]
        return f"quý {roman}/{start.year}"
    if (start, end) == (date(start.year, 1, 1), date(start.year, 6, 30)):
        return f"6 tháng đầu năm {start.year}"
    if (start, end) == (date(start.year, 7, 1), date(start.year, 12, 31)):
        return f"6 tháng cuối năm {start.year}"
    if (start, end) == (date(start.year, 1, 1), date(start.year, 12, 31)):
        return f"năm {start.year}"
    if cadence == "weekly" and start.weekday() == 0 and period.days == 7:
        return f"tuần từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"
    return f"từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"


def due_rule_text(working_days: int) -> str:
    """The due rule in words, as the report stores it."""
    if working_days == 0:
        return "Ngày cuối kỳ báo cáo"
    return f"{working_days} ngày làm việc sau ngày cuối kỳ báo cáo"
