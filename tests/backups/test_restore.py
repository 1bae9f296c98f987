"""Restores: in place (the acceptance test: rows and files byte-identical after data was
deleted, the replaced schema kept until dropped), into a new schema for inspection, dry runs
that change nothing, and the refusals that leave nothing behind."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context
from psycopg import sql

from backups.models import Restore
from backups.services import (
    BackupError,
    backup_create,
    backup_restore,
    kept_schema_drop,
)
from config.storage import media_root_of
from core.errors import ErrorKind
from tests.backups.conftest import media_files, run_sql, schema_rows, schemas_like


def _table(schema: str, name: str) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(name))


def test_in_place_restore_brings_back_every_row_and_file_byte_identical(tenant_db, province_a):
    # given a province with content, questions, procedures and files, backed up
    schema = province_a.province.schema_name
    rows_before, files_before = schema_rows(schema), media_files(schema)
    backup = backup_create(province=province_a.province)
    # when data is deleted and changed, files deleted, changed and added (all committed)
    run_sql(
        sql.SQL("TRUNCATE {}, {} CASCADE").format(
            _table(schema, "qa_question"), _table(schema, "editorial_item")
        )
    )
    run_sql(sql.SQL("UPDATE {} SET name = 'Đổi tên'").format(_table(schema, "qa_topic")))
    root = media_root_of(schema)
    (root / province_a.content["file"]).unlink()
    pdf = next(name for name in files_before if name.endswith(".pdf"))
    (root / pdf).write_bytes(b"%PDF-1.4 hong")
    (root / "uploads" / "moi.txt").write_bytes(b"sau sao luu")
    assert schema_rows(schema) != rows_before
    # and a page of the province was cached
    with schema_context(schema):
        cache.set("trang-chu", "cũ", 600)
    connection.set_schema_to_public()
    # when the backup is restored in place
    restore = backup_restore(backup=backup, mode="in_place")
    # then every table's rows and every file are byte-identical to before
    assert restore.status == Restore.Status.SUCCEEDED
    assert schema_rows(schema) == rows_before
    assert media_files(schema) == files_before
    # and the report says what changed
    report = restore.report
    changed = {t["table"] for t in report["tables"] if not t["same"]}
    assert {"qa_question", "editorial_item", "qa_topic"} <= changed
    assert report["files_added"] == [province_a.content["file"]]
    assert report["files_removed"] == ["uploads/moi.txt"]
    assert report["files_changed"] == [pdf]
    assert report["migrations_applied"] == []
    # and the cached page is gone
    with schema_context(schema):
        assert cache.get("trang-chu") is None
    connection.set_schema_to_public()
    # and the replaced schema and files are kept under a dated name until dropped
    kept = restore.kept_schema
    assert kept.startswith(f"{schema}_before_")
    assert schemas_like(kept) == [kept]
    assert schema_rows(kept)["qa_question"] == []
    assert (media_root_of(kept) / "uploads" / "moi.txt").read_bytes() == b"sau sao luu"
    restore = kept_schema_drop(restore=restore)
    assert schemas_like(kept) == []
    assert not media_root_of(kept).exists()
    assert (restore.kept_schema, restore.kept_dropped_at is not None) == ("", True)
    # and a second drop is refused
    with pytest.raises(BackupError) as caught:
        kept_schema_drop(restore=restore)
    assert caught.value.code == "nothing_to_drop"


def test_a_dry_run_reports_and_changes_nothing(tenant_db, province_a):
    # given a backup, then one question's title changed
    schema = province_a.province.schema_name
    backup = backup_create(province=province_a.province)
    question = _table(schema, "qa_question")
    [(pk, title)] = run_sql(
        sql.SQL("SELECT id, title FROM {} ORDER BY id LIMIT 1").format(question)
    )
    run_sql(sql.SQL("UPDATE {} SET title = 'Đổi' WHERE id = %s").format(question), [pk])
    try:
        rows_before, files_before = schema_rows(schema), media_files(schema)
        # when an in-place restore is tried as a dry run
        restore = backup_restore(backup=backup, mode="in_place", dry_run=True)
        # then nothing changed
        assert schema_rows(schema) == rows_before
        assert media_files(schema) == files_before
        assert restore.kept_schema == ""
        assert schemas_like(f"{schema}_") == []
        # and the report says what would change, and the name the live schema would be kept under
        assert [t["table"] for t in restore.report["tables"] if not t["same"]] == ["qa_question"]
        row = next(t for t in restore.report["tables"] if t["table"] == "qa_question")
        assert row["rows_now"] == row["rows_in_backup"]
        assert restore.report["files_added"] == restore.report["files_removed"] == []
        assert restore.report["migrations_to_apply"] == []
        assert restore.report["kept_schema"].startswith(f"{schema}_before_")
    finally:
        run_sql(sql.SQL("UPDATE {} SET title = %s WHERE id = %s").format(question), [title, pk])


def test_restore_into_a_new_schema_for_inspection(tenant_db, province_a):
    # given a backup
    schema = province_a.province.schema_name
    backup = backup_create(province=province_a.province)
    target = f"{schema}_xem"
    try:
        # when it is restored into a new schema
        restore = backup_restore(backup=backup, mode="into", target_schema=target)
        # then the new schema holds the same rows, and its folder the same files
        assert restore.status == Restore.Status.SUCCEEDED
        assert restore.report["matches_manifest"] is True
        assert schema_rows(target) == schema_rows(schema)
        assert media_files(target) == media_files(schema)
        # and the copy is this restore's to drop, like a schema an in-place restore keeps
        assert restore.kept_schema == target
        # when an operator drops it
        live = schema_rows(schema)
        kept_schema_drop(restore=restore)
        # then the copy and its files are gone, and the live schema is untouched
        assert schemas_like(target) == []
        assert not media_root_of(target).exists()
        assert schema_rows(schema) == live
        restore.refresh_from_db()
        assert (restore.kept_schema, restore.kept_dropped_at is not None) == ("", True)
    finally:
        run_sql(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(target)))


@pytest.mark.parametrize(
    ("name", "why"),
    [
        (None, "Cần tên lược đồ đích"),
        ("", "Cần tên lược đồ đích"),
        ("Hoa", "chữ thường"),
        ("1abc", "bắt đầu bằng chữ thường"),
        ("x; drop schema public", "chữ thường"),
        ("a" * 51, "tối đa 50"),
        ("public", "dành riêng"),
        ("pg_toast2", "dành riêng"),
        ("information_schema", "dành riêng"),
        ("province_template", "dành riêng"),
        ("p_hagiang", "lược đồ của một tỉnh"),
    ],
)
def test_restore_into_a_bad_name_is_refused_and_creates_nothing(tenant_db, province_a, name, why):
    backup = backup_create(province=province_a.province)
    schemas = run_sql("SELECT nspname FROM pg_namespace ORDER BY 1")
    with pytest.raises(BackupError) as caught:
        backup_restore(backup=backup, mode="into", target_schema=name)
    assert (caught.value.code, caught.value.field) == ("invalid_target", "target_schema")
    assert caught.value.kind is ErrorKind.INVALID
    assert why in str(caught.value.message)
    assert not Restore.objects.exists()
    assert run_sql("SELECT nspname FROM pg_namespace ORDER BY 1") == schemas


def test_restore_into_an_existing_schema_is_refused(tenant_db, province_a):
    backup = backup_create(province=province_a.province)
    taken = f"{province_a.province.schema_name}_co_san"
    run_sql(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(taken)))
    try:
        with pytest.raises(BackupError) as caught:
            backup_restore(backup=backup, mode="into", target_schema=taken)
        assert caught.value.code == "invalid_target"
        assert "đã có" in str(caught.value.message)
        assert schema_rows(taken) == {}
    finally:
        run_sql(sql.SQL("DROP SCHEMA {}").format(sql.Identifier(taken)))


def test_in_place_refuses_a_backup_with_migrations_this_code_lacks(tenant_db, province_a):
    # given a backup taken by a newer version of the platform
    backup = backup_create(province=province_a.province)
    backup.manifest["migrations"]["editorial"].append("9999_from_the_future")
    backup.save(update_fields=["manifest"])
    rows_before = schema_rows(province_a.province.schema_name)
    # when it is restored in place, it is refused and nothing changed
    with pytest.raises(BackupError) as caught:
        backup_restore(backup=backup, mode="in_place")
    assert (caught.value.code, caught.value.kind) == ("newer_migrations", ErrorKind.CONFLICT)
    assert "editorial.9999_from_the_future" in str(caught.value.message)
    assert schema_rows(province_a.province.schema_name) == rows_before


def test_an_unknown_mode_is_refused(tenant_db, province_a):
    backup = backup_create(province=province_a.province)
    with pytest.raises(BackupError) as caught:
        backup_restore(backup=backup, mode="sideways")
    assert caught.value.field == "mode"


def test_in_place_restore_of_an_older_backup_applies_the_missing_migrations(tenant_db, province_a):
    # given a backup taken before the newest editorial migration (a data update that nothing
    # depends on) was applied
    schema = province_a.province.schema_name
    migrations = _table(schema, "django_migrations")
    where = sql.SQL("FROM {} m WHERE app = 'editorial' AND name = %s").format(migrations)
    name = "0010_deadlines_met_by_first_publication"
    [(row,)] = run_sql(sql.SQL("SELECT row_to_json(m)::text {}").format(where), [name])
    delete = sql.SQL("DELETE FROM {} WHERE app = 'editorial' AND name = %s").format(migrations)
    run_sql(delete, [name])
    backup = backup_create(province=province_a.province)
    run_sql(
        sql.SQL("INSERT INTO {} SELECT * FROM json_populate_record(NULL::{}, %s::json)").format(
            migrations, migrations
        ),
        [row],
    )
    # when it is restored in place
    restore = backup_restore(backup=backup, mode="in_place")
    connection.set_schema_to_public()
    # then the migration the backup lacked was applied after the restore
    assert restore.report["migrations_applied"] == [f"editorial.{name}"]
    # (migrate_schemas runs on Django's connection, here inside the test's transaction)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT count(*) {}").format(where).as_string(), [name])
        assert cursor.fetchone() == (1,)
    kept_schema_drop(restore=restore)
