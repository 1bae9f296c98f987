"""The periods of the reports' cadences and their due days (reports.periods): pure functions,
the due days counted by the provinces' own calendars (Tết, the swapped days, Culture Day)."""

from datetime import date

import pytest

from provinces.calendar import calendar_for
from provinces.loader import profile_in_force
from reports.periods import (
    Period,
    check_on_demand,
    due_on,
    due_rule_text,
    last_ended_before,
    month_period,
    parse_month,
    period_containing,
    period_label,
    periods_ending_in,
    remind_from,
)

pytestmark = pytest.mark.without_services


def calendar(slug="thuathienhue", on=date(2026, 6, 1)):
    return calendar_for(profile_in_force(slug, on))


@pytest.mark.parametrize(
    ("cadence", "day", "start", "end"),
    [
        ("weekly", date(2026, 11, 4), date(2026, 11, 2), date(2026, 11, 8)),  # Wed → Mon..Sun
        ("weekly", date(2026, 11, 2), date(2026, 11, 2), date(2026, 11, 8)),  # a Monday
        ("weekly", date(2026, 11, 8), date(2026, 11, 2), date(2026, 11, 8)),  # a Sunday
        ("weekly", date(2026, 12, 31), date(2026, 12, 28), date(2027, 1, 3)),  # across years
        ("monthly", date(2026, 2, 14), date(2026, 2, 1), date(2026, 2, 28)),
        ("monthly", date(2028, 2, 14), date(2028, 2, 1), date(2028, 2, 29)),  # leap year
        ("quarterly", date(2026, 11, 30), date(2026, 10, 1), date(2026, 12, 31)),
        ("quarterly", date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30)),
        ("semiannual", date(2026, 6, 30), date(2026, 1, 1), date(2026, 6, 30)),
        ("semiannual", date(2026, 7, 1), date(2026, 7, 1), date(2026, 12, 31)),
        ("yearly", date(2026, 5, 5), date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_the_period_of_each_fixed_cadence(cadence, day, start, end):
    assert period_containing(cadence, day) == Period(start, end)


@pytest.mark.parametrize("cadence", ["periodic", "on_request", "fortnightly"])
def test_cadences_drafted_on_demand_have_no_period_of_their_own(cadence):
    with pytest.raises(ValueError, match="no period of its own"):
        period_containing(cadence, date(2026, 11, 4))


def test_the_last_period_ended_before_a_day():
    assert last_ended_before("monthly", date(2026, 12, 1)) == month_period(2026, 11)
    assert last_ended_before("monthly", date(2026, 11, 30)) == month_period(2026, 10)
    assert last_ended_before("weekly", date(2026, 11, 9)) == Period(
        date(2026, 11, 2), date(2026, 11, 8)
    )
    assert last_ended_before("quarterly", date(2027, 1, 1)) == Period(
        date(2026, 10, 1), date(2026, 12, 31)
    )
    assert last_ended_before("semiannual", date(2026, 11, 1)) == Period(
        date(2026, 1, 1), date(2026, 6, 30)
    )
    assert last_ended_before("yearly", date(2026, 3, 1)) == Period(
        date(2025, 1, 1), date(2025, 12, 31)
    )


def test_the_periods_ending_in_a_month():
    november = month_period(2026, 11)
    weeks = periods_ending_in("weekly", november.start, november.end)
    # The Sundays of November 2026: 1, 8, 15, 22, 29 (the first week began in October).
    assert [week.end.day for week in weeks] == [1, 8, 15, 22, 29]
    assert weeks[0].start == date(2026, 10, 26)
    assert periods_ending_in("monthly", november.start, november.end) == [november]
    assert periods_ending_in("quarterly", november.start, november.end) == []
    december = month_period(2026, 12)
    assert periods_ending_in("quarterly", december.start, december.end) == [
        Period(date(2026, 10, 1), date(2026, 12, 31))
    ]
    assert periods_ending_in("semiannual", december.start, december.end) == [
        Period(date(2026, 7, 1), date(2026, 12, 31))
    ]
    assert periods_ending_in("yearly", december.start, december.end) == [
        Period(date(2026, 1, 1), date(2026, 12, 31))
    ]


@pytest.mark.parametrize(
    ("end", "days", "due"),
    [
        # November 2026 ends on Monday 30/11: Tue 1, Wed 2, Thu 3, Fri 4, Mon 7 December.
        (date(2026, 11, 30), 5, date(2026, 12, 7)),
        # Friday 20/11/2026: Mon 23, (Tue 24 is Culture Day), Wed 25, Thu 26, Fri 27, Mon 30.
        (date(2026, 11, 20), 5, date(2026, 11, 30)),
        # The week before Tết ends Sunday 15/02/2026; Tết is 16–20/02: Monday 23/02.
        (date(2026, 2, 15), 1, date(2026, 2, 23)),
        # Thursday 08/01/2026: Fri 9, then Saturday 10/01 is worked for Friday 02/01.
        (date(2026, 1, 8), 2, date(2026, 1, 10)),
        # The second quarter ends Tuesday 30/06/2026: Wed 1, Thu 2, Fri 3, Mon 6, Tue 7 July.
        (date(2026, 6, 30), 5, date(2026, 7, 7)),
        # Zero working days: the period's last day itself, even a Sunday.
        (date(2026, 11, 29), 0, date(2026, 11, 29)),
    ],
)
def test_due_days_are_counted_in_the_provinces_working_days(end, days, due):
    assert due_on(end, days, calendar()) == due


def test_due_days_follow_each_provinces_calendar():
    # Both seed provinces keep the national calendar today: the same day for both.
    for slug in ("thainguyen", "thuathienhue"):
        assert due_on(date(2026, 11, 30), 5, calendar(slug)) == date(2026, 12, 7)


def test_reminders_start_working_days_before_the_due_day():
    cal = calendar()
    assert remind_from(date(2026, 12, 7), 2, cal) == date(2026, 12, 3)  # Thu (Sat, Sun skipped)
    assert remind_from(date(2026, 11, 25), 1, cal) == date(2026, 11, 23)  # Culture Day skipped
    assert remind_from(date(2026, 12, 7), 0, cal) == date(2026, 12, 7)


def test_period_labels_as_titles_name_them():
    assert period_label("monthly", month_period(2026, 11)) == "tháng 11/2026"
    assert period_label("monthly", month_period(2026, 3)) == "tháng 3/2026"
    assert period_label("quarterly", Period(date(2026, 10, 1), date(2026, 12, 31))) == (
        "quý IV/2026"
    )
    assert period_label("semiannual", Period(date(2026, 1, 1), date(2026, 6, 30))) == (
        "6 tháng đầu năm 2026"
    )
    assert period_label("semiannual", Period(date(2026, 7, 1), date(2026, 12, 31))) == (
        "6 tháng cuối năm 2026"
    )
    assert period_label("yearly", Period(date(2026, 1, 1), date(2026, 12, 31))) == "năm 2026"
    assert period_label("weekly", Period(date(2026, 11, 2), date(2026, 11, 8))) == (
        "tuần từ 02/11/2026 đến 08/11/2026"
    )
    assert period_label("on_request", Period(date(2026, 11, 3), date(2026, 11, 17))) == (
        "từ ngày 03/11/2026 đến ngày 17/11/2026"
    )


def test_the_due_rule_in_words():
    assert due_rule_text(5) == "5 ngày làm việc sau ngày cuối kỳ báo cáo"
    assert due_rule_text(0) == "Ngày cuối kỳ báo cáo"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-11", (2026, 11)), (" 2026-01 ", (2026, 1)), ("2100-12", (2100, 12))],
)
def test_a_month_written_yyyy_mm(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "1999-12", "2026-1", "11/2026", "", "2026-11-01", "x" * 500]
)
def test_anything_else_is_no_month(text):
    with pytest.raises(ValueError, match="month"):
        parse_month(text)


def test_periods_drafted_on_demand_are_bounded():
    today = date(2026, 12, 3)
    assert check_on_demand(date(2026, 11, 1), date(2026, 11, 30), today) is None
    assert check_on_demand(date(2025, 12, 3), date(2026, 12, 3), today) is None  # 366 days
    assert "before" in check_on_demand(date(2026, 11, 30), date(2026, 11, 1), today)
    assert "longer" in check_on_demand(date(2025, 12, 1), date(2026, 12, 2), today)  # 367
    assert "not ended" in check_on_demand(date(2026, 11, 1), date(2026, 12, 4), today)
