"""Reads of backup records shared by the command, the API, the console and the tasks."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from backups.binaries import BackupError
from backups.models import Backup, Restore
from core.errors import ErrorKind

MAX_LIMIT = 1000


def _bounded(limit: int, default: int) -> int:
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        return default
    return max(1, min(limit, MAX_LIMIT))


def backups(*, province_slug: str | None = None) -> QuerySet[Backup]:
    """Backups, newest first (of one province when `province_slug` is given), unevaluated: the
    API pages through it."""
    query: QuerySet[Backup] = Backup.objects.order_by("-created_at", "-pk")
    if province_slug:
        query = query.filter(province_slug=province_slug)
    return query


def backup_list(*, province_slug: str | None = None, limit: int = 200) -> list[Backup]:
    """Backups, newest first (of one province when `province_slug` is given)."""
    return list(backups(province_slug=province_slug)[: _bounded(limit, 200)])


def backup_get(pk) -> Backup:
    try:
        return Backup.objects.get(pk=int(pk))
    except (TypeError, ValueError, OverflowError, Backup.DoesNotExist) as error:
        raise BackupError(
            "not_found",
            _("Không có bản sao lưu số %(id)s.") % {"id": str(pk)[:20]},
            field="id",
            kind=ErrorKind.NOT_FOUND,
        ) from error


def restore_get(pk) -> Restore:
    try:
        return Restore.objects.select_related("backup").get(pk=int(pk))
    except (TypeError, ValueError, OverflowError, Restore.DoesNotExist) as error:
        raise BackupError(
            "not_found",
            _("Không có lượt phục hồi số %(id)s.") % {"id": str(pk)[:20]},
            field="id",
            kind=ErrorKind.NOT_FOUND,
        ) from error


def manifest_summary(manifest: dict) -> dict:
    """Counts of an archive's manifest: tables, rows, files, bytes of files."""
    tables = (manifest or {}).get("tables") or {}
    files = (manifest or {}).get("files") or {}
    table_rows = tables.values() if isinstance(tables, dict) else tables
    file_rows = files.values() if isinstance(files, dict) else files
    return {
        "tables": len(tables),
        "rows": sum(int(t.get("rows") or 0) for t in table_rows if isinstance(t, dict)),
        "files": len(files),
        "bytes": sum(int(f.get("size") or 0) for f in file_rows if isinstance(f, dict)),
    }


def restore_list(*, province_slug: str | None = None, limit: int = 100) -> list[Restore]:
    """Restores and dry runs, newest first, each with its backup."""
    query = Restore.objects.select_related("backup").order_by("-started_at", "-pk")
    if province_slug:
        query = query.filter(province_slug=province_slug)
    return list(query[: _bounded(limit, 100)])


def running_backup(province_slug: str) -> Backup | None:
    """The province's backup running now, if any (at most one: a unique constraint)."""
    return Backup.objects.filter(province_slug=province_slug, status=Backup.Status.RUNNING).first()
