"""Where a province's files are stored (ADR 0025): STORAGES["default"], one area per schema.

On disk (the default) django-tenants' TenantFileSystemStorage keeps them under
MEDIA_ROOT/<schema>/; in production `TenantS3Storage` keeps them in an S3-compatible bucket
under `<MEDIA_S3_PREFIX>/<schema>/`. Either way the area is chosen by the schema the request
(or task) runs in, and a name can never climb out of it: a file of one province is not
reachable from another's schema, whatever path a view is given.

Files are never linked: `url()` refuses, and the views that check publication and province
stream them (frontend/downloads.py). Backups and restores read and write a schema's area
through `media_storage_for(schema)` and the helpers below, for both backends."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.core.files.storage import FileSystemStorage, Storage
from django.db import connection
from django.utils.module_loading import import_string
from django_tenants.files.storage import TenantFileSystemStorage
from storages.backends.s3 import S3Storage  # type: ignore[import-untyped]

# PostgreSQL's identifiers as the platform names schemas (tenants.models.schema_name_for,
# backups' kept and staging copies): nothing that could be read as a path.
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _checked(schema: str | None) -> str:
    if not schema or not SCHEMA_NAME.match(schema):
        raise SuspiciousOperation(f"no media area for schema {schema!r}")
    return schema


class TenantS3Storage(S3Storage):
    """django-storages' S3 backend with every key under `<location>/<schema>/`: `schema`
    when given (backups, restores), else the schema of the current connection, read at each
    call as TenantFileSystemStorage does. Objects are private; no URL is ever made."""

    schema: str | None = None
    _base_location = ""

    def get_default_settings(self) -> dict:
        return {**super().get_default_settings(), "schema": None}

    @property  # type: ignore[override]
    def location(self) -> str:
        schema = _checked(self.schema or getattr(connection, "schema_name", None))
        return f"{self._base_location}/{schema}" if self._base_location else schema

    @location.setter
    def location(self, value: str) -> None:
        self._base_location = (value or "").strip("/")

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise NotImplementedError(
            "province files are served only by the views that check publication and province"
        )

    def walk(self) -> Iterator[str]:
        """Every name in this area (one listing of the prefix, not one per folder)."""
        root = self.location + "/"
        for entry in self.bucket.objects.filter(Prefix=root):
            name = entry.key[len(root) :]
            if name and not name.endswith("/"):
                yield name

    def clear(self) -> None:
        """Delete every object of this area (batched by the listing's pages)."""
        self.bucket.objects.filter(Prefix=self.location + "/").delete()

    def copy_into(self, name: str, target: TenantS3Storage) -> None:
        """A server-side copy of `name` into `target`'s area under the same name."""
        source = {"Bucket": self.bucket_name, "Key": self._normalize_name(name)}
        target.bucket.copy(source, target._normalize_name(name))


def media_root_of(schema: str) -> Path:
    """MEDIA_ROOT/<schema>: where TenantFileSystemStorage keeps a province's files."""
    relative = getattr(settings, "MULTITENANT_RELATIVE_MEDIA_ROOT", "%s") or "%s"
    relative = relative.replace("%s", schema) if "%s" in relative else f"{relative}/{schema}"
    return Path(settings.MEDIA_ROOT) / relative


def media_storage_for(schema: str) -> Storage:
    """A storage of the default's kind bound to `schema`'s area, whatever schema the
    connection is in: backups read a province's files with it, restores write a copy's."""
    _checked(schema)
    entry = settings.STORAGES["default"]
    backend = import_string(entry["BACKEND"])
    options = dict(entry.get("OPTIONS", {}))
    if issubclass(backend, TenantS3Storage):
        return backend(**{**options, "schema": schema})
    if issubclass(backend, TenantFileSystemStorage):
        return FileSystemStorage(
            location=media_root_of(schema),
            **{k: v for k, v in options.items() if k.endswith("permissions_mode")},
        )
    raise ImproperlyConfigured(
        f"STORAGES['default'] ({entry['BACKEND']}) keeps no area per schema: use "
        "TenantFileSystemStorage or config.storage.TenantS3Storage"
    )


def stored_names(storage: Storage) -> list[str]:
    """Every file's name in `storage`, sorted. On disk, links are neither followed nor listed
    (an area holds uploads, never links)."""
    if isinstance(storage, TenantS3Storage):
        return sorted(storage.walk())
    found: list[str] = []
    local = isinstance(storage, FileSystemStorage)

    def visit(folder: str) -> None:
        try:
            directories, files = storage.listdir(folder)
        except FileNotFoundError:
            return
        for name in files:
            path = posixpath.join(folder, name) if folder else name
            if local and os.path.islink(storage.path(path)):
                continue
            found.append(path)
        for name in directories:
            path = posixpath.join(folder, name) if folder else name
            if local and os.path.islink(storage.path(path)):
                continue
            visit(path)

    visit("")
    return sorted(found)


def describe(storage: Storage) -> str:
    """Where the area is, for an operator: s3://bucket/prefix/schema/ or the folder."""
    if isinstance(storage, S3Storage):
        return f"s3://{storage.bucket_name}/{storage.location}/"
    if isinstance(storage, FileSystemStorage):
        return str(storage.location)
    return repr(storage)


def has_files(storage: Storage) -> bool:
    """Whether the area holds anything (a name a restore may not take)."""
    if isinstance(storage, TenantS3Storage):
        return next(iter(storage.walk()), None) is not None
    if isinstance(storage, FileSystemStorage):
        return os.path.lexists(storage.location)
    return bool(stored_names(storage))


def clear(storage: Storage) -> None:
    """Delete the whole area (a restore's leftovers, a kept copy being dropped)."""
    if isinstance(storage, TenantS3Storage):
        storage.clear()
    elif isinstance(storage, FileSystemStorage):
        shutil.rmtree(storage.location, ignore_errors=True)
    else:
        for name in stored_names(storage):
            storage.delete(name)


def move(source: Storage, target: Storage) -> None:
    """Every file of `source`'s area into `target`'s (empty) area under the same names, and
    `source` left empty: a folder rename on disk, server-side copies then deletes in S3."""
    if isinstance(source, FileSystemStorage) and isinstance(target, FileSystemStorage):
        if os.path.lexists(source.location):
            Path(target.location).parent.mkdir(parents=True, exist_ok=True)
            os.rename(source.location, target.location)
        return
    names = stored_names(source)
    for name in names:
        if isinstance(source, TenantS3Storage) and isinstance(target, TenantS3Storage):
            source.copy_into(name, target)
        else:
            with source.open(name, "rb") as handle:
                saved = target.save(name, handle)
            if saved != name:
                raise SuspiciousOperation(f"{name!r} was stored as {saved!r}")
    clear(source)


@dataclass
class Copied:
    copied: int = 0
    present: int = 0
    bytes: int = 0


def copy_area(source: Storage, target: Storage, *, dry_run: bool = False) -> Copied:
    """Every file of `source`'s area into `target`'s under the same name (media_copy: disk →
    bucket). A file already there with the same size is left alone, so a copy interrupted
    half-way is resumed by running it again; each copied file's size is checked."""
    result = Copied()
    for name in stored_names(source):
        size = source.size(name)
        if target.exists(name) and target.size(name) == size:
            result.present += 1
            continue
        if not dry_run:
            if target.exists(name):
                target.delete(name)
            with source.open(name, "rb") as handle:
                saved = target.save(name, handle)
            if saved != name or target.size(name) != size:
                raise SuspiciousOperation(f"{name!r} was not stored whole under its name")
        result.copied += 1
        result.bytes += size
    return result
