"""A real Celery worker (a separate process, real Redis broker): a task sent inside a province's
schema runs inside that schema, and one sent from another province runs in that one's."""

import pytest
from django_tenants.utils import schema_context

from config import celery_app
from tests.factories.celery import real_worker


@pytest.fixture
def worker(tenant_db):
    with real_worker() as queue:
        yield queue


def test_tasks_run_in_the_schema_they_were_sent_from(worker, tenant_db):
    results = {}
    for slug in ("hagiang", "dongnai"):
        with schema_context(tenant_db[slug].schema_name):
            results[slug] = celery_app.send_task("platform.where_am_i", queue=worker)
    assert results["hagiang"].get(timeout=60) == "p_hagiang"
    assert results["dongnai"].get(timeout=60) == "p_dongnai"
    public = celery_app.send_task("platform.where_am_i", queue=worker)
    assert public.get(timeout=60) == "public"
