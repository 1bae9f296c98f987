"""Archives in S3-compatible object storage (django-storages' S3 backend) against a local
S3-compatible server started for the session (moto's server mode): a backup is written
there, listed, verified, restored and pruned."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import boto3
import pytest
from django.conf import settings
from django.test import override_settings
from psycopg import sql

from backups import selectors
from backups.models import Backup, Restore, Verification
from backups.services import backup_create, backup_prune, backup_restore, backup_verify
from config.env import backup_storage_from_env
from tests.backups.conftest import media_files, run_sql, schema_rows

BUCKET = "portal-backups"
REGION = "us-east-1"
CREDENTIALS = {"access_key": "kiem-thu", "secret_key": "kiem-thu-bi-mat"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A local S3-compatible server (moto) with an empty bucket; its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def s3_backups(s3_server, backup_places):
    # The settings' own reading of the environment (BACKUP_S3_*), pointed at the local server.
    environ = {
        "BACKUP_S3_BUCKET": BUCKET,
        "BACKUP_S3_ENDPOINT_URL": s3_server,
        "BACKUP_S3_REGION": REGION,
        "BACKUP_S3_ACCESS_KEY_ID": CREDENTIALS["access_key"],
        "BACKUP_S3_SECRET_ACCESS_KEY": CREDENTIALS["secret_key"],
        "BACKUP_S3_SERVER_SIDE_ENCRYPTION": "AES256",
    }
    stores = {**settings.STORAGES, "backups": backup_storage_from_env("unused", environ)}
    with override_settings(STORAGES=stores):
        yield boto3.client(
            "s3",
            endpoint_url=s3_server,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["access_key"],
            aws_secret_access_key=CREDENTIALS["secret_key"],
        )


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
