"""Periodic editorial work, scheduled in config/celery.py (the one place for schedules).

Beat sends each task in the public schema; the task queues one run per province, inside that
province's schema (tenants.tasks.for_each_province), so one province's failure or slowness
never holds back another. Each run is
a thin wrapper around a service that is safe to run twice: a scheduled item is published
once, a reminder or a summary goes out once a day (editorial.notifications)."""

from __future__ import annotations

from datetime import datetime

from config import celery_app
from editorial.notifications import board_summaries_send, reminders_send
from editorial.services import (
    items_publish_scheduled,
    items_unpublish_scheduled,
    public_comments_purge,
)
from tenants.tasks import for_each_province, in_a_province


def _for_each_province(task, now: str | None) -> int:
    return for_each_province(task, now=now)


def _in_a_province() -> bool:
    return in_a_province()


def _instant(now: str | None) -> datetime | None:
    # `now` is for tests and replays only: beat sends none, each run reads its own clock.
    return datetime.fromisoformat(now) if now else None


@celery_app.task(name="editorial.publish_scheduled")
def publish_scheduled(now: str | None = None) -> int:
    return _for_each_province(publish_scheduled_in_province, now)


@celery_app.task(name="editorial.publish_scheduled_in_province")
def publish_scheduled_in_province(now: str | None = None) -> dict[str, int]:
    if not _in_a_province():
        return {}
    at = _instant(now)
    return {
        "published": items_publish_scheduled(now=at),
        "unpublished": items_unpublish_scheduled(now=at),
    }


@celery_app.task(name="editorial.send_reminders")
def send_reminders(now: str | None = None) -> int:
    return _for_each_province(send_reminders_in_province, now)


@celery_app.task(name="editorial.send_reminders_in_province")
def send_reminders_in_province(now: str | None = None) -> int:
    return reminders_send(now=_instant(now)) if _in_a_province() else 0


@celery_app.task(name="editorial.send_board_summaries")
def send_board_summaries(now: str | None = None) -> int:
    return _for_each_province(send_board_summaries_in_province, now)


@celery_app.task(name="editorial.send_board_summaries_in_province")
def send_board_summaries_in_province(now: str | None = None) -> int:
    return board_summaries_send(now=_instant(now)) if _in_a_province() else 0


@celery_app.task(name="editorial.purge_comment_contacts")
def purge_comment_contacts() -> int:
    return for_each_province(purge_comment_contacts_in_province)


@celery_app.task(name="editorial.purge_comment_contacts_in_province")
def purge_comment_contacts_in_province() -> int:
    return public_comments_purge() if in_a_province() else 0


@celery_app.task(name="editorial.purge_pending_uploads")
def purge_pending_uploads() -> int:
    return for_each_province(purge_pending_uploads_in_province)


@celery_app.task(name="editorial.purge_pending_uploads_in_province")
def purge_pending_uploads_in_province() -> int:
    # Files uploaded on the new-item form and never attached: a day later (pending_uploads).
    from editorial.pending_uploads import pending_uploads_purge

    return pending_uploads_purge() if in_a_province() else 0
