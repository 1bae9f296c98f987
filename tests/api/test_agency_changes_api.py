"""Operator API for agency changes (platform host only): a dry run answers the plan and
changes nothing; an apply moves and redirects; each problem is a 400 naming its path, nothing
stored; a province's staff key, a key without the operator scope and an unknown province are
refused."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from accounts.services import user_create_with_secret
from integrations.services import api_key_create
from organization.models import Agency
from tenants.models import HostRedirect
from tests.conftest import host_client
from tests.factories.api import error_of, post_json
from tests.factories.integrations import api_key
from tests.factories.organization import Staff

PLATFORM = "platform.localhost"
URL = "/api/v1/operator/provinces/thainguyen/agency-changes/"
MERGE = {"action": "merge", "agency": "sotttt", "into": "sokhdt"}


def _operator_api(username: str = "agency_api_operator", scopes=("operator",)):
    issued = user_create_with_secret(username=username, full_name="Vận hành")
    issued.user.must_change_password = False
    issued.user.save()
    key = api_key_create(user=issued.user, name="agencies", scopes=list(scopes)).key
    return host_client(PLATFORM, HTTP_AUTHORIZATION=f"Api-Key {key}")


@pytest.fixture
def operator(tenant_db):
    return _operator_api()


def _active(province) -> bool:
    with schema_context(province.schema_name):
        return Agency.objects.get(site__label="sotttt").is_active


def test_a_dry_run_answers_the_plan_and_changes_nothing(operator, tenant_db):
    # when
    response = post_json(operator, URL, {"changes": [MERGE], "dry_run": True})
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] is True
    assert body["applied"] is False
    assert body["changes"][0]["action_label"] == "Hợp nhất cơ quan"
    assert body["changes"][0]["target"]["label"] == "sokhdt"
    assert {r["host"] for r in body["changes"][0]["host_redirects"]} == {
        "sotttt.thainguyen.gov.vn",
        "sotttt.thainguyen.localhost",
    }
    assert _active(tenant_db["thainguyen"])
    assert not HostRedirect.objects.exists()


def test_an_apply_merges_and_redirects(operator, tenant_db):
    # when
    response = post_json(operator, URL, {"changes": [MERGE], "dry_run": False})
    # then
    assert response.status_code == 200, response.content
    assert response.json()["applied"] is True
    assert not _active(tenant_db["thainguyen"])
    assert HostRedirect.objects.get(host="sotttt.thainguyen.gov.vn").target_host == (
        "sokhdt.thainguyen.gov.vn"
    )


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ([{"action": "merge", "agency": "sotttt", "into": "sotttt"}], "changes[0].into"),
        ([{"action": "retire", "agency": "phoyen"}], "changes[0].successor"),
        ([MERGE, {"action": "rename", "agency": "daitu", "name": "x", "y": "z"}], "changes[1].y"),
        ([{"action": "merge", "agency": "sotttt", "into": ["sokhdt"]}], "changes[0].into"),
    ],
)
def test_a_problem_is_a_400_naming_its_path_and_nothing_is_stored(
    operator, tenant_db, changes, path, dry_run
):
    # when
    response = post_json(operator, URL, {"changes": changes, "dry_run": dry_run})
    # then
    error = error_of(response, 400)
    assert error["code"] == "agency_changes_invalid"
    assert path in error["fields"]
    assert _active(tenant_db["thainguyen"])
    assert not HostRedirect.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"changes": []},
        {"changes": [MERGE] * 201},
        {"changes": "merge"},
        {"changes": [MERGE], "dry_run": "maybe"},
        {},
    ],
)
def test_a_malformed_body_is_a_400(operator, body):
    assert post_json(operator, URL, body).status_code == 400


def test_an_unknown_province_is_a_404(operator):
    response = post_json(operator, URL.replace("thainguyen", "khongco"), {"changes": [MERGE]})
    assert error_of(response, 404)["code"] == "unknown_province"


def test_only_operators_on_the_platform_host(tenant_db):
    # given: a key without the operator scope, and a province's staff key on its own host
    reader = _operator_api("agency_api_reader", scopes=("read",))
    with schema_context(tenant_db["thainguyen"].schema_name):
        agency = Agency.objects.get(site__label="sotttt")
        secret = api_key(Staff(agency).holding("administrator"), scopes=("read", "write"))
    staff = host_client("thainguyen.localhost", HTTP_AUTHORIZATION=f"Api-Key {secret}")
    anonymous = host_client(PLATFORM)
    # when / then
    assert post_json(reader, URL, {"changes": [MERGE], "dry_run": False}).status_code == 403
    assert post_json(staff, URL, {"changes": [MERGE], "dry_run": False}).status_code in (403, 404)
    assert post_json(anonymous, URL, {"changes": [MERGE], "dry_run": False}).status_code in (
        401,
        403,
    )
    assert _active(tenant_db["thainguyen"])
