"""Archives in S3-compatible object storage (django-storages' S3 backend) against a local
S3-compatible server started for the session (moto's server mode): a backup is written
there, listed, verified, restored and pruned."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings
from psycopg import sql

from backups import selectors
from backups.models import Backup, Restore, Verification
from backups.services import backup_create, backup_prune, backup_restore, backup_verify
from config.env import backup_storage_from_env
from tests.backups.conftest import media_files, run_sql, schema_rows
from tests.factories.s3 import bucket_ready, local_s3, s3_client, s3_environ

BUCKET = "portal-backups"


@pytest.fixture
def s3_backups(backup_places):
    # The settings' own reading of the environment (BACKUP_S3_*), pointed at the local server.
    s3_server = local_s3()
    environ = s3_environ(
        "BACKUP", s3_server, bucket_ready(s3_server, BUCKET), server_side_encryption="AES256"
    )
    stores = {**settings.STORAGES, "backups": backup_storage_from_env("unused", environ)}
    with override_settings(STORAGES=stores):
        yield s3_client(s3_server)


def test_a_backup_in_object_storage_is_listed_verified_restored_and_pruned(
    tenant_db, province_a, s3_backups, backup_places
):
    # given archives kept in S3-compatible object storage
    province = province_a.province
    # when the province is backed up
    backup = backup_create(province=province)
    # then the archive is an object under the prefix, of the recorded size
    key = f"backups/{backup.storage_key}"
    head = s3_backups.head_object(Bucket=BUCKET, Key=key)
    assert head["ContentLength"] == backup.size_bytes
    assert head["ServerSideEncryption"] == "AES256"  # encrypted at rest, as configured
    assert not list(backup_places.archives.rglob("*.tar"))  # nothing written locally
    # and it is listed
    assert selectors.backup_list(province_slug=province.slug)[0] == backup
    # and it is proven by a restore
    assert backup_verify(backup=backup).status == Verification.Status.PASSED
    # and it restores into a new schema with the same rows and files
    target = f"{province.schema_name}_s3"
    try:
        restore = backup_restore(backup=backup, mode="into", target_schema=target)
        assert restore.status == Restore.Status.SUCCEEDED
        assert schema_rows(target) == schema_rows(province.schema_name)
        assert media_files(target) == media_files(province.schema_name)
    finally:
        run_sql(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(target)))
    # and pruning deletes the object
    backup_prune(backup=backup, reason="chính sách lưu giữ")
    listed = s3_backups.list_objects_v2(Bucket=BUCKET, Prefix=key)
    assert listed.get("KeyCount", 0) == 0
    assert Backup.objects.get(pk=backup.pk).status == Backup.Status.PRUNED
