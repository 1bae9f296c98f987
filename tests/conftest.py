"""Shared fixtures: one test database per run (reused with --reuse-db), the five shipped
provinces onboarded once per session by cloning the migrated template schema. Builders are in
tests/factories/ (tests/README.md); `Staff` is re-exported here for the fixtures and old imports."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context

from config.cache import LocalMemo
from organization.models import ComponentSite
from tenants import profile_store
from tests.factories.organization import Staff

SEED_SLUGS = ("backan", "dongnai", "hagiang", "thainguyen", "thuathienhue")


def _clear_test_cache() -> None:
    LocalMemo.clear_all()
    # The process's copy of the profile store may hold versions a rolled-back test wrote.
    profile_store.forget()
    client = cache._cache.get_client()
    keys = list(client.scan_iter(match="portal-test:*", count=1000))
    if keys:
        client.delete(*keys)


def _warm_profile_store() -> None:
    """Read the seed provinces' approved profile versions again, as committed: the next test's
    first page then costs what a warm process's does (its query counts stay exact)."""
    for slug in SEED_SLUGS:
        profile_store.approved_versions(slug)


@pytest.fixture(scope="session")
def provinces(django_db_setup, django_db_blocker):
    """{slug: Province} for the five seed provinces, onboarded once (idempotent)."""
    from provinces.loader import resolve_profile
    from tenants.services import platform_tenant_ensure, province_onboard

    with django_db_blocker.unblock():
        _clear_test_cache()
        platform_tenant_ensure()
        onboarded = {}
        for slug in SEED_SLUGS:
            onboarded[slug] = province_onboard(
                profile=resolve_profile(slug), dev_hosts=True
            ).province
        connection.set_schema_to_public()
    return onboarded


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "without_services: the test touches neither the database nor the cache (pure Python), "
        "so nothing is cleaned after it",
    )


@pytest.fixture(autouse=True)
def _public_schema_and_clean_cache(request):
    yield
    # A request in English leaves English active in this thread: the next test starts afresh.
    translation.deactivate()
    if request.node.get_closest_marker("without_services"):
        return
    connection.set_schema_to_public()
    _clear_test_cache()
    if "tenant_db" in request.fixturenames:
        with request.getfixturevalue("django_db_blocker").unblock():
            _warm_profile_store()


@pytest.fixture
def tenant_db(db, provinces):
    """The database with the seed provinces onboarded; each test's writes are rolled back."""
    return provinces


def host_client(host: str, **kwargs) -> Client:
    return Client(HTTP_HOST=host, **kwargs)


@pytest.fixture
def no_worker():
    """Tasks go to the broker (the test Redis) instead of running at once (the tests' default is
    eager): as when every worker is busy. The queue is emptied afterwards."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = previous
        app.control.purge()


@pytest.fixture
def in_province(tenant_db):
    """Context manager: run a block inside a seed province's schema."""

    def enter(slug: str):
        return schema_context(tenant_db[slug].schema_name)

    return enter


@pytest.fixture
def province_schema(tenant_db):
    """Enter a seed province's schema for the whole test: `province_schema("hue")`."""
    entered = []

    def enter(slug: str):
        context = schema_context(tenant_db[slug].schema_name)
        context.__enter__()
        entered.append(context)
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        return site, Staff(site.agency)

    yield enter
    for context in reversed(entered):
        context.__exit__(None, None, None)


class FailingMailBackend:
    """A mail server that is down (EMAIL_BACKEND for robustness tests)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


class RefusingOneRecipientMailBackend:
    """A mail server that refuses one address (`REFUSED`) and delivers every other mail to the
    test outbox (EMAIL_BACKEND for tests where one recipient's mail fails)."""

    REFUSED = "refused@example.gov.vn"

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        from smtplib import SMTPRecipientsRefused

        from django.core import mail

        for message in messages:
            if self.REFUSED in message.recipients():
                raise SMTPRecipientsRefused({self.REFUSED: (550, b"mailbox unavailable")})
            mail.outbox.append(message)
        return len(messages)
