"""Backups of one province, their verification and restores (ADR 0020).

Every run of a province (backup, verification, restore, dropping a kept schema) holds the
province's advisory lock on a connection of its own for its whole length, and a backup also
holds the "one running per province" row: two runs for the same province never overlap, runs
for different provinces never wait for each other. Runs last minutes, so their records are
saved as they go (status, progress) rather than in one transaction: the console shows them
while they run. DDL and the province's rows are read and written on connections of the
engine's own, never inside the caller's transaction. Each action leaves an audit row in the
public schema."""

from __future__ import annotations

import logging
import re
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import Storage
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, schema_context
from psycopg import sql

from accounts.services import audit_record, command_line_name
from backups import archive, binaries, storage
from backups.binaries import BackupError
from backups.models import Backup, Restore, Verification
from config import storage as media
from config.storage import media_storage_for
from core.errors import ErrorKind
from provinces.citations import for_citizens
from provinces.loader import ProfileError, profile_in_force, today_in_vietnam
from tenants.models import Province

__all__ = [
    "BackupError",
    "backup_create",
    "backup_prune",
    "backup_request",
    "backup_restore",
    "backup_verify",
    "busy_error",
    "interrupted_runs_close",
    "kept_schema_drop",
]

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
# pg_try_advisory_lock(int, int): the first key says "backups" (ADR 0020), the second the
# province (hashtext of its slug).
LOCK_CLASS = 20020
_SCHEMA_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_SCHEMA_NAME = 50
MAX_REASON = 500
_RESERVED_SCHEMAS = {"public", "information_schema"}


# --- shared pieces --------------------------------------------------------------------------


def busy_error() -> BackupError:
    """The refusal while a backup or restore of the same province runs (or waits)."""
    return BackupError(
        "busy",
        _("Tỉnh này đang có một lượt sao lưu hoặc phục hồi khác; hãy thử lại khi lượt đó xong."),
        kind=ErrorKind.CONFLICT,
    )


@contextmanager
def province_lock(slug: str) -> Iterator[None]:
    """The province's advisory lock, held on a dedicated connection until the block ends;
    BackupError("busy") when another run of the same province holds it."""
    conn = binaries.connect()
    try:
        row = conn.execute(
            "SELECT pg_try_advisory_lock(%s, hashtext(%s))", [LOCK_CLASS, slug]
        ).fetchone()
        if not (row and row[0]):
            raise busy_error()
        _close_interrupted(slug)
        yield
    finally:
        conn.close()  # a session lock ends with its session


QUEUED_AT_MOST = timedelta(hours=1)
NEVER_STARTED = _(
    "Không có tiến trình nào nhận lượt sao lưu này trong một giờ (hàng đợi mất yêu cầu); "
    "hãy yêu cầu lại."
)
INTERRUPTED = _(
    "Lượt chạy bị gián đoạn (tiến trình dừng giữa chừng, ví dụ máy chủ khởi động lại); "
    "không có gì được ghi lại từ lượt này."
)


def _close_interrupted(slug: str) -> int:
    """Mark as failed the runs of `slug` still recorded as running. Called with the province's
    lock held: a run that still ran would hold it, so these were cut short (a worker killed
    mid-run); left running, a record would block the province's backups for good."""
    now = timezone.now()
    closed = 0
    for model in (Backup, Restore):
        closed += model.objects.filter(province_slug=slug, status=model.Status.RUNNING).update(
            status=model.Status.FAILED, error=str(INTERRUPTED), finished_at=now
        )
    closed += Verification.objects.filter(
        backup__province_slug=slug, status=Verification.Status.RUNNING
    ).update(
        status=Verification.Status.FAILED,
        finished_at=now,
        problems=[{"what": "run", "name": "", "reason": str(INTERRUPTED)}],
    )
    if closed:
        logger.warning("closed %s interrupted backup run(s) of %s", closed, slug)
    return closed


def interrupted_runs_close() -> list[str]:
    """Close the interrupted runs of every province that has a run recorded as running but
    whose lock nobody holds (the dispatch calls it first, so a killed worker does not stop a
    province's schedule). Returns the provinces whose runs were closed."""
    slugs = set(
        Backup.objects.filter(status=Backup.Status.RUNNING).values_list("province_slug", flat=True)
    )
    slugs |= set(
        Restore.objects.filter(status=Restore.Status.RUNNING).values_list(
            "province_slug", flat=True
        )
    )
    slugs |= set(
        Verification.objects.filter(status=Verification.Status.RUNNING).values_list(
            "backup__province_slug", flat=True
        )
    )
    closed = []
    for slug in sorted(slugs):
        try:
            with province_lock(slug):
                pass  # taking the lock closes them
        except BackupError:
            continue  # really running
        closed.append(slug)
    # Asked for but never taken by a worker (the queue lost the message): said so, not left
    # waiting for good.
    lost = Backup.objects.filter(
        status=Backup.Status.QUEUED, created_at__lt=timezone.now() - QUEUED_AT_MOST
    )
    for slug in lost.values_list("province_slug", flat=True).distinct():
        if slug not in closed:
            closed.append(slug)
    lost.update(status=Backup.Status.FAILED, error=str(NEVER_STARTED), finished_at=timezone.now())
    return sorted(closed)


def _actor_name(actor) -> str:
    return actor.get_username() if actor is not None else command_line_name()


def _audit(actor, action: str, target: str, **data: Any) -> None:
    with schema_context(get_public_schema_name()):
        audit_record(actor=actor, action=action, target=target, **data)


def _message(error: BaseException) -> str:
    """For people, never a secret: a service's own message, else only the kind of failure
    (the details go to the log)."""
    if isinstance(error, BackupError):
        return str(error.message)
    logger.exception("backup run failed")
    return _g("Lỗi không mong đợi (%(kind)s); chi tiết trong nhật ký máy chủ.") % {
        "kind": type(error).__name__
    }


class _Reporter:
    """progress(stage, done, total): mirrored into the record (at most twice a second, and at
    every stage's end) and passed on to the caller's callable."""

    def __init__(self, record: Backup | Restore, callback: Progress | None):
        self.record, self.callback = record, callback
        self.last = 0.0
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self.stage or done >= total or now - self.last > 0.5:
            self.record.progress = {"stage": stage, "done": done, "total": total}
            type(self.record).objects.filter(pk=self.record.pk).update(
                progress=self.record.progress
            )
            self.last, self.stage = now, stage
        if self.callback is not None:
            self.callback(stage, done, total)


def _schema_exists(name: str) -> bool:
    with binaries.connect() as conn:
        row = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name]).fetchone()
    return row is not None


def _drop_schema(name: str) -> None:
    with binaries.connect() as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new database on the same server (BACKUP_SCRATCH_DATABASE, default "<db>_scratch",
    plus a random suffix so that two provinces' runs never share one), with what the public
    schema holds for every province (extensions, portal_fold); always dropped afterwards."""
    base = settings.BACKUP_SCRATCH_DATABASE or f"{binaries.database_name()}_scratch"
    name = f"{base[:50]}_{secrets.token_hex(4)}"
    with binaries.connect() as conn:
        row = conn.execute(
            "SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()"
        ).fetchone()
        assert row is not None
        conn.execute(
            sql.SQL(
                "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE {} LC_CTYPE {}"
            ).format(sql.Identifier(name), sql.Literal(row[0]), sql.Literal(row[1]))
        )
    try:
        with binaries.connect(name) as conn:
            for statement in archive.public_objects_sql():
                conn.execute(statement)  # type: ignore[arg-type]
        yield name
    finally:
        with binaries.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _pg_restore(tools: binaries.Tools, dump: Path, *, dbname: str) -> None:
    binaries.run(
        [
            tools.path("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={dbname}",
            str(dump),
        ],
        dbname=dbname,
    )


def _compare_tables(
    expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]]
) -> list[dict[str, str]]:
    problems = []
    for name in sorted(set(expected) | set(actual)):
        want, got = expected.get(name), actual.get(name)
        if got is None:
            reason = _g("bảng có trong bản kê nhưng không có sau khi phục hồi")
        elif want is None:
            reason = _g("bảng không có trong bản kê")
        elif want["rows"] != got["rows"]:
            reason = _g("số dòng khác: bản kê %(want)s, sau khi phục hồi %(got)s") % {
                "want": want["rows"],
                "got": got["rows"],
            }
        elif want["checksum"] != got["checksum"]:
            reason = _g("cùng số dòng nhưng nội dung khác (tổng kiểm tra không khớp)")
        else:
            continue
        problems.append({"what": "table", "name": name, "reason": reason})
    return problems


def _compare_files(
    expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]]
) -> list[dict[str, str]]:
    problems = []
    for name in sorted(set(expected) | set(actual)):
        want, got = expected.get(name), actual.get(name)
        if got is None:
            reason = _g("tệp có trong bản kê nhưng không có trong tệp lưu trữ")
        elif want is None:
            reason = _g("tệp không có trong bản kê")
        elif want["size"] != got["size"] or want["sha256"] != got["sha256"]:
            reason = _g("nội dung tệp khác với bản kê (sha256 không khớp)")
        else:
            continue
        problems.append({"what": "file", "name": name, "reason": reason})
    return problems


def _fetch(backup: Backup, workdir: Path, progress: Progress) -> archive.Extracted:
    """The stored archive, its sha256 checked against the record's, unpacked under workdir."""
    if backup.status != Backup.Status.SUCCEEDED or not backup.storage_key:
        raise BackupError(
            "not_restorable",
            _("Bản sao lưu này không dùng được (trạng thái: %(status)s).")
            % {"status": backup.get_status_display()},
            kind=ErrorKind.CONFLICT,
        )
    local = workdir / "archive.tar"
    progress("download", 0, 1)
    try:
        size, digest = storage.archive_download(key=backup.storage_key, target=local)
    except Exception as error:  # a missing file or object, a storage that does not answer
        raise BackupError(
            "archive_missing",
            _("Không đọc được tệp lưu trữ %(key)s từ nơi lưu.") % {"key": backup.storage_key},
            kind=ErrorKind.CONFLICT,
        ) from error
    progress("download", 1, 1)
    if digest != backup.sha256 or (backup.size_bytes is not None and size != backup.size_bytes):
        raise BackupError(
            "archive_corrupt",
            _(
                "Tổng kiểm tra (sha256) của tệp lưu trữ khác với giá trị ghi lại khi tạo bản sao "
                "lưu: tệp đã bị hỏng hoặc bị sửa."
            ),
            kind=ErrorKind.CONFLICT,
        )
    return archive.extract(local, workdir / "content", progress)


def _materialize(
    *,
    tools: binaries.Tools,
    dump: Path,
    source_schema: str,
    target_schema: str,
    workdir: Path,
    progress: Progress,
) -> None:
    """Create `target_schema` in the platform's database from a dump of `source_schema`: the
    dump is restored into a scratch database, renamed there, dumped again and restored here,
    so that the live schema of that name is never touched."""
    progress("restore", 0, 3)
    renamed = workdir / "renamed.dump"
    with scratch_database() as scratch:
        _pg_restore(tools, dump, dbname=scratch)
        progress("restore", 1, 3)
        with binaries.connect(scratch) as conn:
            conn.execute(
                sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                    sql.Identifier(source_schema), sql.Identifier(target_schema)
                )
            )
        binaries.run(
            [
                tools.path("pg_dump"),
                "--format=custom",
                # Read back at once from a temporary file: compressing it cost half the
                # restore's time (docs/benchmarks.md).
                "--compress=0",
                f"--schema={target_schema}",
                "--no-owner",
                "--no-privileges",
                f"--file={renamed}",
            ],
            dbname=scratch,
        )
    progress("restore", 2, 3)
    _pg_restore(tools, renamed, dbname=binaries.database_name())
    progress("restore", 3, 3)


def _copy_files(extracted: archive.Extracted, target: Storage) -> None:
    """The archive's files, as extracted, written through the storage into `target`'s area
    (emptied first) under the same names."""
    media.clear(target)
    for rel in sorted(extracted.files):
        with File((extracted.files_dir / rel).open("rb")) as handle:
            saved = target.save(rel, handle)
        if saved != rel:
            raise BackupError(
                "restore_mismatch",
                _("Tệp %(name)s không ghi lại được đúng tên.") % {"name": rel[:200]},
            )


# --- backup ---------------------------------------------------------------------------------


def manifest_profile(province: Province) -> dict[str, Any]:
    """The profile version in force and its keep_drafts rule, for the manifest."""
    try:
        profile = profile_in_force(province.slug, today_in_vietnam())
    except ProfileError:
        effective = province.profile_effective_from
        return {
            "profile": {
                "effective_from": effective.isoformat() if effective else None,
                "file": None,
                "backups_source": None,
            },
            "keep_drafts": {"value": True, "source": None, "citation": None},
        }
    rules = profile.backups
    drafts_source = rules.source_of("keep_drafts")
    return {
        "profile": {
            "effective_from": profile.effective_from.isoformat(),
            "file": f"provinces/profiles/{province.slug}/{profile.effective_from.isoformat()}.toml",
            "backups_source": rules.source,
        },
        # Thái Nguyên Art. 11(1): originals, copies and drafts are kept. The whole schema is
        # copied, so drafts and earlier revisions are always in the archive; the manifest says
        # which rule asked for it.
        "keep_drafts": {
            "value": rules.keep_drafts,
            "source": drafts_source,
            "citation": for_citizens(drafts_source),
            "included": True,
        },
    }


def backup_create(
    *,
    province: Province,
    kind: str = Backup.Kind.MANUAL,
    actor=None,
    progress: Progress | None = None,
    queued: Backup | None = None,
) -> Backup:
    """Copy one province (its schema and its files) into one archive in the backups storage.
    Returns the SUCCEEDED record; on failure the record is kept FAILED with the reason and
    BackupError("backup_failed") is raised; BackupError("busy") while the province has
    another run. `queued`: the record `backup_request` made, which this run becomes (a new
    record when it is no longer waiting)."""
    if kind not in Backup.Kind.values:
        raise BackupError("invalid_kind", _("Loại sao lưu không hợp lệ."), field="kind")
    if province.is_template or province.schema_name == get_public_schema_name():
        raise BackupError(
            "not_a_province", _("Chỉ sao lưu được lược đồ của một tỉnh."), field="province"
        )
    with province_lock(province.slug):
        try:
            with transaction.atomic():
                backup = _running_record(province, kind=kind, actor=actor, queued=queued)
        except IntegrityError as error:
            raise busy_error() from error
        report = _Reporter(backup, progress)
        try:
            _backup_run(backup, province, report)
        except Exception as error:
            backup.status = Backup.Status.FAILED
            backup.error = _message(error)
            backup.finished_at = timezone.now()
            backup.save(update_fields=["status", "error", "finished_at"])
            _audit(
                actor, "backup.failed", f"backup {backup.pk} of {province.slug}", error=backup.error
            )
            raise BackupError(
                "backup_failed",
                _("Sao lưu tỉnh %(name)s không thành công: %(reason)s")
                % {"name": province.name, "reason": backup.error},
            ) from error
    _audit(
        actor,
        "backup.create",
        f"backup {backup.pk} of {province.slug}",
        kind=str(kind),
        storage_key=backup.storage_key,
        size_bytes=backup.size_bytes,
    )
    return backup


def _running_record(province: Province, *, kind: str, actor, queued: Backup | None) -> Backup:
    now = timezone.now()
    if queued is not None and (
        Backup.objects.filter(
            pk=queued.pk, province_slug=province.slug, status=Backup.Status.QUEUED
        ).update(status=Backup.Status.RUNNING, started_at=now, attempts=1)
    ):
        return Backup.objects.get(pk=queued.pk)
    return Backup.objects.create(
        province=province,
        province_slug=province.slug,
        schema_name=province.schema_name,
        kind=kind,
        requested_by=actor,
        requested_by_name=_actor_name(actor),
        started_at=now,
        attempts=1,
    )


def backup_request(*, province: Province, actor=None) -> Backup:
    """A manual backup asked for on the console or through the API: recorded at once, QUEUED,
    so that it can be followed by its id; a worker's `backup_create(queued=…)` runs it.
    BackupError("busy") while the province has a backup waiting or running."""
    if province.is_template or province.schema_name == get_public_schema_name():
        raise BackupError(
            "not_a_province", _("Chỉ sao lưu được lược đồ của một tỉnh."), field="province"
        )
    waiting = (Backup.Status.QUEUED, Backup.Status.RUNNING)
    if Backup.objects.filter(province_slug=province.slug, status__in=waiting).exists():
        raise busy_error()
    try:
        with transaction.atomic():
            backup = Backup.objects.create(
                province=province,
                province_slug=province.slug,
                schema_name=province.schema_name,
                kind=Backup.Kind.MANUAL,
                status=Backup.Status.QUEUED,
                requested_by=actor,
                requested_by_name=_actor_name(actor),
            )
    except IntegrityError as error:  # asked twice at the same instant
        raise busy_error() from error
    _audit(actor, "backup.request", f"backup {backup.pk} of {province.slug}")
    return backup


def _backup_run(backup: Backup, province: Province, report: _Reporter) -> None:
    tools = binaries.find_tools()
    schema = province.schema_name
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as tmp:
        work = Path(tmp)
        dump = work / archive.DUMP
        state = archive.dump_with_manifest(
            tools=tools, schema=schema, dump_path=dump, progress=report
        )
        manifest = {
            "format": archive.FORMAT_VERSION,
            "province": {"slug": province.slug, "name": province.name, "schema": schema},
            "created_at": backup.started_at.isoformat() if backup.started_at else None,
            **manifest_profile(province),
            **state,
            "pg_dump_major": tools.major,
        }
        written = archive.write_archive(
            target=work / "archive.tar",
            dump_path=dump,
            media=media_storage_for(schema),
            manifest=manifest,
            progress=report,
        )
        report("store", 0, 1)
        key = storage.archive_save(
            key=storage.archive_key(
                slug=province.slug,
                created_at=backup.started_at or backup.created_at,
                pk=backup.pk,
            ),
            source=written.path,
        )
        report("store", 1, 1)
    backup.storage = storage.ALIAS
    backup.storage_key = key
    backup.size_bytes = written.size
    backup.sha256 = written.sha256
    backup.manifest = written.manifest
    backup.status = Backup.Status.SUCCEEDED
    backup.finished_at = timezone.now()
    backup.error = ""
    backup.save(
        update_fields=[
            "storage",
            "storage_key",
            "size_bytes",
            "sha256",
            "manifest",
            "status",
            "finished_at",
            "error",
        ]
    )


# --- verification ---------------------------------------------------------------------------


def backup_verify(*, backup: Backup, actor=None, progress: Progress | None = None) -> Verification:
    """Prove a backup: the archive's sha256, every file's sha256, and its dump restored into a
    scratch database whose tables are counted and checksummed against the manifest. A damaged
    archive gives a FAILED verification with the reason (it is a finding, not an error)."""
    if backup.status != Backup.Status.SUCCEEDED:
        raise BackupError(
            "not_verifiable",
            _("Chỉ kiểm tra được bản sao lưu đã hoàn tất (trạng thái: %(status)s).")
            % {"status": backup.get_status_display()},
            kind=ErrorKind.CONFLICT,
        )
    with province_lock(backup.province_slug):
        verification = Verification.objects.create(
            backup=backup, requested_by_name=_actor_name(actor)
        )
        problems: list[dict[str, str]] = []
        summary: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if progress is not None:
                progress(stage, done, total)

        try:
            with tempfile.TemporaryDirectory(prefix="portal-verify-") as tmp:
                problems, summary = _verify_run(backup, Path(tmp), report)
        except BackupError as error:
            what = "archive" if error.code.startswith("archive") else "restore"
            problems = [{"what": what, "name": backup.storage_key, "reason": str(error.message)}]
        except Exception as error:
            problems = [{"what": "restore", "name": backup.schema_name, "reason": _message(error)}]
        verification.status = Verification.Status.FAILED if problems else Verification.Status.PASSED
        verification.problems = problems
        verification.summary = summary
        verification.finished_at = timezone.now()
        verification.save(update_fields=["status", "problems", "summary", "finished_at"])
        backup.verification = Backup.Verified.FAILED if problems else Backup.Verified.PASSED
        backup.verified_at = verification.finished_at
        backup.save(update_fields=["verification", "verified_at"])
    _audit(
        actor,
        "backup.verify",
        f"backup {backup.pk} of {backup.province_slug}",
        result=str(verification.status),
        problems=len(problems),
    )
    return verification


def _verify_run(
    backup: Backup, work: Path, report: Progress
) -> tuple[list[dict[str, str]], dict[str, Any]]:
    tools = binaries.find_tools()
    extracted = _fetch(backup, work, report)
    manifest = extracted.manifest
    problems = _compare_files(manifest.get("files", {}), extracted.files)
    expected_tables = manifest.get("tables", {})
    schema = manifest.get("province", {}).get("schema") or backup.schema_name
    with scratch_database() as scratch:
        report("restore", 0, 1)
        _pg_restore(tools, extracted.dump_path, dbname=scratch)
        report("restore", 1, 1)
        actual = archive.schema_checksums(schema, dbname=scratch)
        with binaries.connect(scratch) as conn:
            migrations = archive.migrations_of(conn, schema)
    problems += _compare_tables(expected_tables, actual)
    if migrations != manifest.get("migrations"):
        problems.append(
            {
                "what": "migrations",
                "name": schema,
                "reason": _g("các bước chuyển đổi dữ liệu đã áp dụng khác với bản kê"),
            }
        )
    summary = {
        "tables": len(actual),
        "rows": sum(t["rows"] for t in actual.values()),
        "files": len(extracted.files),
        "bytes": sum(f["size"] for f in extracted.files.values()),
    }
    return problems, summary


# --- restore --------------------------------------------------------------------------------


def _check_target_schema(name: str | None) -> str:
    def refuse(message) -> BackupError:
        return BackupError("invalid_target", message, field="target_schema")

    if not name:
        raise refuse(_("Cần tên lược đồ đích để phục hồi vào lược đồ mới."))
    if len(name) > MAX_SCHEMA_NAME or not _SCHEMA_NAME.match(name):
        raise refuse(
            _(
                "Tên lược đồ đích phải bắt đầu bằng chữ thường a–z, chỉ gồm chữ thường, chữ số, "
                "dấu gạch dưới và dài tối đa %(max)s ký tự."
            )
            % {"max": MAX_SCHEMA_NAME}
        )
    if (
        name in _RESERVED_SCHEMAS
        or name.startswith("pg_")
        or name == settings.TENANT_BASE_SCHEMA
        or name == get_public_schema_name()
    ):
        raise refuse(_("Tên lược đồ đích %(name)s dành riêng cho hệ thống.") % {"name": name})
    if Province.objects.filter(schema_name=name).exists():
        raise refuse(
            _("Lược đồ %(name)s là lược đồ của một tỉnh: không phục hồi đè vào đó.")
            % {"name": name}
        )
    if _schema_exists(name):
        raise refuse(_("Lược đồ %(name)s đã có: chọn một tên chưa dùng.") % {"name": name})
    return name


def _known_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _applied(migrations: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {(app, name) for app, names in migrations.items() for name in names}


def _live_migrations(schema: str) -> dict[str, list[str]]:
    with binaries.connect() as conn:
        return archive.migrations_of(conn, schema)


def kept_name_for(schema: str, now: datetime) -> str:
    """`<schema>_before_<yyyymmddHHMM>` (UTC), with a counter when that name is taken."""
    base = f"{schema[:40]}_before_{now.astimezone(UTC).strftime('%Y%m%d%H%M')}"
    name, counter = base, 1
    while _schema_exists(name) or media.has_files(media_storage_for(name)):
        counter += 1
        name = f"{base}_{counter}"
    return name


def _difference(manifest: dict[str, Any], schema: str) -> dict[str, Any]:
    """What restoring `manifest` over `schema` as it is now would change (or changed)."""
    now_tables = archive.schema_checksums(schema) if _schema_exists(schema) else {}
    backup_tables = manifest.get("tables", {})
    tables = []
    for name in sorted(set(now_tables) | set(backup_tables)):
        now, then = now_tables.get(name), backup_tables.get(name)
        tables.append(
            {
                "table": name,
                "rows_now": now["rows"] if now else None,
                "rows_in_backup": then["rows"] if then else None,
                "same": bool(
                    now
                    and then
                    and now["checksum"] == then["checksum"]
                    and now["rows"] == then["rows"]
                ),
            }
        )
    now_files = archive.files_state(media_storage_for(schema))
    backup_files = manifest.get("files", {})
    return {
        "tables": tables,
        "tables_changed": sum(1 for t in tables if not t["same"]),
        "files_added": sorted(set(backup_files) - set(now_files)),
        "files_removed": sorted(set(now_files) - set(backup_files)),
        "files_changed": sorted(
            name
            for name in set(now_files) & set(backup_files)
            if now_files[name]["sha256"] != backup_files[name]["sha256"]
        ),
    }


def backup_restore(
    *,
    backup: Backup,
    mode: str,
    target_schema: str | None = None,
    dry_run: bool = False,
    actor=None,
    progress: Progress | None = None,
) -> Restore:
    """Restore a backup `into` a new schema (for inspection) or `in_place` (the live schema
    and its files' folder kept under `<schema>_before_<time>` until kept_schema_drop). A dry
    run changes nothing and reports what would change."""
    if mode not in Restore.Mode.values:
        raise BackupError("invalid_mode", _("Cách phục hồi không hợp lệ."), field="mode")
    if backup.status != Backup.Status.SUCCEEDED:
        raise BackupError(
            "not_restorable",
            _("Bản sao lưu này không dùng được (trạng thái: %(status)s).")
            % {"status": backup.get_status_display()},
            kind=ErrorKind.CONFLICT,
        )
    manifest = backup.manifest or {}
    province: Province | None = None
    if mode == Restore.Mode.INTO:
        target = _check_target_schema(target_schema)
    else:
        province = Province.objects.filter(schema_name=backup.schema_name).first()
        if province is None:
            raise BackupError(
                "province_gone",
                _(
                    "Tỉnh của bản sao lưu này không còn trên nền tảng: hãy phục hồi vào một lược "
                    "đồ mới."
                ),
                kind=ErrorKind.CONFLICT,
            )
        target = backup.schema_name
        newer = sorted(_applied(manifest.get("migrations", {})) - _known_migrations())
        if newer:
            raise BackupError(
                "newer_migrations",
                _(
                    "Bản sao lưu có các bước chuyển đổi dữ liệu mà phiên bản phần mềm này chưa có "
                    "(%(names)s): cập nhật phần mềm trước khi phục hồi tại chỗ."
                )
                % {"names": ", ".join(f"{a}.{n}" for a, n in newer[:10])},
                kind=ErrorKind.CONFLICT,
            )
    with province_lock(backup.province_slug):
        restore = Restore.objects.create(
            backup=backup,
            province_slug=backup.province_slug,
            mode=mode,
            dry_run=dry_run,
            target_schema=target,
            requested_by=actor,
            requested_by_name=_actor_name(actor),
        )
        report = _Reporter(restore, progress)
        try:
            if mode == Restore.Mode.INTO:
                restore.report = _restore_into(backup, target, dry_run, report)
                # The copy made for inspection is this restore's to drop, like a kept schema.
                restore.kept_schema = "" if dry_run else target
            else:
                restore.report = _restore_in_place(backup, target, dry_run, report, restore)
                restore.kept_schema = "" if dry_run else restore.report["kept_schema"]
        except Exception as error:
            restore.status = Restore.Status.FAILED
            restore.error = _message(error)
            restore.finished_at = timezone.now()
            restore.save(update_fields=["status", "error", "finished_at"])
            _audit(
                actor,
                "backup.restore_failed",
                f"restore {restore.pk} of backup {backup.pk}",
                mode=mode,
                target_schema=target,
                error=restore.error,
            )
            raise BackupError(
                "restore_failed",
                _("Phục hồi không thành công: %(reason)s") % {"reason": restore.error},
            ) from error
        restore.status = Restore.Status.SUCCEEDED
        restore.finished_at = timezone.now()
        restore.save(update_fields=["status", "report", "kept_schema", "finished_at"])
    _audit(
        actor,
        "backup.restore_dry_run" if dry_run else "backup.restore",
        f"restore {restore.pk} of backup {backup.pk}",
        mode=str(mode),
        target_schema=target,
        kept_schema=restore.kept_schema,
    )
    return restore


def _unpack(
    backup: Backup,
    *,
    schema: str,
    report: _Reporter,
    on_schema: Callable[[str], None] | None = None,
) -> None:
    """Restore the backup's archive as `schema` (through the scratch database) and its files
    into `schema`'s media area; `on_schema` is told once the schema exists."""
    tools = binaries.find_tools()
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as tmp:
        work = Path(tmp)
        extracted = _fetch(backup, work, report)
        _materialize(
            tools=tools,
            dump=extracted.dump_path,
            source_schema=extracted.manifest["province"]["schema"],
            target_schema=schema,
            workdir=work,
            progress=report,
        )
        if on_schema is not None:
            on_schema(schema)
        _copy_files(extracted, media_storage_for(schema))


def _restore_into(backup: Backup, target: str, dry_run: bool, report: _Reporter) -> dict:
    manifest = backup.manifest or {}
    plan = {
        "target_schema": target,
        "tables": len(manifest.get("tables", {})),
        "rows": sum(t["rows"] for t in manifest.get("tables", {}).values()),
        "files": len(manifest.get("files", {})),
        "files_folder": media.describe(media_storage_for(target)),
    }
    if dry_run:
        return {**plan, "archive_present": storage.archive_exists(backup.storage_key)}
    created: list[str] = []
    try:
        # Only once restored is the schema this run's own: a failed restore created nothing (one
        # transaction), and a schema someone made under that name meanwhile is not ours.
        _unpack(backup, schema=target, report=report, on_schema=created.append)
        problems = _compare_tables(manifest.get("tables", {}), archive.schema_checksums(target))
        problems += _compare_files(
            manifest.get("files", {}), archive.files_state(media_storage_for(target))
        )
        if problems:
            raise BackupError(
                "restore_mismatch",
                _("Lược đồ phục hồi không khớp với bản kê (%(count)s điểm khác).")
                % {"count": len(problems)},
            )
    except Exception:
        if created:  # the name was checked free: only what this run made is removed
            _drop_schema(target)
            media.clear(media_storage_for(target))
        raise
    return {**plan, "matches_manifest": True}


def _restore_in_place(
    backup: Backup, schema: str, dry_run: bool, report: _Reporter, restore: Restore
) -> dict:
    manifest = backup.manifest or {}
    live_applied = _applied(_live_migrations(schema))
    to_apply = sorted(live_applied - _applied(manifest.get("migrations", {})))
    kept = kept_name_for(schema, timezone.now())
    plan = {
        **_difference(manifest, schema),
        "migrations_to_apply": [f"{a}.{n}" for a, n in to_apply],
        "kept_schema": kept,
    }
    if dry_run:
        return plan
    staging = f"{schema[:40]}_restoring_{secrets.token_hex(3)}"
    live_files, kept_files, staging_files = (
        media_storage_for(schema),
        media_storage_for(kept),
        media_storage_for(staging),
    )
    swapped = False
    try:
        _unpack(backup, schema=staging, report=report)
        problems = _compare_tables(manifest.get("tables", {}), archive.schema_checksums(staging))
        if problems:
            raise BackupError(
                "restore_mismatch",
                _(
                    "Bản phục hồi không khớp với bản kê (%(count)s bảng khác): lược đồ đang chạy "
                    "không bị thay đổi."
                )
                % {"count": len(problems)},
            )
        report("swap", 0, 1)
        # One transaction: the live name always points at a whole schema, old or restored.
        with binaries.connect(autocommit=False) as conn:
            conn.execute(
                sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                    sql.Identifier(schema), sql.Identifier(kept)
                )
            )
            conn.execute(
                sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                    sql.Identifier(staging), sql.Identifier(schema)
                )
            )
            conn.commit()
        swapped = True
        # Recorded at once: should a later step fail, the operator still finds the old schema.
        restore.kept_schema = kept
        restore.save(update_fields=["kept_schema"])
        media.move(live_files, kept_files)
        media.move(staging_files, live_files)
        report("swap", 1, 1)
    except Exception:
        if not swapped:
            _drop_schema(staging)
            media.clear(staging_files)
        raise
    if to_apply:
        from django.core.management import call_command

        report("migrate", 0, 1)
        try:
            call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)
        finally:
            connection.set_schema_to_public()  # type: ignore[attr-defined]
        report("migrate", 1, 1)
    removed = cache_forget_schema(schema)
    return {
        **plan,
        "migrations_applied": plan["migrations_to_apply"],
        "cache_keys_removed": removed,
    }


def cache_forget_schema(schema: str) -> int:
    """Delete every cache entry of `schema` (config.cache.make_key: "<prefix>:<schema>:…"):
    pages and counters cached before a restore must not answer after it."""
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    client = cache._cache.get_client()  # type: ignore[attr-defined]
    removed = 0
    batch: list[bytes] = []
    for key in client.scan_iter(match=f"{prefix}:{schema}:*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            removed += client.delete(*batch)
            batch = []
    if batch:
        removed += client.delete(*batch)
    return removed


def kept_schema_drop(*, restore: Restore, actor=None) -> Restore:
    """Drop the schema (and files' folder) a restore left: the one an in-place restore kept,
    or the copy a restore into a new schema made for inspection."""
    if restore.dry_run or not restore.kept_schema:
        raise BackupError(
            "nothing_to_drop",
            _("Lượt phục hồi này không giữ lại lược đồ nào để xoá."),
            kind=ErrorKind.CONFLICT,
        )
    kept = restore.kept_schema
    left_by_it = (
        kept == restore.target_schema if restore.mode == Restore.Mode.INTO else "_before_" in kept
    )
    if not left_by_it or Province.objects.filter(schema_name=kept).exists():
        raise BackupError(
            "nothing_to_drop",
            _("Lược đồ %(name)s không phải lược đồ được giữ lại khi phục hồi.") % {"name": kept},
            kind=ErrorKind.CONFLICT,
        )
    with province_lock(restore.province_slug):
        _drop_schema(kept)
        media.clear(media_storage_for(kept))
        restore.kept_schema = ""
        restore.kept_dropped_at = timezone.now()
        restore.save(update_fields=["kept_schema", "kept_dropped_at"])
    _audit(actor, "backup.kept_drop", f"restore {restore.pk}", kept_schema=kept)
    return restore


def backup_prune(*, backup: Backup, actor=None, reason: str) -> Backup:
    """Delete the backup's archive from storage; the record stays, PRUNED, with the reason
    in the audit."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise BackupError(
            "invalid_reason",
            _("Cần lý do xoá (tối đa %(max)s ký tự).") % {"max": MAX_REASON},
            field="reason",
        )
    if backup.status == Backup.Status.PRUNED:
        return backup
    if backup.status in (Backup.Status.QUEUED, Backup.Status.RUNNING):
        raise BackupError(
            "busy", _("Bản sao lưu này đang chạy: chưa xoá được."), kind=ErrorKind.CONFLICT
        )
    with province_lock(backup.province_slug):
        storage.archive_delete(backup.storage_key)
        backup.status = Backup.Status.PRUNED
        backup.pruned_at = timezone.now()
        backup.save(update_fields=["status", "pruned_at"])
    _audit(
        actor,
        "backup.prune",
        f"backup {backup.pk} of {backup.province_slug}",
        storage_key=backup.storage_key,
        reason=reason,
    )
    return backup
