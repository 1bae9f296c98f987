"""Beat tasks of the reports: thin, idempotent wrappers around the reports' services, each run
per province inside its schema (tenants.tasks.for_each_province)."""

from __future__ import annotations

from django.db import connection

from config.celery import app
from reports.compliance import compliance_snapshot_refresh
from reports.services import draft_due as draft_due_in_schema
from reports.services import remind_due
from tenants.selectors import province_list
from tenants.tasks import for_each_province, in_a_province


# Reports of the profile's `reporting` entries whose period has ended (issue 14): drafted early
# each morning, Vietnam time (config.celery), for every province inside its own schema; a run
# that finds them drafted already drafts nothing (one report per entry, period and agency).
@app.task(name="reports.draft_due")
def draft_due() -> int:
    return for_each_province(draft_due_in_province)


@app.task(name="reports.draft_due_in_province")
def draft_due_in_province() -> int:
    return len(draft_due_in_schema()) if in_a_province() else 0


# The signers of reports not signed off are reminded from `remind_working_days` before the due
# day, each once a day (core.notices); tried every office hour, sent on working days only.
@app.task(name="reports.remind")
def remind() -> int:
    return for_each_province(remind_in_province)


@app.task(name="reports.remind_in_province")
def remind_in_province() -> int:
    return remind_due() if in_a_province() else 0


# The operators' compliance board (ADR 0030): each province's figures counted inside its
# schema and kept in the public schema; beat every 15 minutes (config.celery).
@app.task(name="reports.compliance_snapshot")
def compliance_snapshot() -> int:
    return for_each_province(compliance_snapshot_in_province)


@app.task(name="reports.compliance_snapshot_in_province")
def compliance_snapshot_in_province() -> int:
    if not in_a_province():
        return 0
    schema_name: str = connection.schema_name  # type: ignore[attr-defined]
    province = province_list().prefetch_related(None).filter(schema_name=schema_name).first()
    if province is None:
        return 0
    compliance_snapshot_refresh(province=province)
    return 1


# Citizens' page views (ADR 0028): each province's counts moved from Redis into PageViewDay
# every 5 minutes (config.celery); a run twice or at once moves each view once.
@app.task(name="reports.flush_page_views")
def flush_page_views() -> int:
    return for_each_province(flush_page_views_in_province)


@app.task(name="reports.flush_page_views_in_province")
def flush_page_views_in_province() -> int:
    from reports.pageviews import page_views_flush

    return page_views_flush() if in_a_province() else 0
