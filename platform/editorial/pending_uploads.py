"""Files uploaded on the new-item form before the item exists (issue 10, must-have 2).

The author's files wait in a per-user area (PendingUpload): the same checks as every
attachment (core.uploads), at most MAX_FILES files and MAX_BYTES bytes per person, visible to
their owner only. Creating the item attaches the ones the author kept, in the same transaction;
the rest are purged MAX_AGE after upload by the periodic task (editorial.tasks). Every upload,
attachment and purge is audited."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import audit_record
from core.errors import ErrorKind
from core.uploads import UploadRefused, check_upload
from editorial.content import ContentError
from editorial.models import Attachment, Item, PendingUpload
from editorial.services import item_create

MAX_FILES = 10
MAX_BYTES = 50 * 1024 * 1024
MAX_AGE = timedelta(hours=24)


def pending_uploads(*, owner) -> QuerySet[PendingUpload]:
    """The owner's files waiting for an item, oldest first (at most MAX_FILES)."""
    return PendingUpload.objects.filter(owner=owner, created_at__gte=timezone.now() - MAX_AGE)


@transaction.atomic
def pending_upload_add(*, actor, uploaded) -> PendingUpload:
    """Keep `uploaded` for the actor's next item, or ContentError on the field `file`."""
    # One upload at a time per person: the limits below are counted, then a row is added.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    try:
        content_type, digest, size = check_upload(uploaded)
    except UploadRefused as refused:
        raise ContentError(refused.code, refused.message, "file", kind=refused.kind) from refused
    waiting = pending_uploads(owner=actor)
    if waiting.count() >= MAX_FILES:
        raise ContentError(
            "too_many_pending_uploads",
            _("Đã có %(count)s tệp chờ gắn vào bài: lưu bài hoặc bỏ bớt tệp trước khi tải thêm.")
            % {"count": MAX_FILES},
            "file",
            kind=ErrorKind.TOO_MANY,
        )
    used = waiting.aggregate(total=Sum("size"))["total"] or 0
    if used + size > MAX_BYTES:
        raise ContentError(
            "pending_uploads_too_large",
            _("Các tệp chờ gắn vào bài vượt quá %(size)s MB: lưu bài hoặc bỏ bớt tệp.")
            % {"size": MAX_BYTES // 1024 // 1024},
            "file",
            kind=ErrorKind.TOO_LARGE,
        )
    name = unicodedata.normalize("NFC", uploaded.name or "tep")[-255:]
    pending = PendingUpload.objects.create(
        owner=actor,
        file=uploaded,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest,
    )
    audit_record(
        actor=actor,
        action="pending_upload_added",
        target=f"pending upload {pending.pk}",
        name=name,
        size=size,
        content_type=content_type,
    )
    return pending


@transaction.atomic
def pending_upload_remove(*, actor, pk: int) -> None:
    """Drop one of the actor's waiting files (another person's, or none: nothing happens)."""
    pending = PendingUpload.objects.select_for_update().filter(owner=actor, pk=pk).first()
    if pending is None:
        return
    name = pending.file.name or ""
    storage = pending.file.storage
    pending.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    audit_record(actor=actor, action="pending_upload_removed", target=f"pending upload {pk}")


@transaction.atomic
def item_create_with_uploads(*, actor, upload_ids: Iterable[int], **content) -> Item:
    """item_create, then the actor's waiting files among `upload_ids` become its attachments,
    all or nothing. Ids of other people's files, or of purged ones, are ignored."""
    item = item_create(actor=actor, **content)
    ids = sorted({int(pk) for pk in upload_ids})[:MAX_FILES]
    waiting = list(
        pending_uploads(owner=actor).filter(pk__in=ids).select_for_update().order_by("pk")
    )
    for pending in waiting:
        # The stored file stays where it is: the attachment points at the same name.
        attachment = Attachment.objects.create(
            item=item,
            file=pending.file.name,
            original_name=pending.original_name,
            content_type=pending.content_type,
            size=pending.size,
            sha256=pending.sha256,
            uploaded_by=actor,
        )
        audit_record(
            actor=actor,
            action="attachment_added",
            target=f"item {item.pk}",
            attachment=attachment.pk,
            name=attachment.original_name,
            from_pending_upload=pending.pk,
        )
    PendingUpload.objects.filter(pk__in=[pending.pk for pending in waiting]).delete()
    return item


@transaction.atomic
def pending_uploads_purge(*, now=None) -> int:
    """Delete the waiting files older than MAX_AGE, rows and stored bytes. Safe to run twice."""
    cutoff = (now or timezone.now()) - MAX_AGE
    stale = list(PendingUpload.objects.filter(created_at__lt=cutoff).select_for_update())
    if not stale:
        return 0
    files = [(pending.file.storage, pending.file.name or "") for pending in stale]
    PendingUpload.objects.filter(pk__in=[pending.pk for pending in stale]).delete()

    def erase() -> None:
        for storage, name in files:
            if name:
                storage.delete(name)

    transaction.on_commit(erase)
    audit_record(
        actor=None, action="pending_uploads_purged", target="pending uploads", count=len(stale)
    )
    return len(stale)
