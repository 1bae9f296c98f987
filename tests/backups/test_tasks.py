"""The backups' background work, run for real (Celery runs eagerly in tests): the dispatch
queues the provinces due, a backup is proven and pruned by its policy, a failing one is
retried and reported to the operators, two runs of one province never overlap."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from accounts.services import operator_create
from backups.models import Backup, Verification
from backups.services import BackupError, province_lock
from backups.tasks import (
    backup_province_task,
    dispatch_due_backups,
    restore_task,
    verify_backup_task,
    verify_due_backups,
)
from config.celery import app
from provinces.calendar import TZ
from tests.factories.backups import backup_record


def last_night(hour: int, minute: int = 0) -> datetime:
    """Today's (or, before it, yesterday's) `hour:minute` in Vietnam, in the past."""
    now = datetime.now(tz=TZ)
    moment = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return moment if moment < now else moment - timedelta(days=1)


@pytest.fixture
def archives(settings, tmp_path):
    """The backups storage in a directory of this test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "archives")},
        },
    }
    return tmp_path / "archives"


@pytest.fixture
def broken_storage(settings, tmp_path):
    """A backups storage that cannot be written: its directory is a plain file."""
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocked / "archives")},
        },
    }


@pytest.fixture
def as_a_worker():
    """Errors stay in the task, as on a worker: a retry runs the task again (eagerly) instead of
    propagating to the caller."""
    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


@pytest.fixture
def operator(tenant_db):
    return operator_create(username="trucvanhanh", email="vanhanh@mic.gov.vn").user


def test_the_dispatch_queues_the_provinces_due_and_each_once(tenant_db, archives):
    # given: at 01:30 tonight four provinces have a copy of their period or one running
    night = last_night(1, 30)
    backup_record(tenant_db["thuathienhue"], at=night - timedelta(minutes=20))
    backup_record(tenant_db["backan"], at=night - timedelta(minutes=25))
    backup_record(tenant_db["thainguyen"], at=night - timedelta(days=3))  # weekly
    # when the beat's dispatch runs (Đồng Nai's run really running: it holds its lock)
    with province_lock("dongnai"):
        backup_record(
            tenant_db["dongnai"], at=night - timedelta(minutes=5), status=Backup.Status.RUNNING
        )
        queued = dispatch_due_backups(now=night)
        # then only Hà Giang was queued, and (eagerly) backed up
        assert queued == ["hagiang"]
        copy = Backup.objects.get(province_slug="hagiang")
        assert (copy.status, copy.kind) == (Backup.Status.SUCCEEDED, Backup.Kind.SCHEDULED)
        assert (archives / copy.storage_key).is_file()
        # a second dispatch the same night finds nothing due
        assert dispatch_due_backups(now=night + timedelta(minutes=15)) == []
    assert Backup.objects.filter(province_slug="hagiang").count() == 1


def test_a_province_already_queued_is_not_queued_again(tenant_db, archives):
    night = last_night(1, 30)
    for slug in ("thuathienhue", "backan", "dongnai", "thainguyen"):
        backup_record(tenant_db[slug], at=night - timedelta(minutes=10))
    # given Hà Giang queued by an earlier dispatch, its run not finished
    cache.add("backups:queued:hagiang", 1, 3600)
    # when
    assert dispatch_due_backups(now=night) == []
    # then nothing ran
    assert not Backup.objects.filter(province_slug="hagiang").exists()


def test_a_busy_province_is_not_a_failure(tenant_db, archives, operator):
    mail.outbox.clear()
    # given another run holds Đồng Nai
    with province_lock("dongnai"):
        # when
        result = backup_province_task.delay("dongnai", Backup.Kind.MANUAL).get()
    # then nothing was recorded, retried or reported
    assert result is None
    assert not Backup.objects.filter(province_slug="dongnai").exists()
    assert mail.outbox == []


def test_a_failing_backup_is_retried_then_reported_to_the_operators(
    tenant_db, broken_storage, operator, as_a_worker, caplog
):
    mail.outbox.clear()
    # when: the storage refuses the archive on every attempt
    with caplog.at_level(logging.WARNING, logger="backups.tasks"):
        result = backup_province_task.delay("thuathienhue", Backup.Kind.SCHEDULED).get()
    # then: three attempts, each a FAILED record counting its attempt
    assert result is None
    failed = list(Backup.objects.filter(province_slug="thuathienhue").order_by("created_at", "pk"))
    assert [(b.status, b.attempts) for b in failed] == [
        (Backup.Status.FAILED, 1),
        (Backup.Status.FAILED, 2),
        (Backup.Status.FAILED, 3),
    ]
    assert all(b.error for b in failed)
    # reported once, to the operator, with the province, the error and the console
    assert len(mail.outbox) == 1
    report = mail.outbox[0]
    assert report.to == ["vanhanh@mic.gov.vn"]
    assert "Thừa Thiên Huế" in report.subject
    assert failed[-1].error in report.body
    page = reverse(
        "frontend:console_backup", kwargs={"pk": failed[-1].pk}, urlconf="config.urls_public"
    )
    assert f"http://platform.localhost{page}" in report.body
    errors = [r for r in caplog.records if r.name == "backups.tasks" and r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "thuathienhue" in errors[0].getMessage()
    # the next dispatch tries again; a second report the same day is not mailed twice
    backup_province_task.delay("thuathienhue", Backup.Kind.SCHEDULED).get()
    assert Backup.objects.filter(province_slug="thuathienhue").count() == 6
    assert len(mail.outbox) == 1


def test_a_manual_backup_is_proven_and_old_copies_pruned(tenant_db, archives, operator):
    province = tenant_db["backan"]
    # given copies of long ago the policy no longer keeps (14 days, 8 weeks, 12 months)
    old = [
        backup_record(
            province, at=datetime.now(tz=TZ) - timedelta(days=days), storage_key=f"old-{days}"
        )
        for days in (400, 401)
    ]
    # when an operator backs the province up
    backup_id = backup_province_task.delay("backan", Backup.Kind.MANUAL, operator.pk).get()
    # then the copy is made, proven at once, and the older copy of that month is pruned
    backup = Backup.objects.get(pk=backup_id)
    assert (backup.status, backup.verification) == (Backup.Status.SUCCEEDED, "passed")
    assert backup.requested_by == operator
    assert Verification.objects.filter(backup=backup, status="passed").count() == 1
    statuses = {b.pk: b.status for b in Backup.objects.filter(pk__in=[o.pk for o in old])}
    # 400 days ago is outside every bucket: both old copies go
    assert statuses == {old[0].pk: Backup.Status.PRUNED, old[1].pk: Backup.Status.PRUNED}


def test_the_daily_check_proves_the_copies_not_proven_in_their_period(
    tenant_db, archives, operator
):
    # given a scheduled copy of Hà Giang, proven at once because its week had no proof yet
    backup_id = backup_province_task.delay("hagiang", Backup.Kind.SCHEDULED).get()
    backup = Backup.objects.get(pk=backup_id)
    assert backup.verification == Backup.Verified.PASSED
    # then the daily check has nothing to prove this week
    assert verify_due_backups() == []
    # a week later it proves the newest copy again
    assert verify_due_backups(now=datetime.now(tz=TZ) + timedelta(days=7)) == [backup.pk]
    assert Verification.objects.filter(backup=backup, status="passed").count() == 2


def test_a_copy_that_does_not_restore_is_reported(tenant_db, archives, operator):
    mail.outbox.clear()
    backup_id = backup_province_task.delay("dongnai", Backup.Kind.SCHEDULED).get()
    backup = Backup.objects.get(pk=backup_id)
    # given the archive damaged: one byte flipped
    path = archives / backup.storage_key
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    # when it is verified
    verification = Verification.objects.get(pk=verify_backup_task.delay(backup.pk).get())
    # then it failed with a reason, and the operators heard of it
    assert verification.status == Verification.Status.FAILED
    assert verification.problems
    assert len(mail.outbox) == 1
    assert "Đồng Nai" in mail.outbox[0].subject


def test_the_console_s_tasks_say_why_they_were_refused(tenant_db):
    # the console and the API run these eagerly in tests and show the service's refusal
    with pytest.raises(BackupError) as refused:
        verify_backup_task.delay(987654).get()
    assert refused.value.code == "not_found"
    with pytest.raises(BackupError) as refused:
        restore_task.delay(987654, "into", "scratch_copy", False).get()
    assert refused.value.code == "not_found"
