"""WorkingCalendar.working_days_between: the working days the staff clocks count (ADR 0011).
Pure: no database. Each expected count is worked out by hand next to its assertion."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from provinces.calendar import WorkingCalendar

# These tests touch neither the database nor the cache.
pytestmark = pytest.mark.without_services


CALENDAR = WorkingCalendar()


def test_a_plain_week_counts_its_five_weekdays_both_ends_included():
    # Mon 2 – Fri 6 March 2026: no holiday.
    assert CALENDAR.working_days_between(date(2026, 3, 2), date(2026, 3, 6)) == 5
    # Fri 6 – Mon 9 March: Friday and Monday, not the weekend between.
    assert CALENDAR.working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 2


def test_one_day_counts_itself_if_it_is_a_working_day():
    assert CALENDAR.working_days_between(date(2026, 3, 4), date(2026, 3, 4)) == 1
    assert CALENDAR.working_days_between(date(2026, 3, 7), date(2026, 3, 7)) == 0  # Saturday


def test_nothing_when_first_is_after_last():
    assert CALENDAR.working_days_between(date(2026, 3, 6), date(2026, 3, 2)) == 0


def test_holidays_and_government_swaps_are_not_counted_across_a_new_year():
    # Mon 29 Dec 2025 – Sun 4 Jan 2026: 29, 30, 31 Dec work; 1 Jan is Tết Dương lịch and
    # 2 Jan is off by Công văn 12729/VPCP-KGVX; 3, 4 Jan are the weekend → 3.
    assert CALENDAR.working_days_between(date(2025, 12, 29), date(2026, 1, 4)) == 3
    # Fri 24 Apr – Mon 4 May 2026: 24 Apr, 28 and 29 Apr, 4 May; Giỗ Tổ and its day in lieu
    # (26, 27 Apr), 30 Apr and 1 May are off → 4.
    assert CALENDAR.working_days_between(date(2026, 4, 24), date(2026, 5, 4)) == 4


def test_a_province_day_off_and_extra_working_day_are_counted_as_the_province_says():
    province = WorkingCalendar(
        extra_days_off=frozenset({date(2026, 3, 4)}),  # a Wednesday off
        extra_working_days=frozenset({date(2026, 3, 7)}),  # a Saturday worked
    )
    # Mon 2 – Sat 7 March: 2, 3, 5, 6 and the Saturday 7 → 5.
    assert province.working_days_between(date(2026, 3, 2), date(2026, 3, 7)) == 5


def test_a_local_instant_counts_as_its_day_in_vietnam():
    # 23:30 on Sun 1 March in UTC is Mon 2 March 06:30 in Việt Nam: a working day.
    late_sunday_utc = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert CALENDAR.working_days_between(late_sunday_utc, late_sunday_utc) == 1


def test_matches_testing_each_day_over_spans_of_several_years():
    first, last = date(2025, 11, 17), date(2027, 2, 3)
    by_day, day = 0, first
    while day <= last:
        by_day += CALENDAR.is_working_day(day)
        day += timedelta(days=1)
    assert CALENDAR.working_days_between(first, last) == by_day
    # A whole year counted at once equals its days one by one.
    assert CALENDAR.working_days_between(date(2026, 1, 1), date(2026, 12, 31)) == sum(
        CALENDAR.is_working_day(date(2026, 1, 1) + timedelta(days=n)) for n in range(365)
    )
