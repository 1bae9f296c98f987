"""`manage.py sla_due`: when an item under a profile's update SLA must be on the portal.

Thái Nguyên's office hours are the platform's 07:30-11:30 and 13:30-17:00 (ADR 0008); its news
SLA is 8 "giờ hành chính" (QĐ 40/2012 Art. 10(2)). Expected instants are worked out by hand.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from provinces.loader import PROFILES_DIR

# The command touches neither the database nor the cache.
pytestmark = pytest.mark.without_services


def run_sla_due(*args: str) -> list[str]:
    out = StringIO()
    call_command("sla_due", *args, stdout=out)
    return out.getvalue().splitlines()


def test_first_line_is_the_due_instant_counted_over_the_office_periods():
    # Mon 02/03/2026 10:00: 10:00-11:30 (1.5 h) + 13:30-17:00 (3.5 h) = 5 h; Tue 07:30 + 3 h
    lines = run_sla_due(
        "--profile", "thainguyen", "--content-type", "news", "--at", "2026-03-02T10:00:00+07:00"
    )
    assert lines[0] == "2026-03-03T10:30:00+07:00"
    text = "\n".join(lines[1:])
    assert "rule: trong 8 giờ làm việc" in text
    assert "source: QĐ 40/2012 Art. 10(2)" in text
    assert "07:30-11:30, 13:30-17:00" in text


def test_during_lunch_after_hours_and_before_tet():
    def due(at: str) -> str:
        return run_sla_due("--profile", "thainguyen", "--content-type", "news", "--at", at)[0]

    # Mon 12:00: 3.5 h + Tue 4 h = 7.5 h; Tue 13:30 + 0.5 h = 14:00 (naive = Vietnam time)
    assert due("2026-03-02T12:00") == "2026-03-03T14:00:00+07:00"
    # Mon 17:30: Tue 7.5 h; Wed 07:30 + 0.5 h = 08:00
    assert due("2026-03-02T17:30") == "2026-03-04T08:00:00+07:00"
    # Fri 13/02 15:00: 2 h; Tết off Sat 14 .. Sun 22; Mon 23/02 4 h (6 h); 13:30 + 2 h = 15:30
    assert due("2026-02-13T08:00:00Z") == "2026-02-23T15:30:00+07:00"


def test_profile_may_be_a_path():
    path = sorted((PROFILES_DIR / "thainguyen").glob("*.toml"))[-1]
    lines = run_sla_due(
        "--profile", str(path), "--content-type", "news", "--at", "2026-03-02T10:00"
    )
    assert lines[0] == "2026-03-03T10:30:00+07:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--profile", "thainguyen", "--content-type", "horoscope", "--at", "2026-03-02T10:00"),
            "no update SLA for content type 'horoscope'; this profile's types are: ",
        ),
        (
            ("--profile", "thainguyen", "--content-type", "news", "--at", "tomorrow"),
            "not an ISO 8601",
        ),
        (
            ("--profile", "thainguyen", "--content-type", "news", "--at", "0001-01-01T00:00Z"),
            "out of range",
        ),
        (
            ("--profile", "thainguyen", "--content-type", "news", "--at", "2026-02-30T09:00"),
            "not an ISO 8601",
        ),
        (
            ("--profile", "atlantis", "--content-type", "news", "--at", "2026-03-02T10:00"),
            "atlantis",
        ),
    ],
)
def test_bad_input_is_a_command_error(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("sla_due", *args, stdout=StringIO())
