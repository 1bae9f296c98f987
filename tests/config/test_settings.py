"""Settings come from the environment; error reporting is on only with a DSN."""

import pytest

from config.env import ImproperlyConfiguredEnv, database_from_url
from config.sentry import init_sentry


def test_sentry_stays_off_without_a_dsn(monkeypatch):
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    assert init_sentry() is False


def test_database_url_is_parsed_for_django_tenants():
    db = database_from_url("postgres://portal:s%40cret@db.internal:6432/portal?sslmode=require")
    assert db["ENGINE"] == "django_tenants.postgresql_backend"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "portal",
        "s@cret",
        "db.internal",
        "6432",
        "portal",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_a_non_postgres_database_url_is_refused():
    with pytest.raises(ImproperlyConfiguredEnv, match="postgres"):
        database_from_url("sqlite:///db.sqlite3")


def test_celery_app_is_tenant_aware():
    from tenant_schemas_celery.app import CeleryApp

    from config import celery_app

    assert isinstance(celery_app, CeleryApp)
    assert celery_app.conf.broker_url.startswith("redis://")
