"""Isolation: a backup of province A holds none of province B's rows or files, and restoring
A in place leaves B and the seed provinces byte-identical."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from backups import binaries
from backups.archive import DUMP, extract
from backups.services import backup_create, backup_restore, kept_schema_drop
from backups.storage import backup_storage
from tests.backups.conftest import (
    Filled,
    fill_province,
    media_files,
    schema_fingerprint,
    throwaway_province,
)
from tests.conftest import SEED_SLUGS


@pytest.fixture(scope="module")
def province_b(provinces, backup_places, django_db_blocker) -> Iterator[Filled]:
    slug = f"bk{secrets.token_hex(3)}"
    marker = f"CHI-B-{secrets.token_hex(4).upper()}"
    with django_db_blocker.unblock(), throwaway_province(slug) as province:
        content = fill_province(province, marker=marker)
        connection.set_schema_to_public()
        yield Filled(province=province, marker=marker, content=content)


def _dump_as_sql(dump: Path) -> str:
    tools = binaries.find_tools()
    return binaries.run([tools.path("pg_restore"), "--file=-", str(dump)])


def test_the_archive_of_a_holds_no_row_or_file_of_b(tenant_db, province_a, province_b, tmp_path):
    # given two provinces, each with a marker only it holds
    # when A is backed up
    backup = backup_create(province=province_a.province)
    # then A's dump and files hold A's marker and never B's
    extracted = extract(Path(backup_storage().path(backup.storage_key)), tmp_path)
    text = _dump_as_sql(extracted.dump_path)
    assert province_a.marker in text
    assert province_b.marker not in text
    assert province_b.province.schema_name not in text
    files = b"".join(p.read_bytes() for p in extracted.files_dir.rglob("*") if p.is_file())
    assert province_a.marker.encode() in files
    assert province_b.marker.encode() not in files
    # and the raw archive does not hold B's marker either
    raw = Path(backup_storage().path(backup.storage_key)).read_bytes()
    assert province_b.marker.encode() not in raw
    assert (tmp_path / DUMP).is_file()


def test_restoring_a_in_place_leaves_b_and_the_seed_provinces_untouched(
    tenant_db, province_a, province_b
):
    # given every other province's rows and files
    others = [province_b.province.schema_name, *(f"p_{slug}" for slug in SEED_SLUGS)]
    before = {schema: schema_fingerprint(schema) for schema in others}
    files_before = {schema: media_files(schema) for schema in others}
    assert all(before.values())
    # when A is backed up and restored in place
    backup = backup_create(province=province_a.province)
    restore = backup_restore(backup=backup, mode="in_place")
    kept_schema_drop(restore=restore)
    # then every other province is byte-identical
    assert {schema: schema_fingerprint(schema) for schema in others} == before
    assert {schema: media_files(schema) for schema in others} == files_before
