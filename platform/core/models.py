"""The core's one table: the notices already sent (core.notices, ADR 0015)."""

from django.conf import settings
from django.db import models


class Notice(models.Model):
    """A notice already sent, written in the transaction that sends its mail (core.notices):
    a rerun never sends it twice, a mail that fails leaves no row and is retried."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # What the notice is about (core.notices.notice_subject): "editorial.item:123:overdue" for
    # one object, "editorial:board_summary" for a module's summary.
    subject = models.CharField(max_length=200)
    day = models.DateField()  # in the province's time zone
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "subject", "day"], name="core_notice_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.recipient_id} on {self.day}"
