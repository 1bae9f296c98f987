"""A user, a session, a key or a cache entry of one province never reaches another."""

import uuid

from django.core.cache import cache
from django_tenants.utils import schema_context

from accounts.services import user_create_with_secret
from integrations.services import api_key_create
from tests.conftest import host_client


def _staff(province, username="canbo1", password="Mat-khau-rat-dai-2026"):
    with schema_context(province.schema_name):
        issued = user_create_with_secret(username=username, full_name="Cán bộ Một")
        user = issued.user
        user.set_password(password)
        user.must_change_password = False
        user.save()
    return user, password


def _login(host, username, password):
    client = host_client(host)
    response = client.post("/staff/login/", {"username": username, "password": password})
    return client, response


def test_staff_of_one_province_cannot_log_in_on_another_host(tenant_db):
    _, password = _staff(tenant_db["hagiang"])
    # on its own province's host the log-in works
    client, response = _login("hagiang.localhost", "canbo1", password)
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
    # the same credentials are unknown on another province's host
    client, response = _login("dongnai.localhost", "canbo1", password)
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session


def test_session_cookie_of_one_province_is_not_valid_on_another(tenant_db):
    _, password = _staff(tenant_db["hagiang"])
    client, _ = _login("hagiang.localhost", "canbo1", password)
    cookie = client.cookies["sessionid"].value
    other = host_client("dongnai.localhost")
    other.cookies["sessionid"] = cookie
    response = other.get("/staff/")
    assert response.status_code == 302
    assert "/staff/login/" in response["Location"]


def test_api_key_of_one_province_is_refused_on_every_other_host(tenant_db):
    user, _ = _staff(tenant_db["hagiang"])
    with schema_context(tenant_db["hagiang"].schema_name):
        key = api_key_create(user=user, name="integration", scopes=["read"]).key
    header = {"HTTP_AUTHORIZATION": f"Api-Key {key}"}
    assert host_client("hagiang.localhost", **header).get("/api/v1/me/").status_code == 200
    assert host_client("stttt.hagiang.localhost", **header).get("/api/v1/me/").status_code == 200
    for host in (
        "dongnai.localhost",
        "thainguyen.localhost",
        "backan.localhost",
        "thuathienhue.localhost",
        "platform.localhost",
    ):
        response = host_client(host, **header).get("/api/v1/me/")
        assert response.status_code in (401, 403), host
        assert response.json()["error"]["code"] in ("authentication_failed", "not_authenticated")


def test_cache_entries_are_per_province(tenant_db):
    key = f"greeting-{uuid.uuid4()}"
    with schema_context(tenant_db["hagiang"].schema_name):
        cache.set(key, "Hà Giang")
    with schema_context(tenant_db["dongnai"].schema_name):
        assert cache.get(key) is None
        cache.set(key, "Đồng Nai")
    with schema_context(tenant_db["hagiang"].schema_name):
        assert cache.get(key) == "Hà Giang"
