"""One province's backup as one tar archive (ADR 0020):

    schema.dump     pg_dump --format=custom of the province's schema only
    files/<path>    every file of the province's media area (config.storage: MEDIA_ROOT/<schema>
                    on disk, <prefix>/<schema>/ in object storage), by its name there
    manifest.json   what was written: province, profile version, migrations, every table's row
                    count and checksum, every file's size and sha256 (the last member: it
                    describes the members before it)

The dump and the checksums come from the same snapshot (one REPEATABLE READ transaction whose
snapshot pg_dump imports), so the manifest describes exactly the rows in the dump. Everything
is streamed through fixed-size buffers: a province with a gigabyte of files never sits in
memory. Reading refuses members that could write outside their target (absolute paths, "..",
links, devices) and names it does not expect."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO

import psycopg
from django.core.files.storage import FileSystemStorage, Storage
from django.utils.translation import gettext_lazy as _
from psycopg import sql

from backups import binaries
from backups.binaries import BackupError
from config.storage import stored_names

FORMAT_VERSION = 1
CHUNK = 1024 * 1024
MANIFEST = "manifest.json"
DUMP = "schema.dump"
FILES = "files"
MAX_MEMBER_NAME = 1024
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
# What core migration 0002 puts in the public schema, shared by every province's schema:
# generated columns and indexes of the dump use them, so a database restored into needs them.
REQUIRED_EXTENSIONS = ("unaccent", "pg_trgm")
REQUIRED_FUNCTIONS = ("public.portal_fold(text)",)

Progress = Callable[[str, int, int], None]

# Text forms of values fixed for checksums: the same row reads the same in any session.
_STABLE_SESSION = (
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 1",
    "SET LOCAL bytea_output = 'hex'",
)


def _noop(stage: str, done: int, total: int) -> None:
    return None


# --- checksums of a schema ------------------------------------------------------------------


def tables_of(conn: psycopg.Connection, schema: str) -> list[str]:
    rows = conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
        "ORDER BY c.relname",
        [schema],
    ).fetchall()
    return [r[0] for r in rows]


def table_checksums(
    conn: psycopg.Connection, schema: str, progress: Progress = _noop
) -> dict[str, dict[str, Any]]:
    """{table: {rows, checksum}} of `schema`, in the connection's current transaction (the
    caller opens it). The checksum is order-independent: the sum, as numeric, of the first 64
    bits of each row's md5 over its text form."""
    for statement in _STABLE_SESSION:
        conn.execute(statement)
    tables = tables_of(conn, schema)
    result: dict[str, dict[str, Any]] = {}
    for index, table in enumerate(tables):
        query = sql.SQL(
            "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)"
            "::bigint::numeric), 0)::text FROM {}.{} AS t"
        ).format(sql.Identifier(schema), sql.Identifier(table))
        row = conn.execute(query).fetchone()
        assert row is not None
        result[table] = {"rows": int(row[0]), "checksum": row[1]}
        progress("tables", index + 1, len(tables))
    return result


def schema_checksums(schema: str, *, dbname: str | None = None) -> dict[str, dict[str, Any]]:
    """The checksums of `schema` now, in one snapshot of its own."""
    with binaries.connect(dbname, autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            return table_checksums(conn, schema)
        finally:
            conn.rollback()


def migrations_of(conn: psycopg.Connection, schema: str) -> dict[str, list[str]]:
    query = sql.SQL("SELECT app, name FROM {}.django_migrations ORDER BY id").format(
        sql.Identifier(schema)
    )
    applied: dict[str, list[str]] = {}
    for app, name in conn.execute(query).fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def public_requirements(conn: psycopg.Connection) -> dict[str, Any]:
    rows = conn.execute(
        "SELECT extname, extversion FROM pg_extension WHERE extname = ANY(%s)",
        [list(REQUIRED_EXTENSIONS)],
    ).fetchall()
    return {"extensions": dict(rows), "functions": list(REQUIRED_FUNCTIONS)}


def public_objects_sql() -> list[str]:
    """The statements that create the extensions and functions of REQUIRED_* (the same ones
    core migration 0002 runs), for a scratch database before a restore."""
    migration = importlib.import_module("core.migrations.0002_fold_function").Migration
    statements: list[str] = []
    for operation in migration.operations:
        statements.extend(str(s) for s in operation.sql)
    return statements


# --- files ----------------------------------------------------------------------------------


def _storage(media: Storage | Path) -> Storage:
    return FileSystemStorage(location=media) if isinstance(media, Path) else media


def walk_files(media: Storage | Path) -> list[str]:
    """The name of every file of a province's area (config.storage: a folder on disk or a
    prefix in object storage), sorted; on disk links are neither followed nor copied (an
    area holds uploads, never links)."""
    return stored_names(_storage(media))


def sha256_stored(storage: Storage, name: str) -> tuple[int, str]:
    """(size, sha256) of a stored file, read through the storage in fixed-size chunks."""
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def files_state(media: Storage | Path) -> dict[str, dict[str, Any]]:
    storage = _storage(media)
    state = {}
    for name in walk_files(storage):
        size, digest = sha256_stored(storage, name)
        state[name] = {"size": size, "sha256": digest}
    return state


# --- writing --------------------------------------------------------------------------------


class _HashingWriter:
    """A write-only file that hashes and counts what passes through it."""

    def __init__(self, target: BinaryIO):
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.target.write(data)

    def flush(self) -> None:
        self.target.flush()


class _HashingReader:
    """Reads a file for tarfile while hashing it."""

    def __init__(self, source: BinaryIO):
        self.source = source
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        return data


@dataclass
class Written:
    path: Path
    size: int
    sha256: str
    manifest: dict[str, Any]


def _member(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def dump_with_manifest(
    *, tools: binaries.Tools, schema: str, dump_path: Path, progress: Progress = _noop
) -> dict[str, Any]:
    """pg_dump of `schema` into `dump_path` and, from the same snapshot, its tables' checksums,
    its migrations and what it needs of the public schema."""
    with binaries.connect(autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = conn.execute(
            "SELECT pg_export_snapshot(), current_setting('server_version')"
        ).fetchone()
        assert row is not None
        snapshot, server_version = row
        progress("dump", 0, 1)
        binaries.run(
            [
                tools.path("pg_dump"),
                "--format=custom",
                f"--schema={schema}",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={dump_path}",
            ]
        )
        progress("dump", 1, 1)
        tables = table_checksums(conn, schema, progress)
        migrations = migrations_of(conn, schema)
        requires = public_requirements(conn)
        conn.rollback()
    return {
        "tables": tables,
        "migrations": migrations,
        "requires": requires,
        "server_version": server_version,
    }


def write_archive(
    *,
    target: Path,
    dump_path: Path,
    media: Storage | Path,
    manifest: dict[str, Any],
    progress: Progress = _noop,
) -> Written:
    """The tar at `target`: schema.dump, files/…, then manifest.json completed with the files'
    sizes and sha256 as they were read into the archive. The files are streamed from the
    province's media area (`media`: its storage, or a folder) one after the other."""
    files: dict[str, dict[str, Any]] = {}
    storage = _storage(media)
    listing = walk_files(storage)
    files_mtime = manifest_mtime(manifest)
    with target.open("wb") as raw:
        out = _HashingWriter(raw)
        with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
            stat = dump_path.stat()
            with dump_path.open("rb") as handle:
                tar.addfile(_member(DUMP, stat.st_size, stat.st_mtime), handle)
            for index, rel in enumerate(listing):
                with storage.open(rel, "rb") as handle:
                    size = handle.size
                    reader = _HashingReader(handle)  # type: ignore[arg-type]
                    tar.addfile(_member(f"{FILES}/{rel}", size, files_mtime), reader)  # type: ignore[arg-type]
                files[rel] = {"size": size, "sha256": reader.digest.hexdigest()}
                progress("files", index + 1, len(listing))
            manifest = {**manifest, "files": files}
            body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            tar.addfile(_member(MANIFEST, len(body), manifest_mtime(manifest)), io.BytesIO(body))
        out.flush()
    return Written(path=target, size=out.size, sha256=out.digest.hexdigest(), manifest=manifest)


def manifest_mtime(manifest: dict[str, Any]) -> float:
    try:
        return datetime.fromisoformat(manifest["created_at"]).timestamp()
    except (KeyError, ValueError):
        return 0.0


# --- reading --------------------------------------------------------------------------------


def _unsafe(name: str, reason: str) -> BackupError:
    return BackupError(
        "archive_unsafe",
        _("Tệp lưu trữ có thành phần không an toàn (%(name)s): %(reason)s.")
        % {"name": name[:200], "reason": reason},
    )


def member_path(info: tarfile.TarInfo) -> PurePosixPath:
    """The member's name, checked: a regular file named manifest.json, schema.dump or files/…,
    relative, without "..", of bounded length; anything else is refused."""
    name = info.name
    if len(name) > MAX_MEMBER_NAME or "\x00" in name or "\\" in name:
        raise _unsafe(name, str(_("tên quá dài hoặc có ký tự không hợp lệ")))
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise _unsafe(name, str(_("đường dẫn ra ngoài thư mục đích")))
    if not info.isreg():
        raise _unsafe(name, str(_("không phải tệp thông thường (liên kết hoặc thiết bị)")))
    if name not in (MANIFEST, DUMP) and (path.parts[0] != FILES or len(path.parts) < 2):
        raise _unsafe(name, str(_("thành phần không có trong định dạng sao lưu")))
    return path


def _copy(source: IO[bytes], target: Path, size: int) -> str:
    digest = hashlib.sha256()
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


@dataclass
class Extracted:
    manifest: dict[str, Any]
    dump_path: Path
    files_dir: Path
    files: dict[str, dict[str, Any]]  # as read: {path: {size, sha256}}


def extract(archive: Path, dest: Path, progress: Progress = _noop) -> Extracted:
    """Unpack `archive` under `dest` (dest/schema.dump, dest/files/…), refusing any unsafe
    member before a byte of it is written."""
    dest = dest.resolve()
    files_dir = dest / FILES
    files_dir.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] | None = None
    found: dict[str, dict[str, Any]] = {}
    dump_path = dest / DUMP
    try:
        tar = tarfile.open(archive, mode="r:")  # noqa: SIM115 - closed below
    except (tarfile.TarError, OSError) as error:
        raise BackupError(
            "archive_unreadable", _("Tệp lưu trữ không đọc được: không phải tệp tar hợp lệ.")
        ) from error
    with tar:
        members = tar.getmembers()
        for index, info in enumerate(members):
            path = member_path(info)
            source = tar.extractfile(info)
            assert source is not None
            if info.name == MANIFEST:
                if info.size > MAX_MANIFEST_BYTES:
                    raise _unsafe(info.name, str(_("bản kê quá lớn")))
                try:
                    manifest = json.loads(source.read())
                except ValueError as error:
                    raise BackupError(
                        "archive_unreadable", _("Bản kê của tệp lưu trữ không đọc được.")
                    ) from error
                continue
            target = dest / DUMP if info.name == DUMP else files_dir.joinpath(*path.parts[1:])
            if not target.resolve().is_relative_to(dest):
                raise _unsafe(info.name, str(_("đường dẫn ra ngoài thư mục đích")))
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = _copy(source, target, info.size)
            if info.name != DUMP:
                found["/".join(path.parts[1:])] = {"size": info.size, "sha256": digest}
            progress("extract", index + 1, len(members))
    if manifest is None or not dump_path.is_file():
        raise BackupError(
            "archive_unreadable", _("Tệp lưu trữ thiếu bản kê hoặc bản kết xuất dữ liệu.")
        )
    return Extracted(manifest=manifest, dump_path=dump_path, files_dir=files_dir, files=found)
