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


def backup_list(*, province_slug: str | None = None, limit: int = 200) -> list[Backup]:
    """Backups, newest first (of one province when `province_slug` is given)."""
    query: QuerySet[Backup] = Backup.objects.order_by("-created_at", "-pk")
    if province_slug:
        query = query.filter(province_slug=province_slug)
    return list(query[: _bounded(limit, 200)])


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


def restore_list(*, province_slug: str | None = None, limit: int = 100) -> list[Restore]:
    """Restores and dry runs, newest first, each with its backup."""
    query = Restore.objects.select_related("backup").order_by("-started_at", "-pk")
    if province_slug:
        query = query.filter(province_slug=province_slug)
    return list(query[: _bounded(limit, 100)])


def running_backup(province_slug: str) -> Backup | None:
    """The province's backup running now, if any (at most one: a unique constraint)."""
    return Backup.objects.filter(province_slug=province_slug, status=Backup.Status.RUNNING).first()
