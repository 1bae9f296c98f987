"""Operator API for backups (platform host only): who may call it, how bad input is refused
(always a 4xx in the one error body, nothing stored), 202 for queued work, 409 while a
province's backup runs, a dry-run restore answered at once with its report."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.services import user_create_with_secret
from backups.models import Backup, Restore, Verification
from backups.services import backup_create
from integrations.services import api_key_create
from tenants.models import Province
from tests.backups import conftest as backups_fixtures
from tests.conftest import host_client
from tests.factories.accounts import verified_login
from tests.factories.api import error_of, post_json
from tests.factories.backups import backup_record
from tests.factories.pages import page_text

# The throw-away province of the backups' tests (committed: pg_dump reads what is committed).
backup_places = backups_fixtures.backup_places
province_a = backups_fixtures.province_a

PLATFORM = "platform.localhost"


@pytest.fixture
def operator(tenant_db):
    issued = user_create_with_secret(username="backup_operator", full_name="Vận hành sao lưu")
    issued.user.must_change_password = False
    issued.user.save()
    return issued.user


@pytest.fixture
def api(operator):
    key = api_key_create(user=operator, name="backups", scopes=["operator"]).key
    return host_client(PLATFORM, HTTP_AUTHORIZATION=f"Api-Key {key}")


def _running(slug: str) -> Backup:
    # A backup a worker is taking now (only the engine's run writes one; this layer reads it).
    return backup_record(
        Province.objects.get(slug=slug),
        at=timezone.now(),
        status=Backup.Status.RUNNING,
        progress={"stage": "dump", "done": 0, "total": 1},
    )


# --- who may call it ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/operator/backups/"),
        ("post", "/api/v1/operator/backups/"),
        ("get", "/api/v1/operator/backups/status/"),
        ("get", "/api/v1/operator/backups/1/"),
        ("post", "/api/v1/operator/backups/1/verify/"),
        ("post", "/api/v1/operator/backups/1/restore/"),
    ],
)
def test_only_operators_on_the_platform_host(tenant_db, in_province, method, path):
    # given: anonymous, and a province's staff key
    anonymous = getattr(host_client(PLATFORM), method)(path)
    with in_province("hagiang"):
        staff = user_create_with_secret(username="hg_backup_staff").user
        staff.must_change_password = False
        staff.save()
        staff_key = api_key_create(user=staff, name="x", scopes=["read", "write"]).key
    as_staff = getattr(host_client(PLATFORM, HTTP_AUTHORIZATION=f"Api-Key {staff_key}"), method)(
        path
    )
    on_province_host = getattr(host_client("hagiang.localhost"), method)(path)
    # then
    assert anonymous.status_code in (401, 403)
    assert as_staff.status_code in (401, 403)
    error_of(as_staff)
    assert on_province_host.status_code == 404


def test_an_operator_key_without_the_operator_scope_is_refused(tenant_db, operator):
    key = api_key_create(user=operator, name="read only", scopes=["read"]).key
    client = host_client(PLATFORM, HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get("/api/v1/operator/backups/").status_code == 403


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "province"),
        ({"province": "../hagiang"}, "province"),
        ({"province": "x" * 5000}, "province"),
        ({"province": "khongco"}, "province"),
        ({"province": ["hagiang"]}, "province"),
    ],
)
def test_create_refuses_bad_or_unknown_provinces(api, body, field):
    response = post_json(api, "/api/v1/operator/backups/", body)
    error = error_of(response, 400)
    assert field in error["fields"]
    assert not Backup.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/operator/backups/99999999999999999999999999/",
        "/api/v1/operator/backups/9223372036854775808/",
        "/api/v1/operator/backups/0/",
        "/api/v1/operator/backups/424242/",
    ],
)
def test_unknown_or_out_of_range_ids_are_404(api, path):
    assert error_of(api.get(path), 404)["code"] == "not_found"
    assert error_of(post_json(api, path + "verify/", {}), 404)["code"] == "not_found"
    restore = post_json(api, path + "restore/", {"mode": "into", "target_schema": "xem_lai"})
    assert error_of(restore, 404)["code"] == "not_found"


def test_ids_that_are_not_numbers_are_not_routed(api):
    assert api.get("/api/v1/operator/backups/-1/").status_code == 404
    assert api.get("/api/v1/operator/backups/abc/").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("province=../x", "province"),
        ("province=" + "a" * 300, "province"),
        ("page_size=100000", "page_size"),
        ("page_size=0", "page_size"),
    ],
)
def test_list_refuses_bad_filters(api, query, field):
    error = error_of(api.get(f"/api/v1/operator/backups/?{query}"), 400)
    assert field in error["fields"]


def test_list_refuses_a_forged_cursor(api):
    error = error_of(api.get("/api/v1/operator/backups/?cursor=cD0nJw=="), 400)
    assert error["code"] == "invalid_cursor"


def test_a_running_backup_makes_a_new_one_409(api, tenant_db):
    # given
    running = _running("hagiang")
    # when
    response = post_json(api, "/api/v1/operator/backups/", {"province": "hagiang"})
    # then
    assert error_of(response, 409)["code"] == "busy"
    assert list(Backup.objects.values_list("pk", flat=True)) == [running.pk]


def test_detail_shows_a_running_backups_progress(api, tenant_db):
    running = _running("dongnai")
    body = api.get(f"/api/v1/operator/backups/{running.pk}/").json()
    assert body["status"] == "running"
    assert body["status_label"] == "Đang chạy"
    assert body["progress"] == {"stage": "dump", "done": 0, "total": 1}
    assert body["verifications"] == []
    assert body["restores"] == []


def test_a_backup_not_finished_cannot_be_verified_or_restored(api, tenant_db):
    running = _running("backan")
    verify = post_json(api, f"/api/v1/operator/backups/{running.pk}/verify/", {})
    assert error_of(verify, 409)["code"] == "not_restorable"
    restore = post_json(
        api,
        f"/api/v1/operator/backups/{running.pk}/restore/",
        {"mode": "in_place", "dry_run": True},
    )
    assert error_of(restore, 409)["code"] == "not_restorable"
    assert not Restore.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "mode"),
        ({"mode": "sideways"}, "mode"),
        ({"mode": "into"}, "target_schema"),
        ({"mode": "into", "target_schema": "Robert'); DROP SCHEMA public;--"}, "target_schema"),
        ({"mode": "into", "target_schema": "a" * 64}, "target_schema"),
        ({"mode": "into", "target_schema": "public"}, "target_schema"),
        ({"mode": "into", "target_schema": "pg_catalog"}, "target_schema"),
        ({"mode": "into", "target_schema": "1abc"}, "target_schema"),
        ({"mode": "in_place", "target_schema": "other"}, "target_schema"),
        ({"mode": "into", "target_schema": "ok_name", "dry_run": "perhaps"}, "dry_run"),
    ],
)
def test_restore_refuses_bad_input(api, tenant_db, body, field):
    running = _running("thainguyen")
    response = post_json(api, f"/api/v1/operator/backups/{running.pk}/restore/", body)
    assert field in error_of(response, 400)["fields"]
    assert not Restore.objects.exists()


def test_status_lists_every_province_with_its_policy_in_words(
    api, tenant_db, django_assert_max_num_queries
):
    api.get("/api/v1/operator/backups/status/")  # the key and the hosts are cached
    with django_assert_max_num_queries(30):
        body = api.get("/api/v1/operator/backups/status/").json()
    by_slug = {row["province"]: row for row in body}
    assert set(by_slug) == set(tenant_db)
    thainguyen = by_slug["thainguyen"]
    assert thainguyen["last_backup"] is None
    assert thainguyen["status_label"]
    assert thainguyen["policy"]["frequency"] in ("daily", "weekly")
    # Thái Nguyên's frequency is its regulation's (Art. 11), cited in Vietnamese
    frequency = next(r for r in thainguyen["policy"]["rules"] if r["field"] == "frequency")
    assert "Điều 11" in frequency["cited"]


# --- with a real backup of a throw-away province (tasks run eagerly in tests) -------------


def test_create_answers_202_and_the_copy_is_taken_and_verified(
    api, tenant_db, backup_places, django_assert_max_num_queries
):
    # given: a seed province (its profile gives the task its policy)
    slug = "backan"
    # when
    response = post_json(api, "/api/v1/operator/backups/", {"province": slug})
    # then
    assert response.status_code == 202, response.content
    backup = Backup.objects.get(province_slug=slug)
    assert response.json() == {"province": slug, "backup": backup.pk, "status": "succeeded"}
    assert backup.kind == Backup.Kind.MANUAL
    assert backup.requested_by_name
    assert backup.verification == Backup.Verified.PASSED
    with django_assert_max_num_queries(6):
        listing = api.get(f"/api/v1/operator/backups/?province={slug}").json()
    assert [row["id"] for row in listing["results"]] == [backup.pk]
    assert listing["results"][0]["key"] == backup.storage_key
    assert api.get("/api/v1/operator/backups/?province=dongnai").json()["results"] == []


def test_detail_lists_the_manifest_counts_and_the_verifications(
    api, province_a, django_assert_max_num_queries
):
    backup = backup_create(province=province_a.province)
    # when
    verify = post_json(api, f"/api/v1/operator/backups/{backup.pk}/verify/", {})
    with django_assert_max_num_queries(8):
        body = api.get(f"/api/v1/operator/backups/{backup.pk}/").json()
    # then
    assert verify.status_code == 202
    assert body["manifest"]["tables"] == len(backup.manifest["tables"])
    assert body["manifest"]["files"] >= 2  # the uploaded file and the procedure's form
    assert body["manifest"]["rows"] > 0
    assert [v["status"] for v in body["verifications"]] == ["passed"]
    assert body["verifications"][0]["problems"] == []


def test_a_dry_run_answers_200_with_its_report_and_changes_nothing(api, province_a):
    backup = backup_create(province=province_a.province)
    schema = province_a.province.schema_name
    # when
    in_place = post_json(
        api,
        f"/api/v1/operator/backups/{backup.pk}/restore/",
        {"mode": "in_place", "dry_run": True},
    )
    into = post_json(
        api,
        f"/api/v1/operator/backups/{backup.pk}/restore/",
        {"mode": "into", "target_schema": f"{schema}_look", "dry_run": True},
    )
    # then
    assert in_place.status_code == 200, in_place.content
    report = in_place.json()["report"]
    assert report["kept_schema"].startswith(f"{schema}_before_")
    assert report["tables_changed"] == 0
    assert in_place.json()["kept_schema"] == ""
    assert into.status_code == 200
    assert into.json()["report"]["target_schema"] == f"{schema}_look"
    assert Restore.objects.filter(dry_run=False).count() == 0


def test_a_real_restore_is_queued_202_and_a_taken_schema_is_refused_400(api, province_a, tenant_db):
    backup = backup_create(province=province_a.province)
    schema = province_a.province.schema_name
    # a province's schema is never a target
    taken = post_json(
        api,
        f"/api/v1/operator/backups/{backup.pk}/restore/",
        {"mode": "into", "target_schema": tenant_db["hagiang"].schema_name},
    )
    assert error_of(taken, 400)["fields"].keys() == {"target_schema"}
    # when
    response = post_json(
        api,
        f"/api/v1/operator/backups/{backup.pk}/restore/",
        {"mode": "into", "target_schema": f"{schema}_copy"},
    )
    # then
    assert response.status_code == 202, response.content
    restore = Restore.objects.get(dry_run=False)
    assert restore.status == Restore.Status.SUCCEEDED
    assert restore.target_schema == f"{schema}_copy"


def test_verify_of_a_missing_archive_records_a_failed_proof(api, province_a):
    from django.core.files.storage import storages

    backup = backup_create(province=province_a.province)
    storages["backups"].delete(backup.storage_key)
    response = post_json(api, f"/api/v1/operator/backups/{backup.pk}/verify/", {})
    assert response.status_code == 202
    assert Verification.objects.get(backup=backup).status == Verification.Status.FAILED


def test_status_says_when_a_province_has_no_readable_profile(api, province_a):
    # a province onboarded from an uploaded profile has none shipped under its slug
    body = api.get("/api/v1/operator/backups/status/").json()
    row = next(r for r in body if r["province"] == province_a.province.slug)
    assert row["status"] == "no_profile"
    assert row["policy"] is None
    assert "hồ sơ quy chế" in row["status_label"]


@pytest.fixture
def console_page(operator):
    """The text of an operator console page, signed in as the API's operator."""
    operator.is_staff = True
    operator.save(update_fields=["is_staff"])
    client = host_client(PLATFORM)
    verified_login(client, operator)
    return lambda path: page_text(client.get(path))


def test_a_backup_asked_for_is_followed_by_its_id_while_it_waits(
    api, tenant_db, no_worker, console_page
):
    # when an operator asks for a backup and no worker has taken it yet
    response = post_json(api, "/api/v1/operator/backups/", {"province": "hagiang"})
    # then the answer names the record to follow
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued"
    detail = api.get(f"/api/v1/operator/backups/{body['backup']}/").json()
    assert (detail["status"], detail["status_label"]) == ("queued", "Đang chờ")
    # and the province stands as waiting, on the API and the console
    status = {row["province"]: row for row in api.get("/api/v1/operator/backups/status/").json()}
    assert status["hagiang"]["status_label"] == "Đang chờ sao lưu"
    assert "Đang chờ đến lượt" in console_page("/sao-luu/")
    # and asking again queues nothing more
    again = post_json(api, "/api/v1/operator/backups/", {"province": "hagiang"})
    assert error_of(again, 409)["code"] == "busy"
    assert Backup.objects.filter(province_slug="hagiang").count() == 1
