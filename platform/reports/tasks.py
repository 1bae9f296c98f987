"""Beat tasks of the reports: thin, idempotent wrappers around the reports' services, each run
per province inside its schema (tenants.tasks.for_each_province)."""

from __future__ import annotations

from django.db import connection

from config.celery import app
from reports.compliance import compliance_snapshot_refresh
from tenants.selectors import province_list
from tenants.tasks import for_each_province, in_a_province


# The operators' compliance board (ADR 0030): each province's figures counted inside its
# schema and kept in the public schema; beat every 15 minutes (config.celery).
@app.task(name="reports.compliance_snapshot")
def compliance_snapshot() -> int:
    return for_each_province(compliance_snapshot_in_province)


@app.task(name="reports.compliance_snapshot_in_province")
def compliance_snapshot_in_province() -> int:
    if not in_a_province():
        return 0
    province = (
        province_list().prefetch_related(None).filter(schema_name=connection.schema_name).first()
    )
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
