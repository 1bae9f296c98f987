"""Working days, the 08:00 clock start and Q&A deadlines (provinces.calendar). Pure: no database.

Dates of the national calendar come from the `holidays` package (Vietnam) plus
provinces/calendar_data/<year>.toml; each expected date below is worked out by hand next to
its assertion.
"""

from __future__ import annotations

import time as timer
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import pytest

from provinces.calendar import (
    TZ,
    CalendarDataError,
    OfficeHours,
    OfficePeriod,
    WorkingCalendar,
    add_working_days,
    add_working_hours,
    calendar_for,
    clear_calendar_cache,
    clock_start,
    due_in_working_days,
    is_working_day,
    load_year_data,
    next_working_day,
    qa_deadline,
)
from tests.factories.provinces import vn

# These tests touch neither the database nor the cache.
pytestmark = pytest.mark.without_services


def thai_nguyen_like(
    *,
    start: time = time(8, 0),
    end: time = time(17, 0),
    days_off: tuple[date, ...] = (),
    working_days: tuple[date, ...] = (),
) -> SimpleNamespace:
    """A stand-in shaped like the profile contract, with Thái Nguyên's Q&A rules."""
    kinds = {
        "competence": SimpleNamespace(
            working_days=5,
            appointment=False,
            label="Câu hỏi thuộc thẩm quyền",
            source="QĐ 40/2012 Art. 14(4)a",
        ),
        "interagency": SimpleNamespace(
            working_days=10,
            appointment=False,
            label="Câu hỏi cần phối hợp liên ngành",
            source="QĐ 40/2012 Art. 14(4)b",
        ),
        "special": SimpleNamespace(
            working_days=15,
            appointment=True,
            label="Trường hợp đặc biệt cần nghiên cứu",
            source="QĐ 40/2012 Art. 14(4)c",
        ),
    }
    return SimpleNamespace(
        office_hours=SimpleNamespace(
            periods=[SimpleNamespace(start=start, end=end)],
            clock_starts_at=None,
            source="platform default",
        ),
        calendar=SimpleNamespace(
            extra_days_off=list(days_off),
            extra_working_days=list(working_days),
            source="platform default",
        ),
        qa=SimpleNamespace(
            clock_start="office_start",
            kinds=kinds,
            default_kind="competence",
            source="QĐ 40/2012 Art. 14(4)",
        ),
    )


# --- working days ---------------------------------------------------------------------------


def test_monday_to_friday_work_weekends_do_not():
    # given the week of Mon 2026-03-02, with no holiday in it
    week = [date(2026, 3, 2) + timedelta(days=i) for i in range(7)]
    # then Monday-Friday are working days, Saturday and Sunday are not
    assert [is_working_day(d) for d in week] == [True] * 5 + [False, False]
    assert next_working_day(date(2026, 3, 6)) == date(2026, 3, 9)  # Fri -> Mon


@pytest.mark.parametrize(
    "day",
    [
        # Tết Giáp Thìn 2024 (lunar new year 10/02/2024): Thu 08/02 .. Wed 14/02 off
        date(2024, 2, 8),
        date(2024, 2, 9),
        date(2024, 2, 12),
        date(2024, 2, 14),
        # Tết Bính Ngọ 2026 (lunar new year Tue 17/02/2026): Mon 16/02 .. Fri 20/02 off
        date(2026, 2, 16),
        date(2026, 2, 17),
        date(2026, 2, 20),
        # Tết Đinh Mùi 2027 (lunar new year Sat 06/02/2027): Thu 04/02 .. Wed 10/02 off
        date(2027, 2, 4),
        date(2027, 2, 10),
        # Hùng Kings' day, 10/3 lunar: Thu 18/04/2024, Mon 07/04/2025, Fri 16/04/2027
        date(2024, 4, 18),
        date(2025, 4, 7),
        date(2027, 4, 16),
        # ... and in 2026 it falls on Sun 26/04: Mon 27/04 is off in lieu (nghỉ bù)
        date(2026, 4, 27),
    ],
)
def test_lunar_holidays_are_not_working_days(day):
    assert not is_working_day(day)


def test_days_next_to_tet_2026_are_working_days():
    # Fri 13/02/2026 is the last working day before Tết, Mon 23/02 the first after
    assert is_working_day(date(2026, 2, 13))
    assert next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)


def test_government_swap_in_the_package_2025():
    # Announcement 6150/TB-BLĐTBXH: Fri 02/05/2025 off, worked on Sat 26/04/2025
    # (holidays.VN: special_public_holidays 2025 = (MAY, 2, APR, 26); weekend_workdays).
    assert is_working_day(date(2025, 4, 26))
    assert not is_working_day(date(2025, 5, 2))
    assert next_working_day(date(2025, 4, 25)) == date(2025, 4, 26)  # Fri -> the make-up Sat


def test_government_swap_in_calendar_data_2026():
    # calendar_data/2026.toml: Fri 02/01/2026 off, worked on Sat 10/01/2026
    assert not is_working_day(date(2026, 1, 2))
    assert is_working_day(date(2026, 1, 10))
    assert next_working_day(date(2025, 12, 31)) == date(2026, 1, 5)  # Thu 1 holiday, Fri 2 off


def test_non_working_reason_names_the_day():
    cal = WorkingCalendar()
    assert cal.non_working_reason(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert "12729/VPCP-KGVX" in cal.non_working_reason(date(2026, 1, 2))
    assert cal.non_working_reason(date(2026, 3, 7)) == "Thứ Bảy"
    assert cal.non_working_reason(date(2026, 3, 9)) is None


def test_shipped_calendar_data_files_are_valid():
    for year in (2025, 2026):
        data = load_year_data(year)
        assert all(entry.source for entry in data.days_off + data.working_days)


# --- yearly data folder ---------------------------------------------------------------------


def test_yearly_data_adds_days_off_and_working_days(tmp_path):
    # given an announcement the package does not know (dates picked for the test)
    (tmp_path / "2027.toml").write_text(
        'days_off = [{ date = 2027-03-08, source = "Thông báo thử" }]\n'
        'working_days = [{ date = 2027-03-13, source = "Thông báo thử" }]\n',
        encoding="utf-8",
    )
    cal = WorkingCalendar(data_dir=tmp_path)
    # then Mon 08/03/2027 is off and Sat 13/03/2027 is worked
    assert not cal.is_working_day(date(2027, 3, 8))
    assert cal.is_working_day(date(2027, 3, 13))
    # and the package's holidays still apply
    assert not cal.is_working_day(date(2027, 4, 16))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("days_off = [{ date = 2027-03-08 }]\n", "days_off[0].source: required"),
        ('days_off = [{ date = 2026-03-08, source = "x" }]\n', "is not in 2027"),
        ('days_off = [{ date = 2027-03-08, source = "x", why = "y" }]\n', "unknown key(s) why"),
        ("holidays = []\n", "unknown key(s) holidays"),
        (
            'days_off = [{ date = 2027-03-08, source = "x" }]\n'
            'working_days = [{ date = 2027-03-08, source = "x" }]\n',
            "both as day off and working day: 2027-03-08",
        ),
        ("days_off = [", "not valid TOML"),
    ],
)
def test_malformed_yearly_data_is_refused_with_file_and_entry(tmp_path, text, message):
    (tmp_path / "2027.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CalendarDataError) as error:
        load_year_data(2027, tmp_path)
    assert "2027.toml" in str(error.value)
    assert message in str(error.value)


def test_edited_yearly_data_applies_after_cache_clear(tmp_path):
    # given a calendar that has read 2027 with no announcement
    cal = WorkingCalendar(data_dir=tmp_path)
    assert cal.is_working_day(date(2027, 3, 8))
    # when the operator adds a day off and the cache is cleared
    (tmp_path / "2027.toml").write_text(
        'days_off = [{ date = 2027-03-08, source = "Thông báo thử" }]\n', encoding="utf-8"
    )
    clear_calendar_cache()
    # then the day is off
    assert not cal.is_working_day(date(2027, 3, 8))
    clear_calendar_cache()


# --- per-profile overrides ------------------------------------------------------------------


def test_profile_overrides_win_over_the_national_calendar():
    # given a province that takes Wed 11/03/2026 off and works Sun 15/03/2026 and Mon 16/02/2026
    profile = thai_nguyen_like(
        days_off=(date(2026, 3, 11),),
        working_days=(date(2026, 3, 15), date(2026, 2, 16)),
    )
    cal = calendar_for(profile)
    assert not cal.is_working_day(date(2026, 3, 11))
    assert cal.is_working_day(date(2026, 3, 15))
    assert cal.is_working_day(date(2026, 2, 16))  # a Tết day, worked by this province's choice
    # and other provinces keep the national calendar
    assert is_working_day(date(2026, 3, 11))


def test_profile_override_moves_a_deadline():
    # given a 5-day question received Mon 09/03/2026 at 07:00, Wed 11/03 a provincial day off
    profile = thai_nguyen_like(days_off=(date(2026, 3, 11),))
    deadline = qa_deadline(profile, vn(2026, 3, 9, 7, 0), "competence")
    # Mon 9 (1), Tue 10 (2), [Wed 11 off], Thu 12 (3), Fri 13 (4), [Sat, Sun], Mon 16 (5)
    assert deadline.due == vn(2026, 3, 16, 17, 0)


def test_profile_office_hours_set_the_clock():
    # given office hours 07:30-16:30
    cal = calendar_for(thai_nguyen_like(start=time(7, 30), end=time(16, 30)))
    # then 07:30 sharp starts the same day, 07:31 the next, and days end at 16:30
    assert cal.clock_start(vn(2026, 3, 2, 7, 30)) == vn(2026, 3, 2, 7, 30)
    assert cal.clock_start(vn(2026, 3, 2, 7, 31)) == vn(2026, 3, 3, 7, 30)
    assert cal.due_in_working_days(vn(2026, 3, 2, 7, 0), 1) == vn(2026, 3, 2, 16, 30)


def test_contradictory_overrides_and_bad_office_hours_are_refused():
    with pytest.raises(ValueError, match="both extra day off and extra working day"):
        WorkingCalendar(
            extra_days_off=frozenset({date(2026, 3, 11)}),
            extra_working_days=frozenset({date(2026, 3, 11)}),
        )
    with pytest.raises(ValueError, match="must be after start"):
        OfficeHours(periods=(OfficePeriod(time(17, 0), time(8, 0)),))


# --- the clock starts at 08:00 (Thái Nguyên Art. 14(4)) -------------------------------------


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        # Mon 02/03/2026 07:59 -> before 08:00 on a working day: that day at 08:00
        (vn(2026, 3, 2, 7, 59), vn(2026, 3, 2, 8, 0)),
        # 08:00:00 sharp counts as "at or before 08:00": that day (ADR 0004)
        (vn(2026, 3, 2, 8, 0), vn(2026, 3, 2, 8, 0)),
        # one microsecond later: the next working day
        (vn(2026, 3, 2, 8, 0, 0, 1), vn(2026, 3, 3, 8, 0)),
        # 16:59 Monday: Tuesday 08:00
        (vn(2026, 3, 2, 16, 59), vn(2026, 3, 3, 8, 0)),
        # 16:59 Friday 06/03: Monday 09/03 08:00
        (vn(2026, 3, 6, 16, 59), vn(2026, 3, 9, 8, 0)),
        # Saturday 07/03 07:00, before 08:00 but not a working day: Monday 09/03 08:00
        (vn(2026, 3, 7, 7, 0), vn(2026, 3, 9, 8, 0)),
        # Sunday 08/03 23:59: Monday 08:00
        (vn(2026, 3, 8, 23, 59), vn(2026, 3, 9, 8, 0)),
        # the make-up Saturday 26/04/2025 is a working day: 07:00 starts it at 08:00
        (vn(2025, 4, 26, 7, 0), vn(2025, 4, 26, 8, 0)),
    ],
)
def test_clock_start(received, expected):
    assert clock_start(received) == expected


def test_clock_start_reads_other_time_zones_in_vietnam_time():
    # 00:30 UTC Mon 02/03/2026 = 07:30 in Vietnam: before 08:00, same day
    assert clock_start(datetime(2026, 3, 2, 0, 30, tzinfo=UTC)) == vn(2026, 3, 2, 8, 0)
    # 23:30 UTC Sun 01/03 = 06:30 Mon 02/03 in Vietnam: Monday 08:00, not Sunday's next day
    assert clock_start(datetime(2026, 3, 1, 23, 30, tzinfo=UTC)) == vn(2026, 3, 2, 8, 0)
    # results are expressed in Asia/Ho_Chi_Minh
    assert clock_start(datetime(2026, 3, 1, 23, 30, tzinfo=UTC)).tzinfo is TZ


def test_question_received_the_day_before_tet_2026():
    # Fri 13/02/2026 is the last working day before Tết (Sat 14 .. Sun 22 all off)
    # 15:00 that Friday: the clock waits for Mon 23/02 08:00
    assert clock_start(vn(2026, 2, 13, 15, 0)) == vn(2026, 2, 23, 8, 0)
    # 07:30 that Friday: the clock starts that Friday at 08:00
    assert clock_start(vn(2026, 2, 13, 7, 30)) == vn(2026, 2, 13, 8, 0)


@pytest.mark.parametrize(
    "call",
    [
        lambda: clock_start(datetime(2026, 3, 2, 7, 59)),
        lambda: due_in_working_days(datetime(2026, 3, 2, 7, 59), 5),
        lambda: add_working_days(datetime(2026, 3, 2, 7, 59), 1),
        lambda: add_working_hours(datetime(2026, 3, 2, 7, 59), 8),
        lambda: is_working_day(datetime(2026, 3, 2, 7, 59)),
    ],
)
def test_naive_datetimes_are_refused(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


# --- counting -------------------------------------------------------------------------------


def test_due_in_working_days_is_end_of_office_hours_day_n_counting_the_start_day():
    # received Mon 02/03/2026 07:00: day 1 = Mon 2, due 17:00 that day
    assert due_in_working_days(vn(2026, 3, 2, 7, 0), 1) == vn(2026, 3, 2, 17, 0)
    # received Mon 02/03/2026 09:00: clock Tue 3 = day 1, day 2 = Wed 4
    assert due_in_working_days(vn(2026, 3, 2, 9, 0), 2) == vn(2026, 3, 4, 17, 0)
    with pytest.raises(ValueError, match="at least 1 working day"):
        due_in_working_days(vn(2026, 3, 2, 9, 0), 0)


def test_add_working_days_keeps_the_time_and_skips_days_off():
    # Fri 06/03/2026 10:00 + 1 working day = Mon 09/03 10:00
    assert add_working_days(vn(2026, 3, 6, 10, 0), 1) == vn(2026, 3, 9, 10, 0)
    # Thu 12/02/2026 10:00 + 2 = Fri 13, [14..22 off], Mon 23/02 10:00
    assert add_working_days(vn(2026, 2, 12, 10, 0), 2) == vn(2026, 2, 23, 10, 0)
    assert add_working_days(vn(2026, 3, 6, 10, 0), 0) == vn(2026, 3, 6, 10, 0)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        # Thái Nguyên Art. 10(2): news within 8 working hours of the event.
        # Tue 03/03/2026 14:00: 3 h that day (14-17) + 5 h Wed (08-13) -> Wed 04/03 13:00
        (vn(2026, 3, 3, 14, 0), vn(2026, 3, 4, 13, 0)),
        # Tue 22:00 (night): nothing until Wed 08:00, then 8 h -> Wed 04/03 16:00
        (vn(2026, 3, 3, 22, 0), vn(2026, 3, 4, 16, 0)),
        # Fri 06/03 15:00: 2 h Fri + 6 h Mon (08-14) -> Mon 09/03 14:00
        (vn(2026, 3, 6, 15, 0), vn(2026, 3, 9, 14, 0)),
        # Sat 07/03 10:00: nothing until Mon 08:00, then 8 h -> Mon 09/03 16:00
        (vn(2026, 3, 7, 10, 0), vn(2026, 3, 9, 16, 0)),
        # Fri 13/02/2026 16:00, before Tết: 1 h Fri + 7 h Mon 23/02 (08-15) -> 23/02 15:00
        (vn(2026, 2, 13, 16, 0), vn(2026, 2, 23, 15, 0)),
    ],
)
def test_add_8_working_hours(event, expected):
    assert add_working_hours(event, 8) == expected


def test_add_working_hours_edges():
    # a full office day (08-17 = 9 h) from Mon 08:00 ends Mon 17:00, not Tue 08:00
    assert add_working_hours(vn(2026, 3, 2, 8, 0), 9) == vn(2026, 3, 2, 17, 0)
    # half hours count
    assert add_working_hours(vn(2026, 3, 2, 16, 30), 1.5) == vn(2026, 3, 3, 9, 0)
    assert add_working_hours(vn(2026, 3, 7, 10, 0), 0) == vn(2026, 3, 7, 10, 0)
    with pytest.raises(ValueError, match="hours must be >= 0"):
        add_working_hours(vn(2026, 3, 2, 8, 0), -1)


# --- Thái Nguyên Art. 14(4) worked examples -------------------------------------------------


@pytest.mark.parametrize(
    ("received", "kind", "expected_due", "expected_days"),
    [
        # competence, 5 working days, across a weekend:
        # received Wed 04/03/2026 10:00 -> clock Thu 05/03 08:00;
        # Thu 5 (1), Fri 6 (2), [Sat 7, Sun 8], Mon 9 (3), Tue 10 (4), Wed 11 (5) -> 11/03 17:00
        (vn(2026, 3, 4, 10, 0), "competence", vn(2026, 3, 11, 17, 0), None),
        # competence, 5, across Tết 2026: received Fri 13/02 07:30 -> clock Fri 13/02 08:00;
        # Fri 13 (1), [Sat 14 .. Sun 22: weekend, Tết 16-20, weekend],
        # Mon 23 (2), Tue 24 (3), Wed 25 (4), Thu 26 (5) -> 26/02/2026 17:00
        (
            vn(2026, 2, 13, 7, 30),
            "competence",
            vn(2026, 2, 26, 17, 0),
            [date(2026, 2, d) for d in (13, 23, 24, 25, 26)],
        ),
        # interagency, 10, across Tết 2026: received Fri 13/02 15:00 -> clock Mon 23/02 08:00;
        # Mon 23 (1) .. Fri 27 (5), [Sat 28, Sun 01/03], Mon 02/03 (6) .. Fri 06/03 (10)
        # -> 06/03/2026 17:00
        (vn(2026, 2, 13, 15, 0), "interagency", vn(2026, 3, 6, 17, 0), None),
        # competence, 5, across the 2025 swap (package): received Thu 24/04/2025 10:00
        # -> clock Fri 25/04 08:00; Fri 25 (1), Sat 26 make-up (2), [Sun 27], Mon 28 (3),
        # Tue 29 (4), [Wed 30/04, Thu 01/05 holidays, Fri 02/05 swapped off, Sat 3, Sun 4],
        # Mon 05/05 (5) -> 05/05/2025 17:00
        (
            vn(2025, 4, 24, 10, 0),
            "competence",
            vn(2025, 5, 5, 17, 0),
            [date(2025, 4, d) for d in (25, 26, 28, 29)] + [date(2025, 5, 5)],
        ),
        # special, at most 15, across the 2025 swap: received Tue 22/04/2025 07:45
        # -> clock Tue 22/04 08:00; Tue 22 (1), Wed 23 (2), Thu 24 (3), Fri 25 (4),
        # Sat 26 make-up (5), Mon 28 (6), Tue 29 (7), [30/04 .. 04/05 off],
        # Mon 05/05 (8), Tue 6 (9), Wed 7 (10), Thu 8 (11), Fri 9 (12), Mon 12 (13),
        # Tue 13 (14), Wed 14 (15) -> 14/05/2025 17:00
        (vn(2025, 4, 22, 7, 45), "special", vn(2025, 5, 14, 17, 0), None),
        # special, 15, across New Year 2026 and its swap (calendar_data/2026.toml):
        # received Mon 29/12/2025 09:00 -> clock Tue 30/12 08:00; Tue 30 (1), Wed 31 (2),
        # [Thu 01/01 holiday, Fri 02/01 swapped off, Sat 3, Sun 4], Mon 5 (3), Tue 6 (4),
        # Wed 7 (5), Thu 8 (6), Fri 9 (7), Sat 10 make-up (8), [Sun 11], Mon 12 (9),
        # Tue 13 (10), Wed 14 (11), Thu 15 (12), Fri 16 (13), Mon 19 (14), Tue 20 (15)
        # -> 20/01/2026 17:00
        (vn(2025, 12, 29, 9, 0), "special", vn(2026, 1, 20, 17, 0), None),
        # interagency, 10, across the 2026 National Day swap (package): received Wed 19/08/2026
        # 10:00 -> clock Thu 20/08 08:00; Thu 20 (1), Fri 21 (2), Sat 22 make-up (3),
        # [Sun 23], Mon 24 (4) .. Fri 28 (8), [Sat 29, Sun 30, Mon 31 swapped off,
        # Tue 01/09 and Wed 02/09 National Day], Thu 03/09 (9), Fri 04/09 (10)
        # -> 04/09/2026 17:00
        (vn(2026, 8, 19, 10, 0), "interagency", vn(2026, 9, 4, 17, 0), None),
    ],
)
def test_thai_nguyen_art_14_4_worked_examples(received, kind, expected_due, expected_days):
    deadline = qa_deadline(thai_nguyen_like(), received, kind)
    assert deadline.due == expected_due
    assert deadline.due.isoformat().endswith("+07:00")
    assert len(deadline.counted_days) == deadline.working_days
    assert deadline.counted_days[0] == deadline.clock_start.date()
    if expected_days is not None:
        assert list(deadline.counted_days) == expected_days


def test_qa_deadline_explains_itself():
    deadline = qa_deadline(thai_nguyen_like(), vn(2026, 3, 4, 10, 0), "special")
    assert deadline.kind == "special"
    assert deadline.working_days == 15
    assert deadline.appointment is True
    assert deadline.source == "QĐ 40/2012 Art. 14(4)c"
    assert deadline.clock_start == vn(2026, 3, 5, 8, 0)
    assert deadline.clock_start_source == "QĐ 40/2012 Art. 14(4)"
    assert "hẹn trả lời tối đa 15 ngày làm việc" in deadline.rule
    assert "ngày thứ nhất là ngày bắt đầu tính" in deadline.rule
    # staff and citizens read the rule: the kind's label, never its code
    assert "(special)" not in deadline.rule


def test_qa_deadline_uses_the_default_kind():
    deadline = qa_deadline(thai_nguyen_like(), vn(2026, 3, 4, 10, 0))
    assert deadline.kind == "competence"
    assert deadline.due == vn(2026, 3, 11, 17, 0)


def test_unknown_kind_lists_the_profile_kinds():
    with pytest.raises(ValueError, match="unknown Q&A kind 'urgent'") as error:
        qa_deadline(thai_nguyen_like(), vn(2026, 3, 4, 10, 0), "urgent")
    assert "competence, interagency, special" in str(error.value)


def test_deadlines_are_cheap():
    # tens of thousands a second are needed (recomputing open questions); allow a slow machine
    cal = WorkingCalendar()
    start = vn(2025, 1, 1, 9, 0)
    cal.due_in_working_days(start, 15)  # warm the per-year cache
    began = timer.perf_counter()
    for i in range(20_000):
        cal.due_in_working_days(start + timedelta(hours=7 * i % 17_000), 15)
    assert timer.perf_counter() - began < 2.0


# --- the real profile (needs provinces.loader and the shipped Thái Nguyên profile) ----------


def test_thai_nguyen_profile_gives_art_14_4_deadlines():
    from provinces.loader import resolve_profile

    profile = resolve_profile("thainguyen")
    kinds = profile.qa.kinds
    assert (kinds["competence"].working_days, kinds["interagency"].working_days) == (5, 10)
    assert (kinds["special"].working_days, kinds["special"].appointment) == (15, True)
    # the answer clock starts at 08:00 (Art. 14(4)(c)); office days close at 17:00
    assert profile.office_hours.clock_start_time == time(8, 0)
    assert profile.office_hours.periods[-1].end == time(17, 0)
    # received Fri 13/02/2026 15:00 -> clock Mon 23/02 08:00; 10 working days -> Fri 06/03
    deadline = qa_deadline(profile, vn(2026, 2, 13, 15, 0), "interagency")
    assert deadline.due == vn(2026, 3, 6, 17, 0)
    assert "14" in deadline.source


# --- 2026: the days off a deadline depends on are pinned -----------------------------------


def _days_off_and_worked_weekends(year: int) -> tuple[list[date], list[date]]:
    cal = WorkingCalendar()
    day, off_weekdays, worked_weekends = date(year, 1, 1), [], []
    while day.year == year:
        weekend = day.weekday() >= 5
        if weekend and cal.is_working_day(day):
            worked_weekends.append(day)
        elif not weekend and not cal.is_working_day(day):
            off_weekdays.append(day)
        day += timedelta(days=1)
    return off_weekdays, worked_weekends


def test_the_2026_days_off_are_those_the_data_says():
    # given the installed `holidays` package and calendar_data/2026.toml
    off, worked = _days_off_and_worked_weekends(2026)
    # then the weekdays off are exactly those announced, and the make-up Saturdays are worked
    assert off == [
        date(2026, 1, 1),  # Tết Dương lịch (Thu)
        date(2026, 1, 2),  # swapped for Sat 10/01 (Công văn 12729/VPCP-KGVX)
        date(2026, 2, 16),  # Tết Bính Ngọ: giao thừa (Mon) ..
        date(2026, 2, 17),
        date(2026, 2, 18),
        date(2026, 2, 19),
        date(2026, 2, 20),  # .. mùng bốn (Fri)
        date(2026, 4, 27),  # Giỗ Tổ Hùng Vương (Sun 26/04), nghỉ bù Mon 27/04
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 8, 31),  # swapped for Sat 22/08
        date(2026, 9, 1),
        date(2026, 9, 2),
        date(2026, 11, 24),  # Ngày Văn hoá Việt Nam (Tue)
    ]
    assert worked == [date(2026, 1, 10), date(2026, 8, 22)]


def test_2026_11_24_is_recorded_with_its_instrument():
    # the day off no longer depends on the package alone: the yearly data names its source
    data = load_year_data(2026)
    entry = next(e for e in data.days_off if e.day == date(2026, 11, 24))
    assert "Ngày Văn hoá Việt Nam" in entry.source
    assert "80-NQ/TW" in entry.source
    assert WorkingCalendar().non_working_reason(date(2026, 11, 24)) == entry.source


def test_holidays_is_pinned_to_the_tested_minor_series():
    import tomllib
    from importlib.metadata import version
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    dependencies = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    pin = next(d for d in dependencies if d.startswith("holidays"))
    installed = version("holidays")
    major, minor = (int(part) for part in installed.split(".")[:2])
    # the range is the installed minor series: a new series must pass the test above first
    assert pin == f"holidays>={major}.{minor},<{major}.{minor + 1}"
