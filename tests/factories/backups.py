"""Backup records as the engine leaves them, for the schedule's and the tasks' tests: records
of the public schema, not content (no archive behind them; `tests/backups/conftest.py` makes
real backups of a throw-away province)."""

from __future__ import annotations

from datetime import timedelta

from backups.models import Backup


def backup_record(
    province, *, at, status=Backup.Status.SUCCEEDED, kind=Backup.Kind.SCHEDULED, **fields
) -> Backup:
    """A backup of `province` started at `at` (a running one has not finished)."""
    backup = Backup.objects.create(
        province=province,
        province_slug=province.slug,
        schema_name=province.schema_name,
        kind=kind,
        status=status,
        requested_by_name="lịch sao lưu",
        started_at=at,
        finished_at=at + timedelta(minutes=3) if status != Backup.Status.RUNNING else None,
        **fields,
    )
    Backup.objects.filter(pk=backup.pk).update(created_at=at)
    backup.refresh_from_db()
    return backup
