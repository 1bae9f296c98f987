"""Operator API for province merges (platform host only): the dry run answers 201 with the plan
and changes nothing else; bad input is a 400 in the one error body with nothing stored (the same
province twice, an unknown slug, a bad date, a bad or oversized answer); answers are stored;
the run is queued (202, an outbox row) once; cancel; a province's key and anonymous are
refused."""

from __future__ import annotations

import pytest

from accounts.services import user_create_with_secret
from integrations.services import api_key_create
from organization.models import ComponentSite
from tenants.merging import MergeError, merge_run
from tenants.models import MergeJob, OutboxTask
from tests.conftest import Staff, host_client
from tests.factories.api import error_of, post_json
from tests.factories.catalog import same_code_in_both

PLATFORM = "platform.localhost"
BASE = "/api/v1/operator/merges/"
PLAN = {"source": "backan", "target": "thainguyen", "effective_from": "2025-07-01"}


def _operator(username: str, scopes=("operator",)):
    issued = user_create_with_secret(username=username, full_name=f"Vận hành {username}")
    issued.user.is_staff = True
    issued.user.must_change_password = False
    issued.user.save()
    key = api_key_create(user=issued.user, name="merges", scopes=list(scopes)).key
    client = host_client(PLATFORM, HTTP_AUTHORIZATION=f"Api-Key {key}")
    client.user = issued.user
    return client


@pytest.fixture
def api(tenant_db):
    return _operator("merge_api_operator")


def _planned(client) -> dict:
    response = post_json(client, BASE, PLAN)
    assert response.status_code == 201, response.content
    return response.json()


def merge_tasks():
    return OutboxTask.objects.filter(task="tenants.merge_run")


def test_the_dry_run_answers_201_with_the_plan(api, tenant_db):
    # when
    body = _planned(api)
    # then
    assert body["status"] == "planned"
    assert body["status_label"] == "Đã lập kế hoạch (chạy thử)"
    assert body["source"] == {"slug": "backan", "name": "Bắc Kạn"}
    assert body["target"]["slug"] == "thainguyen"
    assert body["effective_from"] == "2025-07-01"
    assert body["requested_by"] == "merge_api_operator"
    assert body["queued"] is False
    for part in ("counts", "agencies", "sites", "users", "roles", "topics", "problems"):
        assert part in body["plan"], part
    tenant_db["backan"].refresh_from_db()
    assert tenant_db["backan"].merged_into is None
    # and it is listed and readable
    listing = api.get(BASE).json()
    assert [job["id"] for job in listing["results"]] == [body["id"]]
    assert "plan" not in listing["results"][0]
    assert api.get(f"{BASE}{body['id']}/").json()["plan"] == body["plan"]
    assert api.get(BASE, {"status": "completed"}).json()["results"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**PLAN, "target": "backan"}, "target"),
        ({**PLAN, "source": "khongco"}, "source"),
        ({**PLAN, "source": "Bắc Kạn"}, "source"),
        ({**PLAN, "source": "x" * 10_000}, "source"),
        ({**PLAN, "effective_from": "2025-02-30"}, "effective_from"),
        ({**PLAN, "effective_from": "1800-01-01"}, "effective_from"),
        ({**PLAN, "effective_from": 20250701}, "effective_from"),
        ({"source": "backan", "target": "thainguyen"}, "effective_from"),
        ({**PLAN, "source": ["backan"]}, "source"),
    ],
)
def test_bad_plans_are_400_and_store_nothing(api, body, field):
    error = error_of(post_json(api, BASE, body), 400)
    assert field in error["fields"]
    assert not MergeJob.objects.exists()


def test_an_unknown_province_is_named_in_vietnamese(api):
    error = error_of(post_json(api, BASE, {**PLAN, "target": "khongco"}), 400)
    assert error["code"] == "unknown_province"
    assert error["fields"] == {"target": ["Không có tỉnh này trên nền tảng."]}


def test_answers_are_stored(api, in_province):
    code = same_code_in_both(in_province)
    job = _planned(api)
    assert [c["code"] for c in job["plan"]["procedure_conflicts"]] == [code]
    response = post_json(api, f"{BASE}{job['id']}/resolve/", {"procedures": {code: "source"}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["resolutions"]["procedures"] == {code: "source"}
    assert body["plan"]["procedure_conflicts"][0]["resolution"] == "source"


@pytest.mark.parametrize(
    "procedures",
    [
        {"1.009999": "both"},
        {"1.009999": None},
        {"1.009999": ["target"]},
        {"x" * 61: "target"},
        {f"1.{n:06d}": "target" for n in range(2001)},
        {},
        "1.009999=target",
    ],
)
def test_bad_answers_are_400_and_store_nothing(api, in_province, procedures):
    same_code_in_both(in_province)
    job = _planned(api)
    error_of(post_json(api, f"{BASE}{job['id']}/resolve/", {"procedures": procedures}), 400)
    assert not MergeJob.objects.get(pk=job["id"]).resolutions.get("procedures")


def test_an_answer_for_a_code_the_plan_does_not_list_is_refused(api, in_province):
    same_code_in_both(in_province)
    job = _planned(api)
    response = post_json(api, f"{BASE}{job['id']}/resolve/", {"procedures": {"9.9": "target"}})
    assert 400 <= response.status_code < 500
    error_of(response)
    assert not MergeJob.objects.get(pk=job["id"]).resolutions.get("procedures")


def test_an_oversized_body_is_refused(api):
    job = _planned(api)
    body = '{"procedures": {"1.0": "' + "t" * (6 * 1024 * 1024) + '"}}'
    response = api.post(f"{BASE}{job['id']}/resolve/", body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert not MergeJob.objects.get(pk=job["id"]).resolutions.get("procedures")


def test_the_run_is_queued_once(api, no_worker):
    job = _planned(api)
    # when
    response = api.post(f"{BASE}{job['id']}/run/")
    # then: 202, a run queued in the public schema as the key's operator
    assert response.status_code == 202, response.content
    assert response.json()["queued"] is True
    task = merge_tasks().get()
    assert task.args == [job["id"], api.user.pk]
    assert task.schema_name == "public"
    # and not queued twice
    error = error_of(api.post(f"{BASE}{job['id']}/run/"), 409)
    assert error["code"] == "already_queued"
    assert merge_tasks().count() == 1


def test_the_run_is_refused_while_the_plan_has_problems(api, in_province, no_worker):
    same_code_in_both(in_province)
    job = _planned(api)
    error = error_of(api.post(f"{BASE}{job['id']}/run/"), 409)
    assert error["code"] == "plan_problems"
    assert not merge_tasks().exists()


def test_cancel(api):
    job = _planned(api)
    response = api.post(f"{BASE}{job['id']}/cancel/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    error_of(api.post(f"{BASE}{job['id']}/cancel/"), 409)
    assert error_of(api.post(f"{BASE}{job['id']}/run/"), 409)["code"] == "merge_closed"


@pytest.mark.parametrize("path", [f"{BASE}424242/", f"{BASE}0/", f"{BASE}99999999999999999999/"])
def test_unknown_jobs_are_404(api, path):
    error_of(api.get(path), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", BASE),
        ("post", BASE),
        ("get", f"{BASE}1/"),
        ("post", f"{BASE}1/resolve/"),
        ("post", f"{BASE}1/run/"),
        ("post", f"{BASE}1/cancel/"),
    ],
)
def test_only_operators_on_the_platform_host(tenant_db, in_province, method, path):
    anonymous = getattr(host_client(PLATFORM), method)(path)
    with in_province("backan"):
        staff = user_create_with_secret(username="bk_merge_api_staff").user
        staff.must_change_password = False
        staff.save()
        staff_key = api_key_create(user=staff, name="x", scopes=["read"]).key
    as_staff = getattr(host_client(PLATFORM, HTTP_AUTHORIZATION=f"Api-Key {staff_key}"), method)(
        path
    )
    on_province_host = getattr(host_client("backan.localhost"), method)(path)
    assert anonymous.status_code in (401, 403)
    assert as_staff.status_code in (401, 403)
    error_of(as_staff)
    assert on_province_host.status_code == 404
    assert not MergeJob.objects.exists()


def test_an_operator_key_without_the_operator_scope_is_refused(tenant_db):
    client = _operator("merge_api_reader", scopes=("read",))
    assert client.get(BASE).status_code == 403
    assert post_json(client, BASE, PLAN).status_code == 403
    assert not MergeJob.objects.exists()


def test_the_list_reads_a_bounded_number_of_queries(api, django_assert_max_num_queries):
    _planned(api)
    with django_assert_max_num_queries(12):
        response = api.get(BASE)
    assert response.status_code == 200


def test_a_failed_merge_is_resumed_through_the_api(api, no_worker):
    # given a job whose run failed inside its content stage
    job = _planned(api)
    calls = []

    def failing(stage, done, total):
        calls.append(stage)
        if calls.count("content") == 2:
            raise RuntimeError("đĩa đầy")

    with pytest.raises(MergeError):
        merge_run(job=MergeJob.objects.get(pk=job["id"]), progress=failing)
    detail = api.get(f"{BASE}{job['id']}/").json()
    assert detail["status"] == "failed"
    assert detail["stage"] == "content"
    assert detail["error"]
    assert detail["stages"]["backup"]["status"] == "done"
    # when / then: the run is queued again
    assert api.post(f"{BASE}{job['id']}/run/").status_code == 202
    assert merge_tasks().count() == 1


def a_site_editor_in_backan(in_province):
    """A holder of Bắc Kạn's `site_editor`, a role Thái Nguyên's profile names otherwise."""
    with in_province("backan"):
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        return Staff(site.agency).holding("site_editor")


def test_a_role_is_mapped_to_one_held_per_agency_in_the_target(api, in_province):
    a_site_editor_in_backan(in_province)
    job = _planned(api)
    assert "updater" in [choice["code"] for choice in job["plan"]["role_choices"]]
    response = post_json(api, f"{BASE}{job['id']}/resolve/", {"roles": {"site_editor": "updater"}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["resolutions"]["roles"] == {"site_editor": "updater"}
    (editor,) = [role for role in body["plan"]["roles"] if role["code"] == "site_editor"]
    assert editor["mapped"] == editor["holders"] == 1
    # "" takes the answer back
    back = post_json(api, f"{BASE}{job['id']}/resolve/", {"roles": {"site_editor": ""}})
    assert back.json()["resolutions"]["roles"] == {}


@pytest.mark.parametrize(
    "roles",
    [
        {"site_editor": "editor_in_chief"},  # a province-wide role: never granted by a merge
        {"khongco": "updater"},
        {"site_editor": "x" * 61},
        {"site_editor": None},
        {"site_editor": ["updater"]},
        {f"r{n}": "updater" for n in range(2001)},
    ],
)
def test_bad_role_answers_are_400_and_store_nothing(api, in_province, roles):
    a_site_editor_in_backan(in_province)
    job = _planned(api)
    error_of(post_json(api, f"{BASE}{job['id']}/resolve/", {"roles": roles}), 400)
    assert not MergeJob.objects.get(pk=job["id"]).resolutions.get("roles")
