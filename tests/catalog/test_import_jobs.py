"""An import started on the staff page (issue 11): the file is stored, a worker imports it inside
the province's schema after the commit, and the job records its progress and outcome for its
own actor (and the province's administrators) to read."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import ImportJob
from catalog.selectors import import_job
from catalog.services import CatalogError, import_job_run, import_job_start
from core.errors import ErrorKind
from editorial.models import Item, Kind
from tests.catalog.test_import import as_csv, as_xlsx, row
from tests.factories.accounts import administrator as province_administrator


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_a_job_imports_its_file_after_the_commit_and_records_the_outcome(
    catalogue_desk, django_capture_on_commit_callbacks
):
    desk = catalogue_desk("thainguyen")
    rows = [row(n, desk.agency.name) for n in range(1, 4)]
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_start(
            actor=desk.importer, upload=upload("danh-muc.xlsx", as_xlsx(rows)), good_rows_only=False
        )
        assert job.status == ImportJob.Status.QUEUED
        assert job.format == "xlsx"
        stored = job.file.name
        assert default_storage.exists(stored)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    # the uploaded file is not kept once the job has done its work
    assert not job.file
    assert not default_storage.exists(stored)
    assert job.finished_at is not None
    assert (job.created, job.changed, job.unchanged, job.waiting) == (3, 0, 0, 3)
    assert (job.done, job.total) == (3, 3)
    assert job.problems == []
    assert Item.objects.filter(kind=Kind.PROCEDURE).count() == 3
    # a second run of the same job does nothing
    import_job_run(job_pk=job.pk)
    assert Item.objects.filter(kind=Kind.PROCEDURE).count() == 3


def test_a_job_with_a_bad_row_is_refused_with_its_problems(
    catalogue_desk, django_capture_on_commit_callbacks
):
    desk = catalogue_desk("thainguyen")
    rows = [row(1, desk.agency.name, fees="")]
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_start(
            actor=desk.importer, upload=upload("a.csv", as_csv(rows)), good_rows_only=False
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REFUSED
    assert job.problems == [{"line": 2, "field": "fees", "reason": job.problems[0]["reason"]}]
    assert not Item.objects.filter(kind=Kind.PROCEDURE).exists()


def test_starting_a_job_refuses_a_bad_file_or_actor(catalogue_desk):
    desk = catalogue_desk("thainguyen")
    with pytest.raises(CatalogError) as refused:
        import_job_start(actor=desk.importer, upload=upload("a.pdf", b"%PDF"), good_rows_only=False)
    assert refused.value.code == "unknown_format"
    with pytest.raises(CatalogError) as refused:
        import_job_start(actor=desk.importer, upload=upload("a.csv", b""), good_rows_only=False)
    assert refused.value.code == "file_empty"
    approver = desk.staff.holding("portal_approver")
    with pytest.raises(CatalogError) as refused:
        import_job_start(actor=approver, upload=upload("a.csv", b"code"), good_rows_only=False)
    assert refused.value.kind == ErrorKind.FORBIDDEN
    assert not ImportJob.objects.exists()


def test_a_job_is_read_by_its_actor_and_administrators_only(catalogue_desk):
    desk = catalogue_desk("thainguyen")
    job = import_job_start(
        actor=desk.importer, upload=upload("a.csv", as_csv([])), good_rows_only=True
    )
    other = desk.staff.holding("portal_updater")
    administrator = province_administrator()
    assert import_job(pk=job.pk, user=desk.importer) == job
    assert import_job(pk=job.pk, user=other) is None
    assert import_job(pk=job.pk, user=administrator) == job
    assert import_job(pk=10**30, user=desk.importer) is None
