"""Running a periodic task for every province.

Beat sends a task in the public schema; `for_each_province` queues one run of a per-province
task inside each province's schema (tenant-schemas-celery carries the schema in the message
and switches to it on the worker), so one province's failure or slowness never holds back
another, and each run can be retried on its own. Each run goes through the outbox
(tenants.outbox): a broker that refuses one keeps it for later."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

# outbox_resend and the worker-start hook are registered with the workers from here (Celery's
# autodiscovery reads each app's tasks module).
from tenants.outbox import enqueue, outbox_resend  # noqa: F401
from tenants.selectors import province_list


def for_each_province(task, **kwargs) -> int:
    """Queue `task` once per province, in its schema. Returns the number of provinces. A
    province frozen while a merge copies its rows is left out (what a run wrote there during
    the copy would be left behind), and so is a province merged into another: its schema is
    kept for history only, nothing runs in it any more (ADR 0032)."""
    schemas = list(
        province_list()
        .prefetch_related(None)
        .filter(frozen_at__isnull=True, merged_into__isnull=True)
        .values_list("schema_name", flat=True)
    )
    for schema_name in schemas:
        with schema_context(schema_name):
            enqueue(task, **kwargs)
    return len(schemas)


def in_a_province() -> bool:
    return connection.schema_name != get_public_schema_name()
