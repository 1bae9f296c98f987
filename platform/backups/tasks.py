"""The backups' background work: thin, idempotent wrappers around backups.services.

Backups live in the public schema and name their province: every task runs there, whichever
schema queued it. Beat sends `dispatch_due_backups` every 15 minutes, which queues one
`backup_province_task` per province due (backups.schedule.due_provinces: inside its window,
no copy of the period yet, none running); `verify_due_backups` once a day proves the newest
copy of each province whose last proof is older than its profile's `verify` period.

A failed run is retried with backoff (3 attempts, counted on its record); after the last one
the platform's operators get a mail and the failure is logged at ERROR, and the next dispatch
tries again while the window lasts: never skipped in silence. Two runs of one province never
overlap: the engine's lock refuses a second ("busy", not a failure), a province with a
running copy is not due, and one already queued is not queued again."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import User
from backups import schedule
from backups.models import Backup, Restore, Verification
from backups.selectors import backup_get, running_backup
from backups.services import (
    BackupError,
    backup_create,
    backup_restore,
    backup_verify,
    busy_error,
    interrupted_runs_close,
)
from config.celery import app
from provinces.calendar import TZ
from provinces.loader import ProfileError
from tenants.models import Province
from tenants.outbox import enqueue
from tenants.selectors import province_list

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_BACKOFF = 60  # seconds before the 2nd attempt; doubled before each next one
# A province queued and not yet finished is not queued again; the mark lapses by itself if a
# message is lost, so a lost message delays the next copy by at most this long.
QUEUED_FOR = 60 * 60
# Operators hear of a province's failure once a day (each failure is logged and recorded).
REPORTED_FOR = 24 * 60 * 60
PLATFORM_URLS = "config.urls_public"  # the platform host's pages (named, not imported)


def _queued_key(slug: str) -> str:
    return f"backups:queued:{slug}"


def _actor(actor_id: int | None) -> User | None:
    return User.objects.filter(pk=actor_id).first() if actor_id else None


# --- reports to the platform's operators --------------------------------------------------


def operators() -> list[User]:
    """Who hears of a failure: the platform's operators (active staff accounts of the public
    schema) with an address."""
    return list(User.objects.filter(is_staff=True, is_active=True).exclude(email="").order_by("pk"))


def console_link(backup_id: int | None = None) -> str:
    """The operator console's backups page (or one backup's) on the platform host."""
    host = settings.PLATFORM_HOST
    scheme = "http" if host == "localhost" or host.endswith(".localhost") else "https"
    try:
        path = (
            reverse("frontend:console_backup", kwargs={"pk": backup_id}, urlconf=PLATFORM_URLS)
            if backup_id
            else reverse("frontend:console_backups", urlconf=PLATFORM_URLS)
        )
    except NoReverseMatch:  # a console without the backups pages: its home
        path = "/"
    return f"{scheme}://{host}{path}"


def _report(
    *, slug: str, about: str, subject: str, lines: list[str], link: str, now: datetime
) -> int:
    """Mail the operators about a province, once a day for each `about`; returns the mails sent.
    One refused mail stops no other."""
    day = now.astimezone(TZ).date()
    if not cache.add(f"backups:reported:{about}:{slug}:{day.isoformat()}", 1, REPORTED_FOR):
        return 0
    body = "\n".join([*lines, "", _("Bảng điều khiển của nền tảng: %(link)s") % {"link": link}])
    sent = 0
    for operator in operators():
        try:
            sent += EmailMessage(subject=subject, body=body, to=[operator.email]).send()
        except Exception:  # a mail server's refusal must not hide the other reports
            logger.warning("backup report not sent to operator %s", operator.pk, exc_info=True)
    return sent


def _province_name(slug: str) -> str:
    return Province.objects.filter(slug=slug).values_list("name", flat=True).first() or slug


def report_backup_failure(*, slug: str, backup: Backup | None, error: str, now: datetime) -> int:
    name = _province_name(slug)
    logger.error(
        "backup of %s failed after %s attempts: %s (record %s)",
        slug,
        MAX_ATTEMPTS,
        error,
        backup.pk if backup else "none",
    )
    lines = [
        _("Sao lưu dữ liệu của %(province)s không thành công sau %(attempts)s lần thử.")
        % {"province": name, "attempts": MAX_ATTEMPTS},
        _("Lỗi: %(error)s") % {"error": error},
    ]
    if backup is not None:
        lines.append(_("Bản ghi sao lưu số %(id)s.") % {"id": backup.pk})
    lines.append(_("Lần sao lưu theo lịch tiếp theo sẽ thử lại."))
    return _report(
        slug=slug,
        about="backup",
        subject=_("Sao lưu thất bại: %(province)s") % {"province": name},
        lines=lines,
        link=console_link(backup.pk if backup is not None else None),
        now=now,
    )


def report_verification_failure(*, verification: Verification, now: datetime) -> int:
    backup = verification.backup
    name = _province_name(backup.province_slug)
    reasons = [
        str(problem.get("reason", "")) for problem in verification.problems if problem.get("reason")
    ]
    logger.error(
        "verification %s of backup %s (%s) failed: %s",
        verification.pk,
        backup.pk,
        backup.province_slug,
        "; ".join(reasons[:5]),
    )
    lines = [
        _("Bản sao lưu số %(id)s của %(province)s không phục hồi được đúng như lúc sao lưu.")
        % {"id": backup.pk, "province": name},
        *[_("Lý do: %(reason)s") % {"reason": reason} for reason in reasons[:10]],
    ]
    return _report(
        slug=backup.province_slug,
        about="verification",
        subject=_("Kiểm tra bản sao lưu thất bại: %(province)s") % {"province": name},
        lines=lines,
        link=console_link(backup.pk),
        now=now,
    )


# --- the tasks ----------------------------------------------------------------------------


@app.task(name="backups.dispatch_due")
def dispatch_due_backups(now: datetime | None = None) -> list[str]:
    """Queue a scheduled backup of every province due now (beat, every 15 minutes; `now` for
    drills and tests). Returns the provinces queued."""
    with schema_context(get_public_schema_name()):
        # A run cut short (its worker killed) would otherwise look running for good.
        interrupted_runs_close()
        queued = []
        for province in schedule.due_provinces(now or timezone.now()):
            if not cache.add(_queued_key(province.slug), 1, QUEUED_FOR):
                continue  # queued by an earlier dispatch and not finished yet
            queued.append(province.slug)
            enqueue(backup_province_task, province.slug, Backup.Kind.SCHEDULED)
        return queued


def _failed_record(slug: str, since: datetime) -> Backup | None:
    return (
        Backup.objects.filter(
            province_slug=slug, status=Backup.Status.FAILED, created_at__gte=since
        )
        .order_by("-created_at", "-pk")
        .first()
    )


@app.task(bind=True, name="backups.backup_province", max_retries=MAX_ATTEMPTS - 1)
def backup_province_task(
    self,
    slug: str,
    kind: str = Backup.Kind.SCHEDULED,
    actor_id: int | None = None,
    backup_id: int | None = None,
) -> int | None:
    """Back up one province; then prove the copy when its policy says (always for a manual
    one) and prune what retention no longer keeps. `backup_id`: the record `backup_request`
    queued, which the first attempt becomes. Returns the new record's id, or None when nothing
    was copied (not owed any more, busy, or failed)."""
    with schema_context(get_public_schema_name()):
        attempt = self.request.retries + 1
        started = timezone.now()
        queued = (
            Backup.objects.filter(pk=backup_id, status=Backup.Status.QUEUED).first()
            if backup_id
            else None
        )
        province = Province.objects.filter(slug=slug).first()
        if province is None:
            logger.warning("backup of %s not made: no such province", slug)
            _not_taken(queued, _("Tỉnh này không còn trên nền tảng."))
            cache.delete(_queued_key(slug))
            return None
        if kind == Backup.Kind.SCHEDULED and not _still_owed(slug, started):
            cache.delete(_queued_key(slug))  # a copy of the period exists (a rerun): done
            return None
        try:
            backup = backup_create(
                province=province, kind=kind, actor=_actor(actor_id), queued=queued
            )
        except BackupError as error:
            if error.code == "busy":
                logger.info("backup of %s not started: another run holds the province", slug)
                _not_taken(queued, error.message)
                cache.delete(_queued_key(slug))
                return None
            failure: Exception = error
        except Exception as error:  # the engine's unexpected failures are retried the same way
            logger.warning("backup of %s raised", slug, exc_info=True)
            failure = error
        else:
            if attempt > 1:
                Backup.objects.filter(pk=backup.pk).update(attempts=attempt)
            _after_backup(backup, kind=kind, actor_id=actor_id)
            cache.delete(_queued_key(slug))
            return backup.pk

        failed = _failed_record(slug, started)
        if failed is not None:
            Backup.objects.filter(pk=failed.pk).update(attempts=attempt)
        message = (failed.error if failed is not None and failed.error else "") or str(
            getattr(failure, "message", "") or failure
        )
        if attempt < MAX_ATTEMPTS:
            logger.warning("backup of %s failed (attempt %s): %s", slug, attempt, message)
            raise self.retry(exc=failure, countdown=RETRY_BACKOFF * 2 ** (attempt - 1))
        report_backup_failure(slug=slug, backup=failed, error=message, now=timezone.now())
        cache.delete(_queued_key(slug))
        return None


def _not_taken(queued: Backup | None, reason) -> None:
    """A requested backup that will not run says why, instead of waiting for good."""
    if queued is not None:
        Backup.objects.filter(pk=queued.pk, status=Backup.Status.QUEUED).update(
            status=Backup.Status.FAILED, error=str(reason), finished_at=timezone.now()
        )


def _still_owed(slug: str, now: datetime) -> bool:
    last = schedule.last_success_at(slug)
    return last is None or last < schedule.fresh_since(schedule.policy_at(slug, now), now)


def _after_backup(backup: Backup, *, kind: str, actor_id: int | None) -> None:
    now = timezone.now()
    slug = backup.province_slug
    policy = schedule.policy_at(slug, now)
    last_passed = schedule.last_passed_verification_at(slug)
    if kind == Backup.Kind.MANUAL or schedule.verification_due(
        policy, newest=backup, last_passed=last_passed, now=now
    ):
        try:
            verify_backup_task(backup.pk, actor_id)
        except Exception:  # the copy is made; the daily check proves it later
            logger.exception("verification of backup %s (%s) not made", backup.pk, slug)
    try:
        schedule.retention_apply(province_slug=slug, now=now)
    except Exception:  # the copy is made; pruning is tried again after the next one
        logger.exception("retention of %s not applied", slug)


@app.task(name="backups.verify_backup")
def verify_backup_task(backup_id: int, actor_id: int | None = None) -> int:
    """Prove one copy by restoring it into the scratch database; a mismatch is reported to the
    operators. Returns the verification's id; a refusal before it starts is logged and raised."""
    with schema_context(get_public_schema_name()):
        try:
            verification = backup_verify(backup=backup_get(backup_id), actor=_actor(actor_id))
        except BackupError as error:  # refused before it started (not found, busy, pruned)
            logger.warning("verification of backup %s not made: %s", backup_id, error.code)
            raise
        if verification.status == Verification.Status.FAILED:
            report_verification_failure(verification=verification, now=timezone.now())
        return verification.pk


@app.task(name="backups.verify_due")
def verify_due_backups(now: datetime | None = None) -> list[int]:
    """Prove the newest copy of every province whose last proof is older than its policy's
    period (beat, daily; `now` for drills and tests). Returns the copies queued."""
    with schema_context(get_public_schema_name()):
        now = now or timezone.now()
        queued = []
        for province in province_list().prefetch_related(None).order_by("slug"):
            newest = schedule.newest_success(province.slug)
            if newest is None:
                continue
            try:
                policy = schedule.policy_at(province.slug, now)
            except ProfileError:
                logger.error("no verification schedule for %s: no profile in force", province.slug)
                continue
            last_passed = schedule.last_passed_verification_at(province.slug)
            if schedule.verification_due(policy, newest=newest, last_passed=last_passed, now=now):
                queued.append(newest.pk)
                try:
                    enqueue(verify_backup_task, newest.pk)
                except BackupError:  # run at once (eagerly) and refused: logged, the others go on
                    continue
        return queued


@app.task(name="backups.restore")
def restore_task(
    backup_id: int,
    mode: str,
    target_schema: str | None = None,
    dry_run: bool = False,
    actor_id: int | None = None,
) -> int:
    """A restore (or its dry run) asked for on the console or the API. Returns the restore's
    id; a refusal is logged and raised (a started restore records its own failure)."""
    with schema_context(get_public_schema_name()):
        try:
            restore = backup_restore(
                backup=backup_get(backup_id),
                mode=mode,
                target_schema=target_schema or None,
                dry_run=dry_run,
                actor=_actor(actor_id),
            )
        except BackupError as error:
            logger.warning(
                "restore of backup %s refused: %s %s", backup_id, error.code, error.message
            )
            raise
        return restore.pk


def restore_queue(*, backup: Backup, mode: str, target_schema: str | None, actor=None) -> None:
    """Queue a real restore for a worker (the console and the API), after the refusals that
    can be known now, since the worker only logs one: a backup of the province running, and
    for a new schema a name taken or reserved (a dry run: no data is read)."""
    if running_backup(backup.province_slug) is not None:
        raise busy_error()
    if mode == Restore.Mode.INTO:
        backup_restore(
            backup=backup, mode=mode, target_schema=target_schema, dry_run=True, actor=actor
        )
    enqueue(
        restore_task,
        backup.pk,
        mode,
        target_schema,
        False,
        actor_id=actor.pk if actor is not None else None,
    )
