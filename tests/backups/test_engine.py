"""Backing up one province and proving the copy: the archive and its record, the manifest's
counts and checksums against the schema, a corrupt archive refused at verification, one run
per province at a time, pruning, and the reads the console and the command share."""

from __future__ import annotations

from pathlib import Path

import pytest

from backups import binaries, selectors
from backups.models import Backup, Verification
from backups.services import (
    BackupError,
    backup_create,
    backup_prune,
    backup_verify,
    manifest_profile,
)
from backups.storage import backup_storage
from core.errors import ErrorKind
from tests.backups.conftest import run_sql, schema_rows


def test_a_backup_records_the_archive_and_a_manifest_of_every_table(tenant_db, province_a):
    # given a province with content, questions, procedures and files
    province = province_a.province
    rows_now = schema_rows(province.schema_name)
    seen = []
    # when it is backed up
    backup = backup_create(province=province, progress=lambda *step: seen.append(step))
    # then the record says where the archive lies, its size and sha256
    assert backup.status == Backup.Status.SUCCEEDED
    assert backup.storage_key.startswith(f"{province.slug}/{province.slug}-")
    assert backup.storage_key.endswith(f"-{backup.pk}.tar")
    assert backup_storage().size(backup.storage_key) == backup.size_bytes > 0
    assert len(backup.sha256) == 64
    # and its manifest counts every table's rows as they were
    tables = backup.manifest["tables"]
    assert set(tables) == set(rows_now)
    assert all(tables[name]["rows"] == len(rows) for name, rows in rows_now.items())
    assert backup.manifest["province"] == {
        "slug": province.slug, "name": province.name, "schema": province.schema_name,
    }  # fmt: skip
    assert "0001_initial" in backup.manifest["migrations"]["editorial"]
    assert set(backup.manifest["requires"]["extensions"]) == {"unaccent", "pg_trgm"}
    # and every file with its size and sha256
    files = backup.manifest["files"]
    assert province_a.content["file"] in files
    assert any(name.endswith(".pdf") for name in files)
    # and progress was reported stage by stage, ending with the archive stored
    assert ("dump", 1, 1) in seen
    assert seen[-1] == ("store", 1, 1)
    backup.refresh_from_db()
    assert backup.progress == {"stage": "store", "done": 1, "total": 1}


def test_a_backup_is_verified_by_restoring_it(tenant_db, province_a):
    # given a backup
    backup = backup_create(province=province_a.province)
    # when it is verified
    verification = backup_verify(backup=backup)
    # then the copy restored in a scratch database matches its manifest
    assert verification.status == Verification.Status.PASSED, verification.problems
    assert verification.summary["tables"] == len(backup.manifest["tables"])
    assert verification.summary["files"] == len(backup.manifest["files"])
    backup.refresh_from_db()
    assert backup.verification == Backup.Verified.PASSED
    assert backup.verified_at is not None
    # and no scratch database is left behind
    scratch = f"{binaries.database_name()}_scratch_"
    assert (
        run_sql("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [scratch]) == []
    )


def test_one_flipped_byte_fails_the_verification_with_the_reason(
    tenant_db, province_a, backup_places
):
    # given a stored archive with one byte flipped in the middle
    backup = backup_create(province=province_a.province)
    path = Path(backup_storage().path(backup.storage_key))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    # when it is verified
    verification = backup_verify(backup=backup)
    # then it is refused with the reason people can read
    assert verification.status == Verification.Status.FAILED
    [problem] = verification.problems
    assert problem["what"] == "archive"
    assert "sha256" in problem["reason"]
    assert "khác với giá trị ghi lại khi tạo bản sao lưu" in problem["reason"]
    backup.refresh_from_db()
    assert backup.verification == Backup.Verified.FAILED


def test_a_second_backup_of_the_same_province_while_one_runs_is_refused(tenant_db, province_a):
    # given a backup running (its progress callback starts another of the same province)
    refused = []

    def meanwhile(stage, done, total):
        if stage == "dump" and done == 0 and not refused:
            with pytest.raises(BackupError) as caught:
                backup_create(province=province_a.province)
            refused.append(caught.value)

    # when the first one finishes
    first = backup_create(province=province_a.province, progress=meanwhile)
    # then the second was refused as busy, and the first went on
    [error] = refused
    assert (error.code, error.kind) == ("busy", ErrorKind.CONFLICT)
    assert first.status == Backup.Status.SUCCEEDED
    assert Backup.objects.filter(province_slug=province_a.province.slug).count() == 1


def test_a_run_of_another_province_is_not_blocked(tenant_db, province_a, provinces):
    # given a backup of the throw-away province running
    others = []

    def meanwhile(stage, done, total):
        if stage == "dump" and done == 0 and not others:
            others.append(selectors.running_backup(province_a.province.slug))

    backup_create(province=province_a.province, progress=meanwhile)
    # then the selector saw it running
    assert others[0] is not None
    assert others[0].status == Backup.Status.RUNNING


def test_pruning_deletes_the_archive_and_keeps_the_record(tenant_db, province_a):
    # given a backup
    backup = backup_create(province=province_a.province)
    key = backup.storage_key
    # when it is pruned without a reason, it is refused
    with pytest.raises(BackupError) as caught:
        backup_prune(backup=backup, reason="  ")
    assert caught.value.field == "reason"
    # when it is pruned with one
    backup = backup_prune(backup=backup, reason="chính sách lưu giữ")
    # then the archive is gone and the record says so
    assert not backup_storage().exists(key)
    assert Backup.objects.get(pk=backup.pk).status == Backup.Status.PRUNED
    assert backup.pruned_at is not None
    # and a pruned backup cannot be verified
    with pytest.raises(BackupError) as caught:
        backup_verify(backup=backup)
    assert caught.value.kind is ErrorKind.CONFLICT


def test_selectors_list_newest_first_and_refuse_an_unknown_id(tenant_db, province_a):
    older = backup_create(province=province_a.province)
    newer = backup_create(province=province_a.province)
    listed = selectors.backup_list(province_slug=province_a.province.slug)
    assert [b.pk for b in listed] == [newer.pk, older.pk]
    assert selectors.backup_get(str(newer.pk)) == newer
    for bad in (0, "abc", 10**30):
        with pytest.raises(BackupError) as caught:
            selectors.backup_get(bad)
        assert caught.value.kind is ErrorKind.NOT_FOUND
    assert selectors.backup_list(province_slug="khongco") == []
    assert selectors.running_backup(province_a.province.slug) is None


def test_the_manifest_names_the_profile_version_and_that_drafts_are_kept(tenant_db, provinces):
    # given Thái Nguyên, whose regulation keeps drafts (Art. 11(1))
    part = manifest_profile(provinces["thainguyen"])
    # then the manifest names the profile version in force and its backup rule's article
    assert part["profile"]["file"].startswith("provinces/profiles/thainguyen/")
    assert part["profile"]["backups_source"] == "QĐ 40/2012 Art. 11"
    # and says that drafts are in the archive, citing the article in Vietnamese
    drafts = part["keep_drafts"]
    assert (drafts["value"], drafts["included"]) == (True, True)
    assert drafts["citation"].startswith("Điều 11")


def test_only_a_province_is_backed_up(tenant_db, provinces):
    from tenants.models import Province

    template = Province.objects.get(is_template=True)
    with pytest.raises(BackupError) as caught:
        backup_create(province=template)
    assert caught.value.code == "not_a_province"
    assert not Backup.objects.exists()


def test_a_run_cut_short_does_not_block_the_province(tenant_db, province_a):
    # given a backup recorded as running whose worker was killed (nobody holds the lock)
    slug = province_a.province.slug
    stale = Backup.objects.create(
        province=province_a.province,
        province_slug=slug,
        schema_name=province_a.province.schema_name,
        kind=Backup.Kind.SCHEDULED,
        requested_by_name="worker",
    )
    # when the dispatch looks for interrupted runs
    from backups.services import interrupted_runs_close

    assert interrupted_runs_close() == [slug]
    # then the record is closed as failed with the reason, and a new backup runs
    stale.refresh_from_db()
    assert stale.status == Backup.Status.FAILED
    assert "gián đoạn" in stale.error
    assert backup_create(province=province_a.province).status == Backup.Status.SUCCEEDED


def test_a_run_still_holding_its_lock_is_not_closed(tenant_db, province_a):
    # given a backup really running (its progress callback looks for interrupted runs)
    from backups.services import interrupted_runs_close

    seen = []

    def meanwhile(stage, done, total):
        if stage == "dump" and done == 0 and not seen:
            seen.append(interrupted_runs_close())

    backup = backup_create(province=province_a.province, progress=meanwhile)
    # then it was left alone and finished
    assert seen == [[]]
    assert backup.status == Backup.Status.SUCCEEDED


def test_a_requested_backup_is_one_record_from_queued_to_done(tenant_db, province_a):
    from backups.services import backup_request

    # given a backup asked for on the console
    province = province_a.province
    asked = backup_request(province=province)
    assert (asked.status, asked.kind) == (Backup.Status.QUEUED, Backup.Kind.MANUAL)
    # then asking again while it waits is refused, and nothing more is queued
    with pytest.raises(BackupError) as caught:
        backup_request(province=province)
    assert caught.value.code == "busy"
    # when a worker takes it
    done = backup_create(province=province, queued=asked)
    # then the same record ran to the end
    assert done.pk == asked.pk
    assert done.status == Backup.Status.SUCCEEDED
    assert Backup.objects.filter(province_slug=province.slug).count() == 1


def test_a_request_no_worker_took_within_an_hour_is_closed_with_the_reason(tenant_db, province_a):
    from datetime import timedelta

    from django.utils import timezone

    from backups.services import backup_request, interrupted_runs_close

    # given a request the queue lost two hours ago, and one made just now elsewhere
    lost = backup_request(province=province_a.province)
    Backup.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=2))
    # when the dispatch looks for runs that will never end
    assert interrupted_runs_close() == [province_a.province.slug]
    # then it says why, and a new request is accepted
    lost.refresh_from_db()
    assert lost.status == Backup.Status.FAILED
    assert "một giờ" in lost.error
    assert backup_request(province=province_a.province).status == Backup.Status.QUEUED
