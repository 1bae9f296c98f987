"""What must not break a citizen's submission or leave data behind."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from qa.models import Question
from qa.services import questions_purge_expired
from tests.conftest import host_client
from tests.factories.qa import submitted

PDF = b"%PDF-1.4\n%%EOF\n"


def test_a_mail_server_down_does_not_hide_a_stored_submission(
    qa_province, settings, django_capture_on_commit_callbacks
):
    _site, _staff, topic = qa_province("hagiang")
    settings.EMAIL_BACKEND = "tests.conftest.FailingMailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        question = submitted(topic)
    assert Question.objects.filter(pk=question.pk).exists()


def test_purge_removes_the_files_too(qa_province, django_capture_on_commit_callbacks):
    _site, _staff, topic = qa_province("backan")
    question = submitted(topic, attachments=[SimpleUploadedFile("cmnd.pdf", PDF)])
    stored = question.attachments.get().file
    assert stored.storage.exists(stored.name)
    with django_capture_on_commit_callbacks(execute=True):
        questions_purge_expired(today=question.retention_until + timedelta(days=1))
    assert not stored.storage.exists(stored.name)


def test_a_nul_byte_in_an_address_is_a_clear_404_not_a_500(tenant_db):
    client = host_client("hagiang.localhost")
    assert client.get("/hoi-dap/da-gui/%00/").status_code in (400, 404)
    assert client.get("/api/v1/qa/track/%00/").status_code in (400, 404)
    assert client.get("/hoi-dap/tra-cuu/?ma=%00").status_code in (200, 400, 404)
