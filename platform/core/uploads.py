"""Uploaded files checked by their bytes, not their names, and by their size: the one check
every module's attachments go through (editorial items, citizens' questions).

A refusal is an `UploadRefused` (a ServiceError) with a stable code and its kind; the module
that asked names the field it belongs to (ADR 0015)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.errors import ErrorKind, ServiceError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

# Magic bytes → the content type we accept. Anything else is refused, whatever its name says.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword"),  # .doc/.xls (OLE2)
)
_ZIP = b"PK\x03\x04"
_OOXML = {
    b"word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    b"xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    b"ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


class UploadRefused(ServiceError):
    """A file the platform does not take: `code` is stable (file_too_large, file_empty,
    file_type_refused), `message` is for the person who sent it, `kind` TOO_LARGE for a file
    over the size limit and INVALID otherwise. No field: the caller knows which it was."""


def sniff_content_type(head: bytes, *, zip_names: bytes = b"") -> str | None:
    """The content type the first bytes show (and, for a zip, the names inside it), or None."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head.startswith(_ZIP):
        for prefix, content_type in _OOXML.items():
            if prefix in zip_names:
                return content_type
    return None


def check_upload(uploaded: Any) -> tuple[str, str, int]:
    """(content type from the bytes, sha256, size) of an uploaded file, or UploadRefused."""
    size = uploaded.size
    if size > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            "file_too_large",
            _("Tệp quá lớn (tối đa %(size)s MB).") % {"size": MAX_UPLOAD_BYTES // 1024 // 1024},
            kind=ErrorKind.TOO_LARGE,
        )
    if size == 0:
        raise UploadRefused("file_empty", _("Tệp rỗng."))
    digest = hashlib.sha256()
    head = b""
    names = b""
    for chunk in uploaded.chunks():
        if len(head) < 4096:
            head += chunk[: 4096 - len(head)]
        if head.startswith(_ZIP) and len(names) < 65536:
            names += chunk[:65536]
        digest.update(chunk)
    uploaded.seek(0)
    content_type = sniff_content_type(head, zip_names=names)
    if content_type is None:
        raise UploadRefused(
            "file_type_refused",
            _(
                "Chỉ nhận PDF, Word, Excel, PowerPoint, PNG, JPEG hoặc GIF "
                "(kiểm tra theo nội dung tệp)."
            ),
        )
    return content_type, digest.hexdigest(), size
