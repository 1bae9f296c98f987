"""The catalogue's own tables (a procedure itself is an editorial item of kind `procedure`,
ADR 0019). Every table lives in the province's schema."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """A file of procedures a staff member uploaded on the staff page, imported by a worker
    (catalog.tasks) with its progress and its outcome: what the command prints, kept."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSON = "json", "JSON"
        XLSX = "xlsx", "Excel (XLSX)"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ xử lý")
        RUNNING = "running", _("Đang nhập")
        DONE = "done", _("Đã nhập xong")
        REFUSED = "refused", _("Không nhập: tệp có dòng lỗi")
        FAILED = "failed", _("Lỗi hệ thống, chưa nhập được")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="catalog_imports"
    )
    file = models.FileField(upload_to="catalog/imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    format = models.CharField(max_length=8, choices=Format.choices)
    good_rows_only = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)  # rows to store (known once checked)
    done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    waiting = models.PositiveIntegerField(default=0)
    # [{"line": N, "field": "...", "reason": "..."}, …], as the command prints them.
    problems = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["actor", "-created_at"], name="import_job_actor")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def progress_key(self) -> str:
        """Where a running import keeps (done, total): its writes are one transaction, invisible
        until it commits. Cache keys carry the schema (ARCHITECTURE.md): job numbers are per
        province."""
        return f"catalog:import-progress:{connection.schema_name}:{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REFUSED, self.Status.FAILED)
