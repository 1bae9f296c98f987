"""Builders for the reports, through reports.services only (inside a province's schema)."""

from __future__ import annotations

from datetime import date

from core.profiles import current_profile
from reports.selectors import Entry, entries
from reports.services import draft_report


def entry_of(*, cadence: str, per: str | None = None, subject: str | None = None) -> Entry:
    """The first `reporting` entry of the profile in force with this cadence (and per, and
    subject when given)."""
    for entry in entries(current_profile()):
        reporting = entry.reporting
        if reporting.cadence != cadence:
            continue
        if per is not None and reporting.per != per:
            continue
        if subject is not None and reporting.subject != subject:
            continue
        return entry
    raise LookupError(f"no {cadence} entry (per {per}, subject {subject}) in the profile")


def drafted(
    *,
    cadence: str,
    start: date,
    end: date,
    per: str | None = None,
    agency=None,
    site=None,
    actor=None,
    subject: str | None = None,
):
    """The report of the profile's first `cadence` entry for start..end, drafted through
    `draft_report` (for `agency` or `site` where the entry is made per agency or site)."""
    entry = entry_of(cadence=cadence, per=per, subject=subject)
    return draft_report(
        entry_key=entry.key, start=start, end=end, agency=agency, site=site, actor=actor
    )
