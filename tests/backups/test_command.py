"""`manage.py backup`: each subcommand end to end against the engine (a real pg_dump of a
throw-away province, restored into a scratch database), printing what it did; bad input exits
non-zero with the reason and stores nothing."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from backups.models import Backup, Restore, Verification
from backups.services import backup_create


def run(*args: str) -> str:
    out = StringIO()
    call_command("backup", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        run(*args)
    return str(caught.value)


def test_create_backs_up_verifies_and_prints_the_copy(tenant_db, province_a):
    # when
    out = run("create", province_a.province.slug)
    # then
    backup = Backup.objects.get(province_slug=province_a.province.slug)
    assert backup.status == Backup.Status.SUCCEEDED
    assert backup.kind == Backup.Kind.MANUAL
    assert backup.verification == Backup.Verified.PASSED
    assert f"backup {backup.pk}:" in out
    assert backup.storage_key in out
    assert f"verification {backup.verifications.get().pk}: passed" in out


def test_list_json_verify_and_a_dry_run_of_both_restores(tenant_db, province_a):
    # given
    slug = province_a.province.slug
    backup = backup_create(province=province_a.province)
    # when: list
    rows = json.loads(run("list", slug, "--json"))
    # then
    assert rows == [
        {
            "id": backup.pk,
            "province": slug,
            "created": timezone.localtime(backup.created_at).isoformat(timespec="seconds"),
            "size": backup.size_bytes,
            "storage": backup.storage,
            "key": backup.storage_key,
            "verified": "unverified",
            "status": "succeeded",
        }
    ]
    table = run("list")
    assert run("list", "dongnai") == "no backups of dongnai\n"
    assert "path or object key" in table
    assert backup.storage_key in table
    # when: verify
    out = run("verify", str(backup.pk))
    assert "passed" in out
    assert Verification.objects.get(backup=backup).status == Verification.Status.PASSED
    # when: dry runs
    in_place = run("restore", str(backup.pk), "--in-place", "--dry-run")
    assert "nothing changed" in in_place
    assert "tables that change: 0 of" in in_place
    assert f"the current schema is kept as: {province_a.province.schema_name}_before_" in in_place
    into = run("restore", str(backup.pk), "--into", "inspect_cmd_dry", "--dry-run")
    assert "target schema: inspect_cmd_dry" in into
    assert Restore.objects.filter(backup=backup, dry_run=True).count() == 2
    assert not Restore.objects.filter(dry_run=False).exists()


def test_a_corrupt_archive_fails_verification_with_exit_1(tenant_db, province_a):
    # given: one flipped byte in the stored archive
    from django.core.files.storage import storages

    backup = backup_create(province=province_a.province)
    path = storages["backups"].path(backup.storage_key)
    with open(path, "r+b") as archive:
        archive.seek(1000)
        byte = archive.read(1)
        archive.seek(1000)
        archive.write(bytes([byte[0] ^ 0xFF]))
    # when / then
    message = refused("verify", str(backup.pk))
    assert "failed verification" in message
    assert Verification.objects.get(backup=backup).status == Verification.Status.FAILED


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("create", "khongco"), "unknown province 'khongco'"),
        (("create", "../etc"), "unknown province"),
        (("create", "public"), "unknown province"),
        (("list", "KHONG CO"), "unknown province"),
        (("list", "khongco"), "unknown province 'khongco'"),
        (("list", "--limit", "0"), "--limit"),
        (("verify", "abc"), "not an id"),
        (("verify", "0"), "not an id"),
        (("verify", "99999999999999999999999"), "not an id"),
        (("verify", "424242"), "not_found"),
        (("restore", "424242", "--in-place"), "not_found"),
        (("drop-kept", "424242"), "no restore 424242"),
        (("drop-kept", "-5"), "not an id"),
    ],
)
def test_bad_input_exits_1_and_stores_nothing(tenant_db, args, reason):
    assert reason in refused(*args)
    assert not Backup.objects.exists()
    assert not Restore.objects.exists()


@pytest.mark.parametrize(
    "schema",
    ["Bad-Name", "pg_toast2", "public", "a" * 64, "1abc", "x; DROP SCHEMA public"],
)
def test_restore_refuses_a_bad_schema_name(tenant_db, province_a, schema):
    backup = backup_create(province=province_a.province)
    message = refused("restore", str(backup.pk), "--into", schema, "--dry-run")
    assert "schema" in message
    assert not Restore.objects.exists()


def test_restore_needs_exactly_one_of_into_or_in_place(tenant_db):
    with pytest.raises(CommandError):
        run("restore", "1")
    with pytest.raises(CommandError):
        run("restore", "1", "--into", "abc", "--in-place")


def test_in_place_restore_prints_the_kept_schema_and_drop_kept_removes_it(tenant_db, province_a):
    # given
    from tests.backups.conftest import schemas_like

    schema = province_a.province.schema_name
    backup = backup_create(province=province_a.province)
    # when
    out = run("restore", str(backup.pk), "--in-place")
    # then
    restore = Restore.objects.get(backup=backup, dry_run=False)
    assert restore.kept_schema.startswith(f"{schema}_before_")
    assert f"the replaced schema is kept as {restore.kept_schema}" in out
    assert f"python manage.py backup drop-kept {restore.pk}" in out
    assert restore.kept_schema in schemas_like(schema)
    # when
    dropped = run("drop-kept", str(restore.pk))
    # then
    assert f"dropped schema {restore.kept_schema}" in dropped
    assert restore.kept_schema not in schemas_like(schema)
    assert "keeps no schema" in refused("drop-kept", str(restore.pk))
