"""Backups of a province whose files are in S3-compatible object storage (ADR 0020, 0025):
the archive's files/ are read from the province's prefix, the manifest's sizes and sha256
are those of the objects, and restores write them back through the storage: into a new
schema's prefix, or in place (the replaced files kept under the kept schema's prefix)."""

from __future__ import annotations

import hashlib
import secrets
import tarfile
from collections.abc import Iterator

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from psycopg import sql

from backups.models import Backup, Restore, Verification
from backups.services import backup_create, backup_restore, backup_verify, kept_schema_drop
from config.storage import media_root_of, media_storage_for
from tests.backups.conftest import (
    Filled,
    Places,
    fill_province,
    media_files,
    places_under,
    run_sql,
    throwaway_province,
)
from tests.storage.conftest import MediaBucket, media_in_s3


@pytest.fixture(scope="module")
def backup_places(tmp_path_factory) -> Iterator[Places]:
    with places_under(tmp_path_factory.mktemp("backups")) as places:
        yield places


@pytest.fixture(scope="module")
def media_bucket(backup_places) -> Iterator[MediaBucket]:
    # inside backup_places: archives in a temporary folder, the province's files in the bucket
    with media_in_s3() as place:
        yield place


@pytest.fixture(scope="module")
def province_a(provinces, media_bucket, django_db_blocker) -> Iterator[Filled]:
    """A throw-away province filled while the media storage is the bucket."""
    slug = f"bk{secrets.token_hex(3)}"
    marker = f"DAU-{secrets.token_hex(4).upper()}"
    with django_db_blocker.unblock(), throwaway_province(slug) as province:
        content = fill_province(province, marker=marker)
        connection.set_schema_to_public()
        yield Filled(province=province, marker=marker, content=content)


def test_a_province_with_files_in_object_storage_is_backed_up_and_restored(
    tenant_db, province_a, media_bucket: MediaBucket, backup_places
):
    # given a province whose uploads are objects under its prefix (none on disk)
    schema = province_a.province.schema_name
    files_before = media_files(schema)
    assert province_a.content["file"] in files_before
    assert any(name.endswith(".pdf") for name in files_before)  # the procedure's form
    assert media_bucket.keys(f"{schema}/") == [
        media_bucket.key(schema, name) for name in sorted(files_before)
    ]
    assert not media_root_of(schema).exists()
    # when it is backed up
    backup = backup_create(province=province_a.province)
    assert backup.status == Backup.Status.SUCCEEDED
    # then the archive holds every object's bytes, and the manifest their sizes and sha256
    with tarfile.open(backup_places.archives / backup.storage_key) as tar:
        archived = {
            info.name.removeprefix("files/"): tar.extractfile(info).read()  # type: ignore[union-attr]
            for info in tar.getmembers()
            if info.name.startswith("files/")
        }
    assert archived == files_before
    assert backup.manifest["files"] == {
        name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in files_before.items()
    }
    # and a verification proves it
    assert backup_verify(backup=backup).status == Verification.Status.PASSED

    # when it is restored into a new schema
    target = f"{schema}_s3m"
    try:
        restore = backup_restore(backup=backup, mode="into", target_schema=target)
        # then the copy's files are objects under the copy's prefix, byte-identical
        assert restore.status == Restore.Status.SUCCEEDED
        assert restore.report["files_folder"].endswith(f"/{media_bucket.prefix}/{target}/")
        assert media_files(target) == files_before
        assert media_bucket.keys(f"{target}/") == [
            media_bucket.key(target, name) for name in sorted(files_before)
        ]
        # and dropping the copy deletes its objects, and only those
        kept_schema_drop(restore=restore)
        assert media_bucket.keys(f"{target}/") == []
        assert media_files(schema) == files_before
    finally:
        run_sql(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(target)))

    # when files are deleted, changed and added in the bucket, then restored in place
    live = media_storage_for(schema)
    live.delete(province_a.content["file"])
    pdf = next(name for name in files_before if name.endswith(".pdf"))
    live.delete(pdf)
    live.save(pdf, ContentFile(b"%PDF-1.4 hong"))
    live.save("uploads/moi.txt", ContentFile(b"sau sao luu"))
    restore = backup_restore(backup=backup, mode="in_place")
    # then the live prefix holds exactly the backed-up files again
    assert restore.status == Restore.Status.SUCCEEDED
    assert media_files(schema) == files_before
    assert restore.report["files_added"] == [province_a.content["file"]]
    assert restore.report["files_removed"] == ["uploads/moi.txt"]
    assert restore.report["files_changed"] == [pdf]
    # and the replaced files are kept under the kept schema's prefix until it is dropped
    kept = restore.kept_schema
    assert media_files(kept)["uploads/moi.txt"] == b"sau sao luu"
    assert media_files(kept)[pdf] == b"%PDF-1.4 hong"
    kept_schema_drop(restore=restore)
    assert media_bucket.keys(f"{kept}/") == []
    assert media_files(schema) == files_before
