"""Reads of accounts shared by the web pages and the API."""

from django.db.models import QuerySet

from accounts.models import AuditEntry


def audit_entries(*, limit: int = 200) -> QuerySet[AuditEntry]:
    """The latest administrative changes of the active schema, newest first."""
    return AuditEntry.objects.order_by("-created_at", "-pk")[:limit]
