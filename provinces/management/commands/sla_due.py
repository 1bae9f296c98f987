"""`manage.py sla_due`: when content under a province's update SLA must be on the portal.

The first output line is the due instant alone (ISO 8601, +07:00), for scripts; the rest
explains it: the rule and its article, the anchor, and the office periods working hours are
counted over (provinces.sla, docs/adr/0005 and 0008).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from provinces.calendar import calendar_for, parse_local_instant
from provinces.loader import describe_baseline
from provinces.management.commands._profile import profile_on
from provinces.sla import sla_deadline

_MAX_CONTENT_TYPE = 60


class Command(BaseCommand):
    help = (
        "Print when an item of a content type, anchored at an instant, is due under a "
        "province's update SLA. First line: the due instant (ISO 8601, +07:00)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--profile",
            required=True,
            help="profile slug (e.g. thainguyen) or path to a profile .toml file",
        )
        parser.add_argument(
            "--content-type",
            required=True,
            help="content type of one of the profile's update_slas (e.g. news)",
        )
        parser.add_argument(
            "--at",
            required=True,
            help="the SLA's anchor instant (the event, the issue date…), ISO 8601; "
            "without an offset it is Vietnam time",
        )

    def handle(self, *args, **options):
        try:
            anchor_at = parse_local_instant(options["at"])
        except ValueError as error:
            raise CommandError(f"--at {error}") from error
        content_type = options["content_type"].strip()[:_MAX_CONTENT_TYPE]
        profile = profile_on(options["profile"], anchor_at.date())
        calendar = calendar_for(profile)
        deadline = sla_deadline(profile, content_type, anchor_at, calendar=calendar)
        if deadline is None:
            known = sorted({sla.content_type for sla in profile.update_slas})
            raise CommandError(
                f"no update SLA for content type {content_type!r}; "
                f"this profile's types are: {', '.join(known) or '(none)'}"
            )

        out = self.stdout
        out.write(deadline.due_at.isoformat())
        out.write(f"rule: {deadline.rule}")
        out.write(f"source: {deadline.source}")
        out.write(describe_baseline(profile))
        out.write(f"anchor ({deadline.anchor}): {anchor_at.isoformat()}")
        out.write(f"office hours: {calendar.office_hours.label()}")
