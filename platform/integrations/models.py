"""API keys of integration clients. The table exists in every province's schema (keys of that
province's integrators) and in the public schema (operators' keys): a key is only ever looked up
in the schema of the host it is presented on, so it is refused on every other province's host."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("đọc")
        WRITE = "write", _("ghi")
        # Writes to the public-service catalogue (procedures): its own scope, so that a
        # newsroom's key cannot change procedures nor a catalogue key publish news.
        CATALOGUE = "catalogue", _("danh mục thủ tục hành chính")
        # Reads of the activity figures, reports and royalty ledgers (not public: they name
        # staff and amounts paid).
        REPORTS = "reports", _("báo cáo, số liệu hoạt động, nhuận bút")
        OPERATOR = "operator", _("vận hành (chỉ trên máy chủ của Bộ)")

    name = models.CharField(max_length=120)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    # The key is "<prefix>.<secret>"; only the prefix and a SHA-256 of the whole key are kept.
    prefix = models.CharField(max_length=16, unique=True)
    hashed_key = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Every key expires (one year unless asked otherwise at issue; ADR 0013).
    expires_at = models.DateTimeField()
    # Who issued it (None: the command line, named in the audit row).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
