"""Backup records (public schema, ADR 0020): what was copied of which province, where the
archive lies, whether it was proven by a restore, and every restore made from it.

A record outlives its province (`province` is set null, `province_slug` and `schema_name`
stay) so that an operator can still find and restore the copies of a province offboarded by
mistake."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Backup(models.Model):
    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Theo lịch")
        MANUAL = "manual", _("Thủ công")

    class Status(models.TextChoices):
        # Asked for on the console or through the API, waiting for a worker: the record exists
        # at once so that its id can be followed.
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        SUCCEEDED = "succeeded", _("Hoàn tất")
        FAILED = "failed", _("Thất bại")
        # Deleted by the retention policy (or an operator): the record stays, the archive is gone.
        PRUNED = "pruned", _("Đã xoá theo chính sách lưu giữ")

    class Verified(models.TextChoices):
        UNVERIFIED = "unverified", _("Chưa kiểm tra")
        PASSED = "passed", _("Đã kiểm tra: khớp")
        FAILED = "failed", _("Đã kiểm tra: không khớp")

    province = models.ForeignKey(
        "tenants.Province", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    province_slug = models.CharField(max_length=40, db_index=True)
    schema_name = models.CharField(max_length=63)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_name = models.CharField(max_length=150)  # kept if the account goes
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Where the archive lies: the storage backend's alias (settings.STORAGES) and the name in it
    # (a path under BACKUP_ROOT, or an object key).
    storage = models.CharField(max_length=40, blank=True)
    storage_key = models.CharField(max_length=500, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)  # of the whole archive, as stored
    # The manifest as written into the archive (province, profile version, migrations, tables
    # with row count and checksum, files with size and sha256).
    manifest = models.JSONField(default=dict, blank=True)
    # While running: {"stage": ..., "done": n, "total": m}; the console shows it.
    progress = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)  # for people; never a secret or a connection string
    verification = models.CharField(
        max_length=12, choices=Verified.choices, default=Verified.UNVERIFIED
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    pruned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "backups_backup"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two runs for the same province never overlap (with the advisory lock that also
            # covers restores).
            models.UniqueConstraint(
                fields=["province_slug"],
                condition=Q(status="running"),
                name="backups_one_running_per_province",
            ),
            # And one waiting: asking twice does not queue two copies.
            models.UniqueConstraint(
                fields=["province_slug"],
                condition=Q(status="queued"),
                name="backups_one_queued_per_province",
            ),
        ]

    def __str__(self) -> str:
        return f"backup {self.pk} of {self.province_slug} ({self.status})"

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class Verification(models.Model):
    """One proof of a backup: the archive restored into a scratch database and compared, table
    by table and file by file, with its manifest."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Đang chạy")
        PASSED = "passed", _("Khớp")
        FAILED = "failed", _("Không khớp")

    backup = models.ForeignKey(Backup, on_delete=models.CASCADE, related_name="verifications")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    requested_by_name = models.CharField(max_length=150)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # [{"what": "table" | "file" | "archive" | "migrations", "name": ..., "reason": ...}]
    problems = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)  # tables, rows, files, bytes compared

    class Meta:
        db_table = "backups_verification"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"verification {self.pk} of backup {self.backup_id} ({self.status})"


class Restore(models.Model):
    """A restore, or its dry run: into a new schema for inspection, or in place (the schema it
    replaced kept under `kept_schema` until an operator drops it)."""

    class Mode(models.TextChoices):
        INTO = "into", _("Vào lược đồ mới")
        IN_PLACE = "in_place", _("Tại chỗ")

    class Status(models.TextChoices):
        RUNNING = "running", _("Đang chạy")
        SUCCEEDED = "succeeded", _("Hoàn tất")
        FAILED = "failed", _("Thất bại")

    backup = models.ForeignKey(Backup, on_delete=models.PROTECT, related_name="restores")
    province_slug = models.CharField(max_length=40, db_index=True)
    mode = models.CharField(max_length=12, choices=Mode.choices)
    dry_run = models.BooleanField(default=False)
    target_schema = models.CharField(max_length=63)
    # In place: the name the replaced schema (and its files' folder) was given; empty once
    # dropped (`kept_dropped_at`).
    kept_schema = models.CharField(max_length=63, blank=True)
    kept_dropped_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_name = models.CharField(max_length=150)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    # What changes (dry run) or changed: per table rows now / in the backup, files added,
    # removed, changed; migrations applied after the restore.
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        db_table = "backups_restore"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"restore {self.pk} of backup {self.backup_id} ({self.mode}, {self.status})"
