"""The operator API's audit (platform host only, ADR 0022): a province's security audit read
from its own schema and the platform's own, by kind, by cursor; never the rows about content;
refused to anyone but an operator key or session on the platform host."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from accounts.services import audit_record, user_create_with_secret
from integrations.services import api_key_create
from tests.conftest import host_client
from tests.factories.api import error_of

PLATFORM = "platform.localhost"
URL = "/api/v1/operator/provinces/{slug}/audit/"


@pytest.fixture
def operator(tenant_db):
    issued = user_create_with_secret(username="audit_operator", full_name="Vận hành nhật ký")
    issued.user.must_change_password = False
    issued.user.save()
    return issued.user


@pytest.fixture
def api(operator):
    key = api_key_create(user=operator, name="audit", scopes=["operator"]).key
    return host_client(PLATFORM, HTTP_AUTHORIZATION=f"Api-Key {key}")


@pytest.fixture
def hue_rows(in_province):
    with in_province("thuathienhue"):
        audit_record(
            actor=None,
            actor_name="quantri",
            action="sign_in_failed",
            target="quantri",
            address="203.0.113.5",
        )
        audit_record(actor=None, actor_name="quantri", action="user_deactivated", target="nvan")
        audit_record(actor=None, actor_name="quantri", action="api_key_issued", target="cổng")
        audit_record(
            actor=None, actor_name="quantri", action="category_created", target="Ý kiến dân"
        )
    with in_province("hagiang"):
        audit_record(actor=None, actor_name="x", action="sign_in", target="ha-giang-only")


def test_an_operator_key_reads_a_province_security_audit(api, hue_rows):
    response = api.get(URL.format(slug="thuathienhue"))
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    actions = [row["action"] for row in rows]
    assert actions[:3] == ["api_key_issued", "user_deactivated", "sign_in_failed"]
    assert "category_created" not in actions
    assert all(row["target"] != "ha-giang-only" for row in rows)
    failed = rows[actions.index("sign_in_failed")]
    assert failed["address"] == "203.0.113.5"
    assert failed["actor"] == "quantri"


def test_the_kind_filter_and_the_cursor(api, hue_rows, in_province):
    only = api.get(URL.format(slug="thuathienhue"), {"kind": "security"}).json()["results"]
    assert {row["action"] for row in only} <= {"sign_in_failed", "sign_in"}
    with in_province("thuathienhue"):
        for index in range(5):
            audit_record(actor=None, actor_name="x", action="sign_in", target=f"t{index}")
    first = api.get(URL.format(slug="thuathienhue"), {"kind": "security", "page_size": 2}).json()
    assert [row["target"] for row in first["results"]] == ["t4", "t3"]
    second = api.get(first["next"]).json()
    assert [row["target"] for row in second["results"]] == ["t2", "t1"]


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "content"},
        {"kind": "other"},
        {"page_size": "0"},
        {"page_size": "201"},
        {"page_size": "abc"},
        {"cursor": "not-a-cursor"},
        {"cursor": "x" * 5000},
    ],
)
def test_bad_queries_are_400(api, hue_rows, query):
    response = api.get(URL.format(slug="thuathienhue"), query)
    assert response.status_code == 400, (query, response.content)
    error_of(response, 400)


def test_an_unknown_province_is_a_404(api):
    error = error_of(api.get(URL.format(slug="khongco")), 404)
    assert error["code"] == "unknown_province"


def test_the_platform_audit_is_the_public_schema(api, hue_rows):
    with schema_context("public"):
        audit_record(actor=None, actor_name="ops", action="sign_in_failed", target="nen-tang")
    rows = api.get("/api/v1/operator/audit/").json()["results"]
    targets = [row["target"] for row in rows]
    assert "nen-tang" in targets
    assert "quantri" not in targets


def test_only_operators_on_the_platform_host(operator, hue_rows, in_province):
    read_key = api_key_create(user=operator, name="read", scopes=["read"]).key
    scoped = host_client(PLATFORM, HTTP_AUTHORIZATION=f"Api-Key {read_key}")
    assert scoped.get(URL.format(slug="thuathienhue")).status_code == 403
    assert host_client(PLATFORM).get(URL.format(slug="thuathienhue")).status_code in (401, 403)
    # a province's host has no such route
    key = api_key_create(user=operator, name="audit", scopes=["operator"]).key
    province_host = host_client("thuathienhue.localhost", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert province_host.get(URL.format(slug="thuathienhue")).status_code in (401, 403, 404)
