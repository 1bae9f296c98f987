"""Working days, office hours and Q&A deadlines of Vietnamese state agencies.

Pure Python (no Django): `holidays`, `zoneinfo` and the standard library only.

A day is a working day when, checked in this order (the first layer that names the day wins):

1. the profile's overrides (`profile.calendar.extra_working_days` / `.extra_days_off`);
2. the operator's yearly data, `provinces/calendar_data/<year>.toml` (government announcements
   of days off and make-up working days that the `holidays` package does not carry yet);
3. the `holidays` package for Vietnam: public holidays of Labour Code 2019 Art. 112 (lunar ones
   included), their "nghỉ bù" observed days, and the government's substituted days off, whose
   make-up working Saturdays the package lists in `weekend_workdays`;
4. otherwise Monday to Friday.

Every instant is an aware datetime; results are in Asia/Ho_Chi_Minh. See
docs/adr/0003-working-days-calendar.md and docs/adr/0004-clock-starts-at-0800.md.
"""

from __future__ import annotations

import functools
import itertools
import tomllib
import weakref
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR_DATA_DIR = Path(__file__).resolve().parent / "calendar_data"
# No regulation gives more than a few weeks off in a row: a longer search means broken data.
_MAX_SEARCH_DAYS = 366
_SATURDAY = 5
_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time(0, 0)


# The years the calendar can count in: the `holidays` package computes Vietnam's lunar holidays
# (Tết, Hùng Kings) for 1901-2099 only; outside them a deadline would silently skip no Tết.
FIRST_YEAR, LAST_YEAR = 1901, 2099


def parse_local_instant(text: str) -> datetime:
    """An ISO 8601 date-time typed by a person; without an offset it is Vietnam time.

    Raises ValueError with a message that says what is wrong (not a date-time, or a year the
    calendar cannot count in).
    """
    try:
        instant = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise ValueError(
            f"{text!r} is not an ISO 8601 date-time "
            "(e.g. 2026-01-05T09:30 or 2026-01-05T09:30:00+07:00)"
        ) from error
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=TZ)
    if not FIRST_YEAR <= instant.year <= LAST_YEAR:
        raise ValueError(f"{text!r} is out of range: years {FIRST_YEAR}-{LAST_YEAR} only")
    return instant.astimezone(TZ)


class CalendarDataError(ValueError):
    """A yearly calendar data file is malformed (the message names the file and the entry)."""


def _local(instant: datetime, name: str = "instant") -> datetime:
    if not isinstance(instant, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(instant).__name__}")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(
            f"{name} must be timezone-aware (got naive {instant.isoformat()}); "
            "attach a time zone, e.g. Asia/Ho_Chi_Minh"
        )
    return instant.astimezone(TZ)


def _as_date(day: date) -> date:
    if isinstance(day, datetime):
        return _local(day, "day").date()
    if not isinstance(day, date):
        raise TypeError(f"day must be a date, got {type(day).__name__}")
    return day


# --- the national layers: package + yearly data, computed once per year ---------------------


@dataclass(frozen=True)
class CalendarEntry:
    day: date
    source: str


@dataclass(frozen=True)
class YearData:
    """One `calendar_data/<year>.toml`: announcements the `holidays` package lacks."""

    year: int
    days_off: tuple[CalendarEntry, ...] = ()
    working_days: tuple[CalendarEntry, ...] = ()


def _parse_entries(raw: Any, key: str, year: int, where: str) -> tuple[CalendarEntry, ...]:
    if not isinstance(raw, list):
        raise CalendarDataError(f"{where}: {key} must be an array of {{date, source}} tables")
    entries = []
    for i, item in enumerate(raw):
        at = f"{where}: {key}[{i}]"
        if not isinstance(item, dict):
            raise CalendarDataError(f"{at}: must be a table {{date = YYYY-MM-DD, source = '…'}}")
        unknown = sorted(set(item) - {"date", "source"})
        if unknown:
            raise CalendarDataError(f"{at}: unknown key(s) {', '.join(unknown)}")
        day = item.get("date")
        if isinstance(day, datetime) or not isinstance(day, date):
            raise CalendarDataError(f"{at}.date: must be a TOML date (YYYY-MM-DD)")
        if day.year != year:
            raise CalendarDataError(f"{at}.date: {day} is not in {year}")
        source = item.get("source")
        if not isinstance(source, str) or not source.strip():
            raise CalendarDataError(f"{at}.source: required (the announcement that says so)")
        entries.append(CalendarEntry(day=day, source=source.strip()))
    return tuple(entries)


def load_year_data(year: int, data_dir: Path = CALENDAR_DATA_DIR) -> YearData:
    """Read `<data_dir>/<year>.toml`; a missing file means no announcements for that year."""
    path = Path(data_dir) / f"{year}.toml"
    if not path.exists():
        return YearData(year=year)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CalendarDataError(f"{path.name}: not valid TOML: {exc}") from exc
    unknown = sorted(set(raw) - {"days_off", "working_days"})
    if unknown:
        raise CalendarDataError(f"{path.name}: unknown key(s) {', '.join(unknown)}")
    data = YearData(
        year=year,
        days_off=_parse_entries(raw.get("days_off", []), "days_off", year, path.name),
        working_days=_parse_entries(raw.get("working_days", []), "working_days", year, path.name),
    )
    both = {e.day for e in data.days_off} & {e.day for e in data.working_days}
    if both:
        listed = ", ".join(str(d) for d in sorted(both))
        raise CalendarDataError(f"{path.name}: listed both as day off and working day: {listed}")
    return data


@dataclass(frozen=True)
class _NationalYear:
    days_off: dict[date, str]  # date -> why (holiday name or announcement)
    working_days: dict[date, str]  # weekend dates worked (make-up days) -> why


@functools.lru_cache(maxsize=256)
def _national_year(year: int, data_dir: Path) -> _NationalYear:
    vn = holidays.country_holidays("VN", years=year, language="vi")
    days_off = dict(vn.items())
    # Make-up working days of the government's swaps (e.g. Sat 2025-04-26 worked for Fri
    # 2025-05-02 off). The package keeps them in `weekend_workdays`, across all years.
    working_days = {
        d: "Ngày làm bù (hoán đổi ngày làm việc)" for d in vn.weekend_workdays if d.year == year
    }
    data = load_year_data(year, data_dir)
    for entry in data.days_off:
        days_off[entry.day] = entry.source
        working_days.pop(entry.day, None)
    for entry in data.working_days:
        working_days[entry.day] = entry.source
        days_off.pop(entry.day, None)
    return _NationalYear(days_off=days_off, working_days=working_days)


# Every live calendar by id (equal calendars are distinct objects with distinct caches).
_CALENDARS: weakref.WeakValueDictionary[int, WorkingCalendar] = weakref.WeakValueDictionary()


def clear_calendar_cache() -> None:
    """Forget the per-year calendars (after an operator edits calendar_data/)."""
    _national_year.cache_clear()
    for calendar in list(_CALENDARS.values()):
        calendar._working_by_year.clear()


# --- the calendar --------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficePeriod:
    """One stretch of office hours in a working day, local wall-clock times, [start, end)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("office hours are local wall-clock times: no tzinfo")
        if self.end <= self.start:
            raise ValueError(f"office period end {self.end} must be after start {self.start}")


def _offset(at: time) -> timedelta:
    return timedelta(
        hours=at.hour, minutes=at.minute, seconds=at.second, microseconds=at.microsecond
    )


# Clock-start readings of `qa.clock_start` (docs/adr/0004, 0008).
CLOCK_START_RULES = ("office_start", "next_working_day")


@dataclass(frozen=True)
class OfficeHours:
    """The office periods of a working day (the lunch break is the gap between two periods)
    and the time of day a deadline's clock starts (default: the opening of the first period).

    The default, one period 08:00-17:00, is the unbroken span the platform first used; profiles
    give their own periods (docs/adr/0008-office-periods-and-clock-start.md).
    """

    periods: tuple[OfficePeriod, ...] = (OfficePeriod(time(8, 0), time(17, 0)),)
    clock_starts_at: time | None = None
    # (start, end) of each period as offsets from midnight, for the counting loops.
    spans: tuple[tuple[timedelta, timedelta], ...] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        periods = tuple(self.periods)
        object.__setattr__(self, "periods", periods)
        object.__setattr__(
            self, "spans", tuple((_offset(p.start), _offset(p.end)) for p in periods)
        )
        if not periods:
            raise ValueError("office hours need at least one period")
        for before, after in itertools.pairwise(periods):
            if after.start < before.start:
                raise ValueError("office periods must be listed in order of the day")
            if after.start < before.end:
                raise ValueError(
                    f"office periods overlap: {before.start}-{before.end} and "
                    f"{after.start}-{after.end}"
                )
        at = self.clock_starts_at
        if at is not None and not any(p.start <= at < p.end for p in periods):
            raise ValueError(f"the clock start {at} must be inside an office period")

    @property
    def opens(self) -> time:
        return self.periods[0].start

    @property
    def closes(self) -> time:
        return self.periods[-1].end

    @property
    def clock_start_time(self) -> time:
        return self.clock_starts_at or self.opens

    def label(self) -> str:
        """'07:30-11:30, 13:30-17:00'."""
        return ", ".join(f"{p.start:%H:%M}-{p.end:%H:%M}" for p in self.periods)


@dataclass(frozen=True)
class WorkingCalendar:
    """The working days and office hours that deadlines are counted in."""

    office_hours: OfficeHours = field(default_factory=OfficeHours)
    extra_days_off: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()
    data_dir: Path = CALENDAR_DATA_DIR
    _working_by_year: dict[int, frozenset[date]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra_days_off", frozenset(self.extra_days_off))
        object.__setattr__(self, "extra_working_days", frozenset(self.extra_working_days))
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        both = self.extra_days_off & self.extra_working_days
        if both:
            listed = ", ".join(str(d) for d in sorted(both))
            raise ValueError(f"dates both extra day off and extra working day: {listed}")
        _CALENDARS[id(self)] = self

    # days

    def is_working_day(self, day: date) -> bool:
        if type(day) is not date:
            day = _as_date(day)
        working = self._working_by_year.get(day.year)
        if working is None:
            working = self._working_by_year[day.year] = self._working_days_of(day.year)
        return day in working

    def _working_days_of(self, year: int) -> frozenset[date]:
        # All layers folded into one set per year: deadline loops only test membership.
        national = _national_year(year, self.data_dir)
        day, last, working = date(year, 1, 1), date(year, 12, 31), set()
        while day <= last:
            if day in self.extra_working_days:
                is_working = True
            elif day in self.extra_days_off:
                is_working = False
            elif day in national.working_days:
                is_working = True
            elif day in national.days_off:
                is_working = False
            else:
                is_working = day.weekday() < _SATURDAY
            if is_working:
                working.add(day)
            day += timedelta(days=1)
        return frozenset(working)

    def non_working_reason(self, day: date) -> str | None:
        """Why `day` is not a working day (None if it is one)."""
        day = _as_date(day)
        if self.is_working_day(day):
            return None
        if day in self.extra_days_off:
            return "ngày nghỉ riêng của tỉnh (profile.calendar)"
        national = _national_year(day.year, self.data_dir)
        return national.days_off.get(day) or (
            "Thứ Bảy" if day.weekday() == _SATURDAY else "Chủ nhật"
        )

    def working_days_between(self, first: date, last: date) -> int:
        """Working days from `first` to `last`, both included (0 when `first` is after `last`):
        how many remain until a due day, or have passed since one (the staff clocks, ADR 0011).
        Each year's working days are one set: counting a long span tests no day twice."""
        first, last = _as_date(first), _as_date(last)
        count = 0
        for year in range(first.year, last.year + 1):
            if year not in self._working_by_year:
                self._working_by_year[year] = self._working_days_of(year)
            working = self._working_by_year[year]
            if date(year, 1, 1) >= first and date(year, 12, 31) <= last:
                count += len(working)
            else:
                count += sum(1 for day in working if first <= day <= last)
        return count

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self._working_days_on_or_after(_as_date(day) + _ONE_DAY, 1)[0]

    def working_days_from(self, first: date, n: int) -> tuple[date, ...]:
        """The first `n` working days on or after `first`."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        return self._working_days_on_or_after(_as_date(first), n) if n else ()

    def _working_days_on_or_after(self, first: date, n: int) -> tuple[date, ...]:
        days: list[date] = []
        day, gap = first, 0
        while True:
            if self.is_working_day(day):
                days.append(day)
                if len(days) == n:
                    return tuple(days)
                gap = 0
            else:
                gap += 1
                if gap > _MAX_SEARCH_DAYS:
                    raise ValueError(f"no working day within {_MAX_SEARCH_DAYS} days of {day}")
            day += _ONE_DAY

    # instants

    def office_start(self, day: date) -> datetime:
        """The opening of the day's first office period."""
        return datetime.combine(_as_date(day), self.office_hours.opens, tzinfo=TZ)

    def office_end(self, day: date) -> datetime:
        """The end of the day's last office period: "by the end of the day" of a deadline."""
        return datetime.combine(_as_date(day), self.office_hours.closes, tzinfo=TZ)

    def office_periods(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The office periods of `day` as (start, end) instants; none on a non-working day."""
        day = _as_date(day)
        if not self.is_working_day(day):
            return ()
        return tuple(
            (datetime.combine(day, p.start, tzinfo=TZ), datetime.combine(day, p.end, tzinfo=TZ))
            for p in self.office_hours.periods
        )

    def in_office_hours(self, instant: datetime) -> bool:
        """Inside an office period of a working day (the lunch break is not office hours)."""
        local = _local(instant)
        return any(start <= local < end for start, end in self.office_periods(local.date()))

    def clock_start_on(self, day: date) -> datetime:
        """The instant of `day` a deadline's clock starts (Thái Nguyên Art. 14(4)(c): 08:00)."""
        return datetime.combine(_as_date(day), self.office_hours.clock_start_time, tzinfo=TZ)

    def clock_start(self, received: datetime, *, rule: str = "office_start") -> datetime:
        """When a deadline counted in working days starts running for something received then.

        The one clock-start function: every module and the `deadline` command come here with
        the profile's `qa.clock_start` (docs/adr/0004 and 0008).

        - "office_start": Thái Nguyên QĐ 40/2012 Art. 14(4) (closing sentences, printed under
          point c): "Thời điểm để xác định thời gian trả lời được tính từ 08h00" — the clock
          starts at the clock-start time (08:00). Received at or before it on a working day ->
          that day at that time; after it, or on a non-working day -> that time on the next
          working day. "At or before": a question in at 08:00:00 sharp is in when the clock
          starts, so the agency loses none of that day and the asker gets the earlier deadline.
        - "next_working_day": Civil Code 2015 Art. 147(1): the first day of a period is not
          counted; counting starts the next day. Here: the clock-start time of the first working
          day after the day of receipt, whatever the hour of receipt.
        """
        local = _local(received, "received")
        day = local.date()
        if rule == "office_start":
            if self.is_working_day(day) and local <= self.clock_start_on(day):
                return self.clock_start_on(day)
            return self.clock_start_on(self.next_working_day(day))
        if rule == "next_working_day":
            return self.clock_start_on(self.next_working_day(day))
        raise ValueError(f"unknown clock start {rule!r} (known: {', '.join(CLOCK_START_RULES)})")

    def due_in_working_days(
        self, received: datetime, n: int, *, rule: str = "office_start"
    ) -> datetime:
        """End of office hours on the n-th working day, day 1 being the clock-start day."""
        return self.office_end(self.counted_days(received, n, rule=rule)[-1])

    def counted_days(
        self, received: datetime, n: int, *, rule: str = "office_start"
    ) -> tuple[date, ...]:
        """The n working days a deadline of n working days runs over (day 1 = clock start)."""
        if n < 1:
            raise ValueError(f"a deadline needs at least 1 working day, got {n}")
        return self.working_days_from(self.clock_start(received, rule=rule).date(), n)

    def add_working_days(self, instant: datetime, n: int) -> datetime:
        """The same wall-clock time on the n-th working day after the instant's date.

        Counts days strictly after the instant's (local) date; n = 0 returns the instant.
        For "due by the end of the n-th working day" use `due_in_working_days`.
        """
        local = _local(instant)
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day = local.date()
        for _ in range(n):
            day = self.next_working_day(day)
        return datetime.combine(day, local.timetz())

    def add_working_hours(self, instant: datetime, hours: float) -> datetime:
        """The instant `hours` office hours later, counting only office periods of working days.

        Time outside the periods (before opening, the lunch break, after closing) and
        non-working days do not count (Thái Nguyên Art. 10(2): news within 8 "giờ hành chính").
        Hours that end exactly at the end of a period end there (11:30, not 13:30).
        0 hours returns the instant.
        """
        local = _local(instant)
        if hours < 0:
            raise ValueError(f"hours must be >= 0, got {hours}")
        remaining = timedelta(hours=hours)
        if not remaining:
            return local
        spans = self.office_hours.spans
        day, cursor = local.date(), local
        midnight = datetime.combine(day, _MIDNIGHT, tzinfo=TZ)
        while True:
            if self.is_working_day(day):
                for start_offset, end_offset in spans:
                    end = midnight + end_offset
                    if cursor >= end:
                        continue
                    cursor = max(cursor, midnight + start_offset)
                    available = end - cursor
                    if remaining <= available:
                        return cursor + remaining
                    remaining -= available
                    cursor = end
            day = self.next_working_day(day)
            cursor = midnight = datetime.combine(day, _MIDNIGHT, tzinfo=TZ)


def calendar_for(profile: Any, *, data_dir: Path = CALENDAR_DATA_DIR) -> WorkingCalendar:
    """The working calendar of a rule profile (office periods + the province's overrides)."""
    hours = profile.office_hours
    return _calendar(
        OfficeHours(
            periods=tuple(OfficePeriod(p.start, p.end) for p in hours.periods),
            clock_starts_at=getattr(hours, "clock_starts_at", None),
        ),
        frozenset(profile.calendar.extra_days_off),
        frozenset(profile.calendar.extra_working_days),
        Path(data_dir),
    )


@functools.lru_cache(maxsize=128)
def _calendar(
    office_hours: OfficeHours,
    extra_days_off: frozenset[date],
    extra_working_days: frozenset[date],
    data_dir: Path,
) -> WorkingCalendar:
    # One calendar (and its per-year cache) per distinct profile calendar, not per call.
    return WorkingCalendar(office_hours, extra_days_off, extra_working_days, data_dir)


# --- module-level shortcuts on a plain calendar (one period 08:00-17:00, no overrides); ----
# --- deadlines of a province go through `calendar_for(profile)` ---------------------------

DEFAULT_CALENDAR = WorkingCalendar()


def is_working_day(day: date) -> bool:
    return DEFAULT_CALENDAR.is_working_day(day)


def next_working_day(day: date) -> date:
    return DEFAULT_CALENDAR.next_working_day(day)


def clock_start(received: datetime, *, rule: str = "office_start") -> datetime:
    return DEFAULT_CALENDAR.clock_start(received, rule=rule)


def add_working_days(instant: datetime, n: int) -> datetime:
    return DEFAULT_CALENDAR.add_working_days(instant, n)


def add_working_hours(instant: datetime, hours: float) -> datetime:
    return DEFAULT_CALENDAR.add_working_hours(instant, hours)


def due_in_working_days(received: datetime, n: int) -> datetime:
    return DEFAULT_CALENDAR.due_in_working_days(received, n)


# --- Q&A deadlines --------------------------------------------------------------------------


def _source_of(table: Any, field_name: str) -> str:
    # A schema table may cite one field apart (`field_sources`); else the table's source.
    source_of = getattr(table, "source_of", None)
    return source_of(field_name) if callable(source_of) else table.source


@dataclass(frozen=True)
class Deadline:
    """A Q&A answer deadline and how it was reached."""

    due: datetime
    kind: str
    working_days: int
    appointment: bool  # the deadline is the latest date the agency may give as an appointment
    rule: str
    source: str  # the article the kind's deadline comes from
    received: datetime
    clock_start: datetime
    clock_start_source: str
    counted_days: tuple[date, ...]


def qa_deadline(
    profile: Any,
    received: datetime,
    kind: str | None = None,
    *,
    calendar: WorkingCalendar | None = None,
) -> Deadline:
    """The answer deadline of a question of `kind` (default: the profile's default kind).

    Every module computes Q&A deadlines here, with the profile's `qa.clock_start` reading.
    Raises ValueError for an unknown kind (the message lists the profile's kinds), an unknown
    clock-start reading or a naive `received`.
    """
    qa = profile.qa
    kind = qa.default_kind if kind is None else kind
    kinds = qa.kinds
    if kind not in kinds:
        raise ValueError(
            f"unknown Q&A kind {kind!r}; this profile's kinds are: {', '.join(sorted(kinds))}"
        )
    rule_kind = kinds[kind]
    cal = calendar or calendar_for(profile)
    start = cal.clock_start(received, rule=qa.clock_start)
    days = cal.working_days_from(start.date(), rule_kind.working_days)
    n = rule_kind.working_days
    # Shown to citizens and staff as is: Vietnamese, with the times of this profile.
    if rule_kind.appointment:
        days_text = f"hẹn trả lời tối đa {n} ngày làm việc"
    elif getattr(rule_kind, "progress_notice", False):
        days_text = f"{n} ngày làm việc để trả lời hoặc thông báo tiến độ"
    else:
        days_text = f"{n} ngày làm việc"
    start_at = f"{cal.office_hours.clock_start_time:%H:%M}"
    end_at = f"{cal.office_hours.closes:%H:%M}"
    if qa.clock_start == "next_working_day":
        start_text = f"tính từ {start_at} ngày làm việc kế tiếp ngày nhận (ngày nhận không tính)"
    else:
        start_text = (
            f"tính từ {start_at} (nhận sau {start_at} hoặc vào ngày nghỉ: từ ngày làm việc kế tiếp)"
        )
    rule = (
        f"{rule_kind.label}: {days_text}; {start_text}; hạn {end_at} ngày làm việc"
        f" thứ {n}, ngày thứ nhất là ngày bắt đầu tính"
    )
    return Deadline(
        due=cal.office_end(days[-1]),
        kind=kind,
        working_days=rule_kind.working_days,
        appointment=rule_kind.appointment,
        rule=rule,
        source=rule_kind.source,
        received=_local(received, "received"),
        clock_start=start,
        clock_start_source=_source_of(qa, "clock_start"),
        counted_days=days,
    )
