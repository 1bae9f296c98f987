"""Media on S3-compatible object storage: the settings' own reader (config.env:
media_storage_from_env, MEDIA_S3_*) pointed at the test run's local S3 server (moto, started
once: tests/factories/s3.py), each use under a prefix of its own. The rest of the suite keeps
the filesystem backend."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import override_settings

from config.env import media_storage_from_env
from tests.factories.s3 import bucket_ready, local_s3, object_bytes, object_keys, s3_environ

BUCKET = "portal-media"


@dataclass
class MediaBucket:
    endpoint: str
    bucket: str
    prefix: str

    def key(self, schema: str, name: str) -> str:
        return f"{self.prefix}/{schema}/{name}"

    def keys(self, schema: str = "") -> list[str]:
        """Every key under the prefix (of one schema's area when given)."""
        return object_keys(self.endpoint, self.bucket, f"{self.prefix}/{schema}")

    def read(self, key: str) -> bytes:
        return object_bytes(self.endpoint, self.bucket, key)


@contextmanager
def media_in_s3() -> Iterator[MediaBucket]:
    """STORAGES["default"] as production builds it from MEDIA_S3_*, for the block."""
    endpoint = local_s3()
    place = MediaBucket(endpoint, bucket_ready(endpoint, BUCKET), f"m{secrets.token_hex(4)}")
    environ = s3_environ("MEDIA", endpoint, BUCKET, prefix=place.prefix)
    stores = {**settings.STORAGES, "default": media_storage_from_env(environ)}
    with override_settings(STORAGES=stores):
        yield place


@pytest.fixture
def s3_media() -> Iterator[MediaBucket]:
    with media_in_s3() as place:
        yield place
