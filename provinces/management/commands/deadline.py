"""`manage.py deadline`: the Q&A answer deadline a province's rule profile gives a question.

The first output line is the due instant alone (ISO 8601, +07:00), for scripts; the rest
explains it: the rule and its article, the clock start (`qa.clock_start`: "office_start" or
"next_working_day", docs/adr/0008), the office periods, the working days counted and the days
skipped (the profile's calendar overrides included).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError

from provinces.calendar import calendar_for, parse_local_instant, qa_deadline
from provinces.loader import describe_baseline
from provinces.management.commands._profile import profile_on


def _parse_received(value: str) -> datetime:
    try:
        return parse_local_instant(value)
    except ValueError as error:
        raise CommandError(f"--received {error}") from error


class Command(BaseCommand):
    help = (
        "Print the answer deadline of a citizen question under a province's rule profile. "
        "First line: the due instant (ISO 8601, +07:00)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--profile",
            required=True,
            help="profile slug (e.g. thainguyen) or path to a profile .toml file",
        )
        parser.add_argument(
            "--received",
            required=True,
            help="when the question arrived, ISO 8601; without an offset it is Vietnam time",
        )
        parser.add_argument(
            "--kind",
            help="Q&A kind of the profile (e.g. competence, interagency, special); "
            "default: the profile's default kind",
        )

    def handle(self, *args, **options):
        received = _parse_received(options["received"])
        profile = profile_on(options["profile"], received.date())
        calendar = calendar_for(profile)
        try:
            deadline = qa_deadline(profile, received, options["kind"], calendar=calendar)
        except ValueError as error:
            raise CommandError(str(error)) from error

        out = self.stdout
        out.write(deadline.due.isoformat())
        out.write(f"rule: {deadline.rule}")
        out.write(f"source: {deadline.source}")
        # The baseline in force when the question arrived (ADR 0009).
        out.write(describe_baseline(profile))
        out.write(f"received: {deadline.received.isoformat()}")
        out.write(
            f"clock start: {deadline.clock_start.isoformat()} "
            f"({profile.qa.clock_start}; {deadline.clock_start_source})"
        )
        out.write(f"office hours: {calendar.office_hours.label()}")
        counted = ", ".join(_counted_label(day) for day in deadline.counted_days)
        out.write(f"working days counted ({len(deadline.counted_days)}): {counted}")
        skipped = [
            f"{day.isoformat()} {calendar.non_working_reason(day)}"
            for day in _days(deadline.received.date(), deadline.due.date())
            if not calendar.is_working_day(day)
        ]
        if skipped:
            out.write(f"non-working days skipped ({len(skipped)}): {'; '.join(skipped)}")


def _counted_label(day: date) -> str:
    # A weekend day counted is a make-up working day (a government swap or an override).
    weekend = {5: "Saturday", 6: "Sunday"}.get(day.weekday())
    return f"{day.isoformat()} ({weekend} worked: make-up day)" if weekend else day.isoformat()


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
