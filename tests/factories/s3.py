"""A local S3-compatible server for the tests (moto's server mode, on a free loopback port),
started once per test run by the first test that asks for it and stopped at the end; the
settings' own readers of the environment (config.env: BACKUP_S3_*, MEDIA_S3_*) pointed at it.

- `local_s3()`: its endpoint URL (`s3_server`, the same as a session fixture, for a conftest);
- `s3_client(endpoint)`, `bucket_ready(endpoint, name)`: boto3 against it;
- `s3_environ(kind, endpoint, bucket, **extra)`: a `<KIND>_S3_*` environment for
  config.env.backup_storage_from_env / media_storage_from_env;
- `object_keys(endpoint, bucket, prefix)` / `object_bytes(...)`: what the bucket holds."""

from __future__ import annotations

import atexit
import socket
import threading

import boto3
import pytest

REGION = "us-east-1"
CREDENTIALS = {"access_key": "kiem-thu", "secret_key": "kiem-thu-bi-mat"}

_lock = threading.Lock()
_endpoint: str | None = None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def local_s3() -> str:
    """The endpoint of this test run's S3-compatible server, started on first use (one per
    process, whichever modules import the fixture)."""
    global _endpoint
    with _lock:
        if _endpoint is None:
            from moto.server import ThreadedMotoServer

            port = _free_port()
            server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
            server.start()
            atexit.register(server.stop)
            _endpoint = f"http://127.0.0.1:{port}"
        return _endpoint


@pytest.fixture(scope="session")
def s3_server() -> str:
    """A local S3-compatible server (moto); its endpoint URL."""
    return local_s3()


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
    )


def bucket_ready(endpoint: str, name: str) -> str:
    """The bucket `name`, created when missing."""
    client = s3_client(endpoint)
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if name not in existing:
        client.create_bucket(Bucket=name)
    return name


def s3_environ(kind: str, endpoint: str, bucket: str, **extra: str) -> dict[str, str]:
    """{"<KIND>_S3_BUCKET": …, endpoint, region, key pair} plus `extra` (e.g. PREFIX)."""
    return {
        f"{kind}_S3_BUCKET": bucket,
        f"{kind}_S3_ENDPOINT_URL": endpoint,
        f"{kind}_S3_REGION": REGION,
        f"{kind}_S3_ACCESS_KEY_ID": CREDENTIALS["access_key"],
        f"{kind}_S3_SECRET_ACCESS_KEY": CREDENTIALS["secret_key"],
        **{f"{kind}_S3_{key.upper()}": value for key, value in extra.items()},
    }


def object_keys(endpoint: str, bucket: str, prefix: str) -> list[str]:
    paginator = s3_client(endpoint).get_paginator("list_objects_v2")
    return sorted(
        entry["Key"]
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix)
        for entry in page.get("Contents", ())
    )


def object_bytes(endpoint: str, bucket: str, key: str) -> bytes:
    return s3_client(endpoint).get_object(Bucket=bucket, Key=key)["Body"].read()
