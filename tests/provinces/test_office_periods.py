"""Office hours as periods (the lunch break does not count) and the two clock-start readings.

Thái Nguyên Art. 10(2): news within 8 "giờ hành chính", office hours, not the unbroken span
from opening to closing. The platform's default office hours (no shipped regulation states
them, ADR 0008): 07:30-11:30 and 13:30-17:00. Thái Nguyên Art. 14(4)(c) starts the answer
clock at 08:00. Every expected instant is worked out by hand next to its assertion.
Pure: no database.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from types import SimpleNamespace

import pytest

from provinces.calendar import (
    OfficeHours,
    OfficePeriod,
    WorkingCalendar,
    calendar_for,
    qa_deadline,
)
from provinces.loader import PROFILES_DIR, ProfileError, load_profile, resolve_profile
from provinces.sla import sla_deadline
from tests.factories.provinces import vn

# These tests touch neither the database nor the cache.
pytestmark = pytest.mark.without_services


TWO_PERIODS = OfficeHours(
    periods=(OfficePeriod(time(7, 30), time(11, 30)), OfficePeriod(time(13, 30), time(17, 0))),
    clock_starts_at=time(8, 0),
)
CAL = WorkingCalendar(office_hours=TWO_PERIODS)
ONE_PERIOD = WorkingCalendar(office_hours=OfficeHours(periods=(OfficePeriod(time(8), time(17)),)))


# --- the shipped profiles ----------------------------------------------------------------------


def test_thai_nguyen_office_hours_are_two_periods_and_its_clock_starts_at_0800():
    profile = resolve_profile("thainguyen", on=date(2026, 3, 2))
    hours = profile.office_hours
    assert [(p.start, p.end) for p in hours.periods] == [
        (time(7, 30), time(11, 30)),
        (time(13, 30), time(17, 0)),
    ]
    # the hours are the platform's reading; the 08:00 clock start is the article's words
    assert hours.source_of("periods") == "platform default"
    assert hours.clock_starts_at == time(8, 0)
    assert hours.source_of("clock_starts_at") == "QĐ 40/2012 Art. 14(4)(c)"


@pytest.mark.parametrize("slug", ["hagiang", "dongnai", "thainguyen", "thuathienhue", "backan"])
def test_every_shipped_profile_has_the_lunch_break(slug):
    profile = resolve_profile(slug, on=date(2026, 3, 2))
    cal = calendar_for(profile)
    # Mon 02/03/2026 12:00 is lunch: not office hours; 10:00 and 15:00 are
    assert not cal.in_office_hours(vn(2026, 3, 2, 12, 0))
    assert cal.in_office_hours(vn(2026, 3, 2, 10, 0))
    assert cal.in_office_hours(vn(2026, 3, 2, 15, 0))
    assert cal.office_end(date(2026, 3, 2)) == vn(2026, 3, 2, 17, 0)


def _thainguyen_with(tmp_path: Path, old: str, new: str) -> Path:
    source = sorted((PROFILES_DIR / "thainguyen").glob("*.toml"))[-1]
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    folder = tmp_path / "thainguyen"
    folder.mkdir(exist_ok=True)
    path = folder / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


SHIPPED_PERIODS = (
    "periods = [{ start = 07:30:00, end = 11:30:00 }, { start = 13:30:00, end = 17:00:00 }]"
)


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        (
            "periods = [{ start = 13:30:00, end = 17:00:00 },"
            " { start = 07:30:00, end = 11:30:00 }]",
            "in order of the day",
        ),
        (
            "periods = [{ start = 07:30:00, end = 14:00:00 },"
            " { start = 13:30:00, end = 17:00:00 }]",
            "overlaps",
        ),
        ("periods = [{ start = 11:30:00, end = 07:30:00 }]", "must be later than start"),
        ("periods = []", "at least 1"),
    ],
)
def test_bad_periods_are_refused(tmp_path, periods, message):
    path = _thainguyen_with(tmp_path, SHIPPED_PERIODS, periods)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert message in str(caught.value)
    assert "office_hours.periods" in str(caught.value)


def test_the_old_start_end_keys_are_refused_with_a_clear_message(tmp_path):
    path = _thainguyen_with(tmp_path, SHIPPED_PERIODS, "start = 08:00:00\nend = 17:00:00")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert "periods = [{ start = 08:00:00, end = 17:00:00 }]" in str(caught.value)


def test_a_clock_start_outside_office_hours_is_refused(tmp_path):
    path = _thainguyen_with(tmp_path, "clock_starts_at = 08:00:00", "clock_starts_at = 12:00:00")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert "office_hours.clock_starts_at" in str(caught.value)


def test_one_period_keeps_the_unbroken_span(tmp_path):
    path = _thainguyen_with(
        tmp_path, SHIPPED_PERIODS, "periods = [{ start = 08:00:00, end = 17:00:00 }]"
    )
    cal = calendar_for(load_profile(path))
    # Mon 02/03/2026 10:00 + 8 h of 08:00-17:00: 7 h to 17:00, 1 h on Tue -> Tue 09:00
    assert cal.add_working_hours(vn(2026, 3, 2, 10, 0), 8) == vn(2026, 3, 3, 9, 0)


# --- working hours over the periods ------------------------------------------------------------


def test_eight_working_hours_from_1000_cross_lunch():
    # Mon 02/03/2026 10:00: 10:00-11:30 = 1.5 h, 13:30-17:00 = 3.5 h (5 h);
    # Tue 03/03 07:30 + 3 h = 10:30
    assert CAL.add_working_hours(vn(2026, 3, 2, 10, 0), 8) == vn(2026, 3, 3, 10, 30)
    # the single-period calendar counts lunch: 10:00 + 7 h = 17:00, then Tue 08:00 + 1 h
    assert ONE_PERIOD.add_working_hours(vn(2026, 3, 2, 10, 0), 8) == vn(2026, 3, 3, 9, 0)


def test_an_instant_during_lunch_starts_counting_at_1330():
    # Mon 12:00: 13:30-17:00 = 3.5 h; Tue 07:30-11:30 = 4 h (7.5 h); Tue 13:30 + 0.5 h = 14:00
    assert CAL.add_working_hours(vn(2026, 3, 2, 12, 0), 8) == vn(2026, 3, 3, 14, 0)
    # 2 h from lunch: 13:30 + 2 h = 15:30 the same day
    assert CAL.add_working_hours(vn(2026, 3, 2, 12, 0), 2) == vn(2026, 3, 2, 15, 30)


def test_an_instant_after_the_last_period_starts_the_next_working_day():
    # Mon 17:30: Tue 07:30-11:30 (4 h), 13:30-17:00 (3.5 h) = 7.5 h; Wed 07:30 + 0.5 h = 08:00
    assert CAL.add_working_hours(vn(2026, 3, 2, 17, 30), 8) == vn(2026, 3, 4, 8, 0)


def test_hours_that_fill_the_morning_end_at_1130_not_after_lunch():
    assert CAL.add_working_hours(vn(2026, 3, 2, 7, 30), 4) == vn(2026, 3, 2, 11, 30)


def test_eight_working_hours_before_tet():
    # Fri 13/02/2026 15:00: 15:00-17:00 = 2 h; Sat 14 .. Sun 22/02 off (Tết Bính Ngọ);
    # Mon 23/02 07:30-11:30 = 4 h (6 h); 13:30 + 2 h = 15:30
    assert CAL.add_working_hours(vn(2026, 2, 13, 15, 0), 8) == vn(2026, 2, 23, 15, 30)


def test_office_end_and_office_hours_follow_the_periods():
    day = date(2026, 3, 2)
    assert CAL.office_start(day) == vn(2026, 3, 2, 7, 30)
    assert CAL.office_end(day) == vn(2026, 3, 2, 17, 0)
    assert CAL.office_periods(day) == (
        (vn(2026, 3, 2, 7, 30), vn(2026, 3, 2, 11, 30)),
        (vn(2026, 3, 2, 13, 30), vn(2026, 3, 2, 17, 0)),
    )
    assert not CAL.in_office_hours(vn(2026, 3, 2, 11, 30))  # periods are [start, end)
    assert not CAL.in_office_hours(vn(2026, 3, 7, 9, 0))  # Saturday
    assert not CAL.office_periods(date(2026, 3, 7))


def test_the_calendar_refuses_bad_periods():
    with pytest.raises(ValueError, match="overlap"):
        OfficeHours(periods=(OfficePeriod(time(8), time(12)), OfficePeriod(time(11), time(17))))
    with pytest.raises(ValueError, match="order"):
        OfficeHours(periods=(OfficePeriod(time(13), time(17)), OfficePeriod(time(8), time(12))))
    with pytest.raises(ValueError, match="at least one"):
        OfficeHours(periods=())
    with pytest.raises(ValueError, match="inside"):
        OfficeHours(periods=(OfficePeriod(time(8), time(12)),), clock_starts_at=time(12, 30))


def test_thai_nguyen_news_sla_counts_the_periods():
    # Thái Nguyên Art. 10(2): news within 8 "giờ hành chính" of the event; Mon 10:00 -> Tue 10:30
    profile = resolve_profile("thainguyen", on=date(2026, 3, 2))
    deadline = sla_deadline(profile, "news", vn(2026, 3, 2, 10, 0))
    assert deadline is not None
    assert deadline.due_at == vn(2026, 3, 3, 10, 30)


# --- clock start: office_start and next_working_day ---------------------------------------------


@pytest.mark.parametrize(
    ("received", "office_start", "next_working_day"),
    [
        # Mon 02/03/2026 07:00: office_start -> that day 08:00; next day -> Tue 08:00
        (vn(2026, 3, 2, 7, 0), vn(2026, 3, 2, 8, 0), vn(2026, 3, 3, 8, 0)),
        # Mon 09:00: both -> Tue 08:00
        (vn(2026, 3, 2, 9, 0), vn(2026, 3, 3, 8, 0), vn(2026, 3, 3, 8, 0)),
        # Sat 07/03 07:00: both -> Mon 09/03 08:00
        (vn(2026, 3, 7, 7, 0), vn(2026, 3, 9, 8, 0), vn(2026, 3, 9, 8, 0)),
        # Wed 29/04/2026 07:00, the day before 30/4 and 1/5 (then Sat, Sun):
        # office_start -> that day 08:00; next_working_day -> Mon 04/05 08:00
        (vn(2026, 4, 29, 7, 0), vn(2026, 4, 29, 8, 0), vn(2026, 5, 4, 8, 0)),
    ],
)
def test_clock_start_readings(received, office_start, next_working_day):
    assert CAL.clock_start(received) == office_start
    assert CAL.clock_start(received, rule="office_start") == office_start
    assert CAL.clock_start(received, rule="next_working_day") == next_working_day


def test_unknown_clock_start_rule_is_refused():
    with pytest.raises(ValueError, match="office_start, next_working_day"):
        CAL.clock_start(vn(2026, 3, 2, 7, 0), rule="tomorrow")


def test_qa_deadline_counts_from_the_next_working_day(tmp_path):
    # Civil Code 2015 Art. 147: the day of receipt is not counted
    path = _thainguyen_with(
        tmp_path, 'clock_start = "office_start"', 'clock_start = "next_working_day"'
    )
    profile = load_profile(path)
    # Mon 02/03/2026 07:00, 5 working days: Tue 03 .. Mon 09/03 -> due Mon 09/03 17:00
    deadline = qa_deadline(profile, vn(2026, 3, 2, 7, 0), "competence")
    assert deadline.clock_start == vn(2026, 3, 3, 8, 0)
    assert deadline.counted_days == (
        date(2026, 3, 3),
        date(2026, 3, 4),
        date(2026, 3, 5),
        date(2026, 3, 6),
        date(2026, 3, 9),
    )
    assert deadline.due == vn(2026, 3, 9, 17, 0)
    assert "ngày nhận không tính" in deadline.rule
    # the shipped reading counts that Monday: due Fri 06/03 17:00
    shipped = resolve_profile("thainguyen", on=date(2026, 3, 2))
    assert qa_deadline(shipped, vn(2026, 3, 2, 7, 0), "competence").due == vn(2026, 3, 6, 17, 0)


def test_qa_deadline_with_a_stand_in_profile_reads_the_clock_start_rule():
    profile = SimpleNamespace(
        office_hours=SimpleNamespace(
            periods=[SimpleNamespace(start=time(7, 30), end=time(11, 30))],
            clock_starts_at=None,
            source="platform default",
        ),
        calendar=SimpleNamespace(extra_days_off=[], extra_working_days=[], source="x"),
        qa=SimpleNamespace(
            clock_start="next_working_day",
            kinds={
                "national": SimpleNamespace(
                    working_days=1, appointment=False, label="Câu hỏi", source="Decree"
                )
            },
            default_kind="national",
            source="Civil Code 2015 Art. 147",
        ),
    )
    # Fri 06/03/2026 07:00 -> Mon 09/03 07:30; 1 working day -> Mon 09/03 11:30
    deadline = qa_deadline(profile, vn(2026, 3, 6, 7, 0))
    assert deadline.clock_start == vn(2026, 3, 9, 7, 30)
    assert deadline.due == vn(2026, 3, 9, 11, 30)
