"""Fixtures for backups: pg_dump and pg_restore read what is COMMITTED, so the data they copy
cannot live in a test's transaction. Each test module that needs one gets a throw-away
province of its own (onboarded from a seed profile under a test-only slug, filled through the
modules' services, committed, and dropped with every schema and folder derived from it at
the module's end), and its MEDIA_ROOT and the local backups storage under a temporary folder.

Generic pieces, for any backups test:
- `backup_places` (module): MEDIA_ROOT and STORAGES["backups"] under a temporary folder;
- `throwaway_province(slug, base=…)` (context manager) and `fill_province(province, marker=…)`;
- `schema_rows(schema)` / `schema_fingerprint(schema)`, `media_files(schema)`: a schema's
  full table contents and its files, read on a connection of their own (outside the test's
  transaction, which must never lock a province's tables the engine renames or drops);
- `province_a` (module): a filled throw-away province for the module, with its marker."""

from __future__ import annotations

import hashlib
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import override_settings
from django_tenants.utils import tenant_context
from psycopg import sql

from backups import binaries
from config.storage import clear, media_storage_for, stored_names
from organization.models import ComponentSite
from provinces.loader import resolve_profile
from tenants.models import Domain, Province
from tenants.services import province_onboard
from tests.factories.organization import Staff

# The seed profile a throw-away province follows: its rules are looked up by this slug.
BASE_SLUG = "thainguyen"


@dataclass
class Places:
    root: Path
    media: Path
    archives: Path


@contextmanager
def places_under(root: Path) -> Iterator[Places]:
    """MEDIA_ROOT and the local backups storage under `root` while the block runs."""
    places = Places(root=root, media=root / "media", archives=root / "archives")
    places.media.mkdir(parents=True, exist_ok=True)
    stores = {
        **settings.STORAGES,
        "backups": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(places.archives)},
        },
    }
    with override_settings(MEDIA_ROOT=str(places.media), STORAGES=stores):
        yield places


@pytest.fixture(scope="module")
def backup_places(tmp_path_factory) -> Iterator[Places]:
    with places_under(tmp_path_factory.mktemp("backups")) as places:
        yield places


def _profile_for(slug: str, base: str):
    profile = resolve_profile(base)
    return profile.model_copy(
        update={
            "province": profile.province.model_copy(
                update={"slug": slug, "name": f"Tỉnh thử {slug}"}
            ),
            "domains": profile.domains.model_copy(
                update={
                    "portal": f"{slug}.gov.vn",
                    "aliases": [],
                    "component_host_pattern": "{label}." + f"{slug}.gov.vn",
                    "alternate_host_patterns": [],
                }
            ),
        }
    )


def run_sql(statement, params=None, *, dbname: str | None = None):
    with binaries.connect(dbname) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def schemas_like(prefix: str) -> list[str]:
    rows = run_sql("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)", [prefix])
    return [r[0] for r in rows or []]


def _drop_everything_of(slug: str, schema: str) -> None:
    for name in schemas_like(schema):  # the live schema, kept and staging copies
        clear(media_storage_for(name))  # their files, wherever the media storage keeps them
        run_sql(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))
    Domain.objects.filter(tenant__slug=slug).delete()
    Province.objects.filter(slug=slug).delete()
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        for folder in media.glob(f"{schema}*"):
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def throwaway_province(slug: str, *, base: str = BASE_SLUG) -> Iterator[Province]:
    """A province onboarded now (cloned from the template) with `base`'s profile under the
    test-only `slug`; everything named after its schema is dropped afterwards. Call it with
    the database unblocked and outside any transaction."""
    province = province_onboard(
        profile=_profile_for(slug, base), dev_hosts=False, shipped_only=False
    ).province
    try:
        yield province
    finally:
        connection.set_schema_to_public()
        _drop_everything_of(slug, province.schema_name)


@contextmanager
def inside(province: Province, *, base: str = BASE_SLUG):
    """Enter the throw-away province's schema as the province whose rules it follows (the
    modules look their profile up by the tenant's slug)."""
    with tenant_context(Province(schema_name=province.schema_name, slug=base)):
        yield


def fill_province(province: Province, *, marker: str) -> dict:
    """Content of every kind the platform keeps, committed through the modules' services: a
    published news item, a draft, a published procedure with a form file, a citizen's question
    answered, and an uploaded file; `marker` is in a title, a question and a file's bytes."""
    from editorial.services import item_create
    from qa.services import topic_ensure
    from tests.factories.catalog import procedure_published
    from tests.factories.editorial import item_author, published
    from tests.factories.qa import answered, submitted

    with inside(province):
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        assert site is not None
        staff = Staff(site.agency)
        news = published(staff, site=site, title=f"Tin tức {marker}")
        draft = item_create(
            actor=item_author(staff), site=site, kind="news", title=f"Bản thảo {marker}"
        )
        procedure = procedure_published(
            staff, code=f"TT-{secrets.token_hex(3)}", title="Cấp giấy phép xây dựng",
            forms={"to-khai.pdf": "Mẫu 01"},
        )  # fmt: skip
        topic = topic_ensure(name="Đất đai", agency=site.agency)
        question = submitted(topic, title=f"Hỏi {marker}", text=f"Xin hỏi về {marker}?")
        answered(question, by=staff.holding("agency_head"))
        stored = default_storage.save(
            "uploads/bien-ban.txt", ContentFile(f"Biên bản họp {marker}\n".encode())
        )
    return {"news": news, "draft": draft, "procedure": procedure, "question": question,
            "file": stored}  # fmt: skip


def schema_rows(schema: str, *, dbname: str | None = None) -> dict[str, list[str]]:
    """Every table of `schema` with every row's full text form, sorted: two equal results
    mean byte-identical contents."""
    with binaries.connect(dbname) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute("SET extra_float_digits = 1")
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY 1",
                [schema],
            ).fetchall()
        ]
        return {
            table: sorted(
                r[0]
                for r in conn.execute(
                    sql.SQL("SELECT t::text FROM {}.{} AS t").format(
                        sql.Identifier(schema), sql.Identifier(table)
                    )
                ).fetchall()
            )
            for table in tables
        }


def schema_fingerprint(schema: str) -> dict[str, str]:
    """{table: sha256 of its sorted rows}: compact enough to compare many schemas."""
    return {
        table: hashlib.sha256("\n".join(rows).encode()).hexdigest()
        for table, rows in schema_rows(schema).items()
    }


def media_files(schema: str) -> dict[str, bytes]:
    """{name: bytes} of `schema`'s media area, read through the storage in use (a folder on
    disk, or a prefix in object storage)."""
    storage = media_storage_for(schema)
    files = {}
    for name in stored_names(storage):
        with storage.open(name, "rb") as handle:
            files[name] = handle.read()
    return files


@dataclass
class Filled:
    province: Province
    marker: str
    content: dict = field(repr=False)


@pytest.fixture(scope="module")
def province_a(provinces, backup_places, django_db_blocker) -> Iterator[Filled]:
    """A throw-away province for this module, filled and committed (one per module)."""
    slug = f"bk{secrets.token_hex(3)}"
    marker = f"DAU-{secrets.token_hex(4).upper()}"
    with django_db_blocker.unblock(), throwaway_province(slug) as province:
        content = fill_province(province, marker=marker)
        connection.set_schema_to_public()
        yield Filled(province=province, marker=marker, content=content)
