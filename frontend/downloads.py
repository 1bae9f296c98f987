"""A stored upload sent as a download under its original name and the content type its bytes
were checked to be; never a public media path (the views decide who may fetch it)."""

from django.http import FileResponse, Http404


def download(attachment) -> FileResponse:
    if attachment is None or not attachment.file:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
