"""`manage.py deadline`: the Q&A deadline of a question under a shipped rule profile."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from provinces.loader import PROFILES_DIR

# The command touches neither the database nor the cache.
pytestmark = pytest.mark.without_services


def run_deadline(*args: str) -> list[str]:
    out = StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue().splitlines()


def test_first_line_is_the_due_instant_then_the_explanation():
    # given a coordination question to Thái Nguyên on Fri 13/02/2026 at 15:00, before Tết
    lines = run_deadline(
        "--profile",
        "thainguyen",
        "--received",
        "2026-02-13T15:00:00+07:00",
        "--kind",
        "interagency",
    )
    # then: clock Mon 23/02 08:00 (Sat 14 .. Sun 22 off); 23..27 (1-5), 02/03..06/03 (6-10)
    assert lines[0] == "2026-03-06T17:00:00+07:00"
    text = "\n".join(lines[1:])
    assert "10 ngày làm việc" in text
    assert "Art. 14(4)" in text
    assert "clock start: 2026-02-23T08:00:00+07:00" in text
    assert "working days counted (10): 2026-02-23, 2026-02-24" in text
    assert "2026-02-16 Giao thừa Tết Nguyên Đán" in text
    assert "2026-02-17 Tết Nguyên Đán" in text


def test_naive_received_is_vietnam_time():
    # Mon 02/03/2026 07:30 in Vietnam: clock that day 08:00; 5 working days -> Fri 06/03
    lines = run_deadline(
        "--profile", "thainguyen", "--received", "2026-03-02T07:30", "--kind", "competence"
    )
    assert lines[0] == "2026-03-06T17:00:00+07:00"


def test_other_offsets_are_converted():
    # 2026-03-02T00:30Z = Mon 02/03 07:30 in Vietnam: same as above
    lines = run_deadline(
        "--profile", "thainguyen", "--received", "2026-03-02T00:30:00Z", "--kind", "competence"
    )
    assert lines[0] == "2026-03-06T17:00:00+07:00"


def test_kind_defaults_to_the_profile_default():
    # Thái Nguyên's default kind is competence (5 working days)
    lines = run_deadline("--profile", "thainguyen", "--received", "2026-03-02T07:30")
    assert lines[0] == "2026-03-06T17:00:00+07:00"


def test_special_case_is_an_appointment_at_most_15_working_days():
    # Tue 22/04/2025 07:45 -> clock that day; with the make-up Sat 26/04 and 30/04-04/05 off,
    # working day 15 is Wed 14/05/2025
    lines = run_deadline(
        "--profile", "thainguyen", "--received", "2025-04-22T07:45:00+07:00", "--kind", "special"
    )
    assert lines[0] == "2025-05-14T17:00:00+07:00"
    assert "hẹn trả lời" in "\n".join(lines)
    assert "2025-04-26 (Saturday worked: make-up day)" in "\n".join(lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--profile", "thainguyen", "--received", "yesterday"), "not an ISO 8601"),
        (("--profile", "thainguyen", "--received", "2026-02-30T09:00"), "not an ISO 8601"),
        (
            ("--profile", "thainguyen", "--received", "2026-03-02T09:00", "--kind", "urgent"),
            "unknown Q&A kind 'urgent'; this profile's kinds are: competence, interagency, special",
        ),
        (("--profile", "atlantis", "--received", "2026-03-02T09:00"), "atlantis"),
    ],
)
def test_bad_input_is_a_command_error(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("deadline", *args, stdout=StringIO())


# --- the vocabulary of the profile: clock start, office periods, calendar overrides -----------


def thainguyen_variant(tmp_path, *edits: tuple[str, str]):
    source = sorted((PROFILES_DIR / "thainguyen").glob("*.toml"))[-1]
    text = source.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    folder = tmp_path / "thainguyen"
    folder.mkdir(exist_ok=True)
    path = folder / source.name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("received", "clock", "due"),
    [
        # Mon 02/03/2026 07:00: the day of receipt is not counted (Civil Code 2015 Art. 147);
        # Tue 03 .. Mon 09/03 are the 5 working days
        ("2026-03-02T07:00", "2026-03-03T08:00:00+07:00", "2026-03-09T17:00:00+07:00"),
        # Mon 09:00: the same
        ("2026-03-02T09:00", "2026-03-03T08:00:00+07:00", "2026-03-09T17:00:00+07:00"),
        # Sat 07/03: Mon 09 .. Fri 13/03
        ("2026-03-07T07:00", "2026-03-09T08:00:00+07:00", "2026-03-13T17:00:00+07:00"),
        # Wed 29/04/2026, the day before 30/4-1/5 (then the weekend): Mon 04 .. Fri 08/05
        ("2026-04-29T07:00", "2026-05-04T08:00:00+07:00", "2026-05-08T17:00:00+07:00"),
    ],
)
def test_clock_start_next_working_day(tmp_path, received, clock, due):
    path = thainguyen_variant(
        tmp_path, ('clock_start = "office_start"', 'clock_start = "next_working_day"')
    )
    lines = run_deadline("--profile", path, "--received", received, "--kind", "competence")
    assert lines[0] == due
    assert f"clock start: {clock}" in "\n".join(lines)


def test_the_due_instant_is_the_end_of_the_last_office_period(tmp_path):
    path = thainguyen_variant(
        tmp_path,
        (
            "{ start = 13:30:00, end = 17:00:00 }",
            "{ start = 13:00:00, end = 16:30:00 }",
        ),
    )
    # Mon 02/03/2026 07:30: clock that day 08:00; working day 5 = Fri 06/03, closing 16:30
    lines = run_deadline(
        "--profile", path, "--received", "2026-03-02T07:30", "--kind", "competence"
    )
    assert lines[0] == "2026-03-06T16:30:00+07:00"


def test_profile_calendar_overrides_are_honoured(tmp_path):
    path = thainguyen_variant(
        tmp_path,
        ("extra_days_off = []", "extra_days_off = [2026-03-04]"),
    )
    # Mon 02/03 07:30: 02, 03, (04 off for the province), 05, 06, 09 -> Mon 09/03 17:00
    lines = run_deadline(
        "--profile", path, "--received", "2026-03-02T07:30", "--kind", "competence"
    )
    assert lines[0] == "2026-03-09T17:00:00+07:00"
    assert "2026-03-04 ngày nghỉ riêng của tỉnh" in "\n".join(lines)


def test_a_received_instant_outside_the_calendar_is_a_command_error():
    with pytest.raises(CommandError, match="out of range"):
        call_command(
            "deadline",
            "--profile",
            "thainguyen",
            "--received",
            "0001-01-01T00:00Z",
            stdout=StringIO(),
        )
