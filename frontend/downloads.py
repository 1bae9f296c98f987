"""A stored upload sent as a download under its original name and the content type its bytes
were checked to be; never a public media path nor a link into object storage (the views
decide who may fetch it, ADR 0025). The bytes are streamed from the province's storage area
(config.storage): a folder on disk, or a private bucket's prefix in production."""

import logging

from django.http import FileResponse, Http404

logger = logging.getLogger(__name__)


def download(attachment) -> FileResponse:
    if attachment is None or not attachment.file:
        raise Http404
    field = attachment.file
    try:
        handle = field.storage.open(field.name, "rb")
    except FileNotFoundError:
        # The row outlived its bytes (a restore of the rows only, a hand-deleted object): the
        # citizen gets "not found", the operator a log line naming the row, never the key.
        logger.warning("stored file of %s %s is missing", type(attachment).__name__, attachment.pk)
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
