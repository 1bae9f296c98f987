"""One check of uploaded files for every module (core.uploads, ADR 0015): by their bytes, not
their names, and by their size; a refusal has a stable code and the module names the field."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import ErrorKind, ServiceError
from core.uploads import MAX_UPLOAD_BYTES, UploadRefused, check_upload, sniff_content_type

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_the_bytes_decide_the_type_not_the_name():
    content_type, digest, size = check_upload(SimpleUploadedFile("anh.png", PDF))
    assert (content_type, digest) == ("application/pdf", hashlib.sha256(PDF).hexdigest())
    assert size == len(PDF)


def test_an_office_file_is_told_by_the_names_inside_its_zip():
    docx = _docx()
    assert check_upload(SimpleUploadedFile("to-trinh.zip", docx))[0] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert sniff_content_type(b"PK\x03\x04", zip_names=b"other/") is None


def test_the_file_is_left_at_its_start_for_storage():
    uploaded = SimpleUploadedFile("van-ban.pdf", PDF)
    check_upload(uploaded)
    assert uploaded.read() == PDF


@pytest.mark.parametrize(
    ("uploaded", "code", "kind"),
    [
        (
            SimpleUploadedFile("trang.pdf", b"<html><script>alert(1)</script>"),
            "file_type_refused",
            ErrorKind.INVALID,
        ),
        (SimpleUploadedFile("rong.pdf", b""), "file_empty", ErrorKind.INVALID),
        (
            SimpleUploadedFile("lon.pdf", PDF + b"\0" * MAX_UPLOAD_BYTES),
            "file_too_large",
            ErrorKind.TOO_LARGE,
        ),
    ],
)
def test_a_refusal_is_a_service_error_with_a_stable_code_and_kind(uploaded, code, kind):
    with pytest.raises(UploadRefused) as refused:
        check_upload(uploaded)
    assert isinstance(refused.value, ServiceError)
    assert (refused.value.code, refused.value.kind) == (code, kind)
    assert refused.value.message.startswith(("Chỉ nhận", "Tệp"))


class _UnreadableUpload(SimpleUploadedFile):
    """A file whose storage fails while it is read: the server's fault, not the sender's."""

    def chunks(self, chunk_size=None):
        raise OSError("temporary upload storage is gone")


def test_a_question_turns_only_refusals_into_field_errors(province_schema):
    from qa.models import Question
    from qa.services import QaError, topic_ensure
    from tests.factories.qa import submitted

    site, _staff = province_schema("hagiang")
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    # a refused file is the asker's field error ...
    with pytest.raises(QaError) as refused:
        submitted(topic, attachments=[SimpleUploadedFile("a.pdf", b"MZ\x90\x00")])
    assert (refused.value.code, refused.value.field) == ("file_type_refused", "attachments")
    # ... a failure of the server is not disguised as one
    with pytest.raises(OSError, match="storage is gone"):
        submitted(topic, attachments=[_UnreadableUpload("a.pdf", PDF)])
    assert not Question.objects.exists()
