"""The Celery app: tenant-aware, so a task queued inside a province's schema runs inside it.

The beat schedule below is the one place periodic tasks are declared (times are Vietnam's,
CELERY_TIMEZONE). Each task runs for every province, each inside its own schema, and skips a
province's non-working days where the rule is about office work."""

import os

from celery.schedules import crontab
from celery.signals import setup_logging
from tenant_schemas_celery.app import CeleryApp
from tenant_schemas_celery.task import TenantTask

from config.logs import configure_worker_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


class OutboxAwareTask(TenantTask):
    """Every task of the platform: run in the sender's schema (tenant-schemas-celery) and, when
    its message came through the outbox (tenants.outbox.enqueue), run to its end at most once
    in effect: a redelivered or resent message of a task already done is skipped (ADR 0024)."""

    abstract = True

    def __call__(self, *args, **kwargs):
        from tenants.outbox import run_once

        return run_once(
            self.request, lambda: super(OutboxAwareTask, self).__call__(*args, **kwargs)
        )


app = CeleryApp("portal", task_cls=OutboxAwareTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Workers and beat write Django's LOGGING lines (each naming the task's province), not Celery's.
setup_logging.connect(configure_worker_logging, weak=False, dispatch_uid="config.logs")


@app.task(name="platform.where_am_i")
def where_am_i() -> str:
    """Workers' health check: the schema the task ran in (the sender's, carried in the
    message by tenant-schemas-celery). `celery -A config call platform.where_am_i`."""
    from django.db import connection

    return connection.schema_name


app.conf.beat_schedule = {
    # Tasks queued while the broker was down (tenants.outbox) go out within a minute of its
    # return (each worker also sends them when it starts).
    "outbox-resend": {
        "task": "tenants.outbox_resend",
        "schedule": crontab(),
    },
    # Scheduled publication and unpublication: an item goes up or down within a minute.
    "editorial-publish-scheduled": {
        "task": "editorial.publish_scheduled",
        "schedule": crontab(),
    },
    # Deadline reminders to the holders of the waiting step; each run sends only in the
    # province's office hours, each reminder once a day.
    "editorial-reminders": {
        "task": "editorial.send_reminders",
        "schedule": crontab(minute=0),
    },
    # The board's daily summary (Thái Nguyên Art. 10(5)): tried every office hour, sent by the
    # first run of a working day that has something to report, so a beat or worker down at
    # 08:00 delays it by an hour rather than skipping the day.
    "editorial-board-summary": {
        "task": "editorial.send_board_summaries",
        "schedule": crontab(minute=30, hour="8-16"),
    },
    # Citizens' questions: due-soon reminders to the agency's answerers and the overdue
    # summary to the editorial board, each once a day per recipient (core.notices).
    "qa-reminders": {
        "task": "qa.remind",
        "schedule": crontab(minute=15, hour="8-16"),
    },
    # Personal data past each province's retention period is erased (profile qa.retention_days).
    "qa-purge": {
        "task": "qa.purge",
        "schedule": crontab(minute=0, hour=2),
    },
    # Citizens' e-mail addresses left with comments on drafts, past the retention period.
    "editorial-purge-comment-contacts": {
        "task": "editorial.purge_comment_contacts",
        "schedule": crontab(minute=30, hour=2),
    },
    # Files uploaded on the new-item form and never attached to an item, a day after upload.
    "editorial-purge-pending-uploads": {
        "task": "editorial.purge_pending_uploads",
        "schedule": crontab(minute=45),
    },
    # Backups (public schema): every province due inside its profile's window is queued; a
    # failed run is tried again at the next dispatch while the window lasts.
    "backups-dispatch": {
        "task": "backups.dispatch_due",
        "schedule": crontab(minute="*/15"),
    },
    # The newest copy of each province whose last proof is older than its `verify` period is
    # restored into the scratch database and compared (after the platform's default window).
    "backups-verify": {
        "task": "backups.verify_due",
        "schedule": crontab(minute=0, hour=6),
    },
    # Reports of the profile's `reporting` entries whose period ended (issue 14): drafted
    # early each morning; their signers reminded every office hour, once a day each.
    "reports-draft-due": {
        "task": "reports.draft_due",
        "schedule": crontab(minute=20, hour=5),
    },
    "reports-remind": {
        "task": "reports.remind",
        "schedule": crontab(minute=40, hour="8-16"),
    },
    # The operators' compliance board (ADR 0030): each province's late figures counted inside
    # its schema and kept in the public schema, at most 15 minutes old.
    "reports-compliance-snapshot": {
        "task": "reports.compliance_snapshot",
        "schedule": crontab(minute="*/15"),
    },
    # Citizens' page views (ADR 0028): the counts kept in Redis moved into each province's
    # PageViewDay table; a run missed keeps them in Redis for the next (a week at most).
    "reports-flush-page-views": {
        "task": "reports.flush_page_views",
        "schedule": crontab(minute="*/5"),
    },
}
