"""Where archives are kept: the storage alias "backups" (settings.STORAGES), a local directory
by default or S3-compatible object storage (django-storages), away from the database host.

Archives are written from and read into local temporary files in fixed-size chunks, with the
sha256 computed on the way: the storage only ever streams."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage, storages

ALIAS = "backups"
CHUNK = 1024 * 1024


def backup_storage() -> Storage:
    return storages[ALIAS]


def archive_key(*, slug: str, created_at: datetime, pk: int) -> str:
    """`<slug>/<slug>-<UTC yyyymmddTHHMMSSZ>-<id>.tar`: sorted by time within a province."""
    stamp = created_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{slug}/{slug}-{stamp}-{pk}.tar"


def archive_save(*, key: str, source: Path) -> str:
    """Store the local file `source` under `key`; the name actually given (a storage never
    overwrites an archive: it would pick another name)."""
    with source.open("rb") as handle:
        return backup_storage().save(key, File(handle, name=source.name))


def archive_download(*, key: str, target: Path) -> tuple[int, str]:
    """Copy the stored archive into the local file `target`: (size, sha256) of what was read."""
    digest = hashlib.sha256()
    size = 0
    with backup_storage().open(key, "rb") as source, target.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def archive_exists(key: str) -> bool:
    return bool(key) and backup_storage().exists(key)


def archive_size(key: str) -> int:
    return backup_storage().size(key)


def archive_delete(key: str) -> None:
    storage = backup_storage()
    if key and storage.exists(key):
        storage.delete(key)
