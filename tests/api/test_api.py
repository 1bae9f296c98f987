"""The API conventions: one error format, cursor pagination, keys hashed and revocable,
OpenAPI schema, operator onboarding on the platform host only."""

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import user_create_with_secret
from integrations.models import ApiKey
from integrations.services import ApiKeyError, api_key_create, api_key_revoke
from tests.conftest import host_client


@pytest.fixture
def operator(tenant_db):
    issued = user_create_with_secret(username="operator_test", full_name="Vận hành")
    issued.user.must_change_password = False
    issued.user.save()
    return issued.user


def test_key_is_stored_hashed_and_shown_once(tenant_db):
    with schema_context(tenant_db["backan"].schema_name):
        user = user_create_with_secret(username="client1").user
        issued = api_key_create(user=user, name="EMC", scopes=["read"])
        stored = ApiKey.objects.get(pk=issued.api_key.pk)
    assert issued.key.startswith(stored.prefix + ".")
    assert issued.key not in (stored.hashed_key, stored.prefix)
    assert len(stored.hashed_key) == 64


def test_revoked_key_is_refused(tenant_db):
    with schema_context(tenant_db["backan"].schema_name):
        user = user_create_with_secret(username="client2").user
        issued = api_key_create(user=user, name="x", scopes=["read"])
        api_key_revoke(api_key=issued.api_key)
    response = host_client("backan.localhost", HTTP_AUTHORIZATION=f"Api-Key {issued.key}").get(
        "/api/v1/me/"
    )
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_unknown_scope_is_refused(tenant_db):
    with schema_context(tenant_db["backan"].schema_name):
        user = user_create_with_secret(username="client3").user
        with pytest.raises(ApiKeyError) as caught:
            api_key_create(user=user, name="x", scopes=["everything"])
    assert caught.value.field == "scopes"


def test_sites_are_cursor_paginated(tenant_db, django_assert_max_num_queries):
    client = host_client("thainguyen.localhost")
    client.get("/api/v1/sites/?page_size=1")  # warm the host and site caches
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/sites/?page_size=1")
    body = response.json()
    assert response.status_code == 200
    assert len(body["results"]) == 1
    assert "cursor=" in body["next"]
    assert body["results"][0]["host"].endswith("thainguyen.gov.vn")


def test_province_endpoint_names_the_component_site(tenant_db):
    body = host_client("stttt.hagiang.localhost").get("/api/v1/province/").json()
    assert body["slug"] == "hagiang"
    assert body["component_site"] == "stttt.hagiang.gov.vn"


def test_openapi_schema_and_docs_are_served_locally(tenant_db):
    client = host_client("hagiang.localhost")
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/sites/" in schema.content.decode()
    docs = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in docs
    assert "cdn" not in docs.lower()


def test_operator_endpoint_needs_an_operator_on_the_platform_host(tenant_db, operator):
    assert host_client("platform.localhost").post(
        "/api/v1/operator/provinces/", {"profile": "hagiang"}
    ).status_code in (401, 403)
    # a province host does not route the operator API at all
    assert (
        host_client("hagiang.localhost")
        .post("/api/v1/operator/provinces/", {"profile": "hagiang"})
        .status_code
        == 404
    )


def test_operator_onboards_idempotently_through_the_api(tenant_db, operator):
    key = api_key_create(user=operator, name="console", scopes=["operator"]).key
    client = host_client("platform.localhost", HTTP_AUTHORIZATION=f"Api-Key {key}")
    response = client.post(
        "/api/v1/operator/provinces/", {"profile": "dongnai"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["created"] is False
    assert response.json()["changes"] == []
    assert response.json()["admin_secret"] is None
    listing = client.get("/api/v1/operator/provinces/").json()
    assert {p["slug"] for p in listing} == set(tenant_db)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "non_field_errors"),
        ({"profile": "../etc"}, "profile"),
        ({"profile_toml": "schema_version = 'x'"}, None),
    ],
)
def test_operator_bad_input_is_a_clear_4xx(tenant_db, operator, payload, field):
    key = api_key_create(user=operator, name="console", scopes=["operator"]).key
    client = host_client("platform.localhost", HTTP_AUTHORIZATION=f"Api-Key {key}")
    response = client.post("/api/v1/operator/provinces/", payload, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] in ("validation_error", "invalid_profile")
    if field:
        assert field in error["fields"]
    else:
        assert error["fields"]


def test_operator_keys_do_not_exist_in_province_schemas(tenant_db, operator):
    with schema_context(tenant_db["hagiang"].schema_name):
        assert not User.objects.filter(username="operator_test").exists()
