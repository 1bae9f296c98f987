"""Once-a-day notices by mail, for every module (ADR 0011, ADR 0015).

A notice is sent at most once per recipient, subject and day, and never lost: its row in
`core.Notice` (unique per recipient, subject and day) is written in the transaction that sends
its mail, so a rerun of a beat task, or two workers at once, never send it twice; a mail that
fails rolls its rows back, is logged without addresses, and goes out on the next run; one
failing mail stops no other. If the commit itself failed after the mail left, the next run would
send it again: a rare duplicate is accepted rather than a lost notice."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date

from django.core.mail import EmailMessage
from django.db import models, transaction

from core.models import Notice

SUBJECT_MAX = 200  # core.Notice.subject

logger = logging.getLogger(__name__)


def notice_subject(*, kind: str, about: models.Model | str) -> str:
    """What a notice is about, as stored: `editorial.item:123:overdue` about one object (its
    model's label, its key and the kind), `editorial:board_summary` about no single object (a
    module's label and the kind)."""
    if isinstance(about, str):
        return f"{about}:{kind}"
    return f"{about._meta.label_lower}:{about.pk}:{kind}"


def notices_send_once(
    *,
    recipient,
    subjects: Sequence[str],
    day: date,
    compose: Callable[[list[str]], EmailMessage],
) -> bool:
    """One mail to `recipient` about what is new for them on `day` among `subjects`. In one
    transaction: the rows of the subjects not yet sent that day are written and
    `compose(fresh)` builds the mail (the fresh subjects in the order given), which is sent.
    Nothing new, or no address: no mail and no row (a recipient without an address is owed the
    notice). A mail that fails rolls its rows back, so the next run retries it, and False is
    returned, so one failing mail stops nothing else. True when a mail went out."""
    too_long = [subject for subject in subjects if not 0 < len(subject) <= SUBJECT_MAX]
    if too_long:
        raise ValueError(f"notice subject empty or over {SUBJECT_MAX} characters: {too_long[0]!r}")
    if not recipient.email:
        return False
    try:
        with transaction.atomic():
            fresh = [
                subject
                for subject in dict.fromkeys(subjects)
                if Notice.objects.get_or_create(recipient=recipient, subject=subject, day=day)[1]
            ]
            if not fresh:
                return False
            compose(fresh).send()
    # Any failure of one mail (SMTP refusals, a server down, a backend's own errors, a mail
    # that cannot be composed) must not stop the province's other notices; the rows are rolled
    # back and the next run retries.
    except Exception:
        logger.warning(
            "notice not sent, to be retried: %s to user %s on %s",
            subjects[0] if len(subjects) == 1 else f"{len(subjects)} subjects",
            recipient.pk,
            day,
            exc_info=True,
        )
        return False
    return True


def notice_send_once(
    *, recipient, subject: str, day: date, message: Callable[[], EmailMessage]
) -> bool:
    """One notice about one subject (notices_send_once): `message()` builds its mail."""
    return notices_send_once(
        recipient=recipient, subjects=[subject], day=day, compose=lambda _fresh: message()
    )
