"""The API's rates apply (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]), counted in Redis per client
address (behind TRUSTED_PROXIES, as every per-address limit) or per signed-in user, the
Q&A submission limit is one allowance per address across every province of the platform, and
one action has one allowance whether the web pages or the API perform it (core.limits)."""

from __future__ import annotations

import json

import pytest
from django_tenants.utils import schema_context

from organization.models import ComponentSite
from qa.models import Question
from qa.services import topic_ensure
from tests.conftest import host_client
from tests.factories.integrations import api_key
from tests.factories.organization import Staff


@pytest.fixture
def rates(settings):
    def set_rates(**scopes: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **scopes,
            },
        }

    return set_rates


def _throttled(response) -> None:
    assert response.status_code == 429, response.content
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_the_n_plus_first_anonymous_request_gets_429(tenant_db, rates):
    rates(anon="3/min")
    client = host_client("hagiang.localhost", REMOTE_ADDR="192.0.2.10")
    for _ in range(3):
        assert client.get("/api/v1/province/").status_code == 200
    _throttled(client.get("/api/v1/province/"))
    # another address has its own allowance
    other = host_client("hagiang.localhost", REMOTE_ADDR="192.0.2.11")
    assert other.get("/api/v1/province/").status_code == 200


def test_the_address_is_the_one_our_proxy_saw(tenant_db, rates, settings):
    rates(anon="2/min")
    settings.TRUSTED_PROXIES = 1

    def via_proxy(client_address: str, claimed: str):
        # every request reaches gunicorn from the proxy; the client's own claim comes first
        return host_client(
            "hagiang.localhost",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"{claimed}, {client_address}",
        ).get("/api/v1/province/")

    assert via_proxy("198.51.100.7", "10.0.0.1").status_code == 200
    assert via_proxy("198.51.100.7", "10.0.0.2").status_code == 200
    _throttled(via_proxy("198.51.100.7", "10.0.0.3"))  # forging the left entry does not help
    assert via_proxy("198.51.100.8", "10.0.0.1").status_code == 200  # nor the proxy's address


def test_a_signed_in_user_gets_429_past_the_user_rate(tenant_db, rates):
    rates(user="2/min")
    with schema_context(tenant_db["dongnai"].schema_name):
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        user = Staff(site.agency).holding("agency_head")
        key = api_key(user, scopes=["read"])
    client = host_client("dongnai.localhost", HTTP_AUTHORIZATION=f"Api-Key {key}")
    for _ in range(2):
        assert client.get("/api/v1/me/").status_code == 200
    _throttled(client.get("/api/v1/me/"))


def _submit(tenant_db, slug: str, address: str):
    with schema_context(tenant_db[slug].schema_name):
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        topic = topic_ensure(name="Đất đai", agency=site.agency)
    body = {
        "topic": topic.slug,
        "title": "Hỏi về đất đai",
        "text": "Xin hỏi thủ tục?",
        "name": "Nguyễn Văn A",
        "email": "a@example.vn",
        "consent": True,
    }
    return host_client(f"{slug}.localhost", REMOTE_ADDR=address).post(
        "/api/v1/qa/questions/", json.dumps(body), content_type="application/json"
    )


def test_submissions_from_one_address_to_two_provinces_share_one_allowance(tenant_db, settings):
    settings.QA_SUBMISSIONS_PER_HOUR = 2
    assert _submit(tenant_db, "hagiang", "203.0.113.50").status_code == 201
    assert _submit(tenant_db, "dongnai", "203.0.113.50").status_code == 201

    refused = _submit(tenant_db, "thainguyen", "203.0.113.50")
    assert refused.status_code == 429, refused.content
    assert refused.json()["error"]["code"] == "rate_limited"
    with schema_context(tenant_db["thainguyen"].schema_name):
        assert not Question.objects.exists()
    # another address still submits there
    assert _submit(tenant_db, "thainguyen", "203.0.113.51").status_code == 201


def test_the_api_rates_are_counted_per_province(tenant_db, rates):
    # users exist per province (the same id is another person elsewhere): a count is the
    # host's province's, for users and addresses alike
    rates(anon="2/min")
    hagiang = host_client("hagiang.localhost", REMOTE_ADDR="192.0.2.20")
    for _ in range(2):
        assert hagiang.get("/api/v1/province/").status_code == 200
    _throttled(hagiang.get("/api/v1/province/"))
    dongnai = host_client("dongnai.localhost", REMOTE_ADDR="192.0.2.20")
    assert dongnai.get("/api/v1/province/").status_code == 200


# --- one action, one allowance, on the web and the API (core.limits) ---------------------------


def test_tracking_code_guesses_on_the_web_and_the_api_share_one_allowance(tenant_db):
    # given: an address spends its allowance of unknown codes on the web pages
    web = host_client("hagiang.localhost", REMOTE_ADDR="198.51.100.30")
    for n in range(30):
        assert web.get(f"/hoi-dap/tra-cuu/?ma=ZZZZ-{n:04d}").status_code == 404
    # when: it asks the API
    api = host_client("hagiang.localhost", REMOTE_ADDR="198.51.100.30")
    # then: the same limit, the same bucket
    _throttled(api.get("/api/v1/qa/track/ZZZZ-9999/"))
    # and the other way round, for another address
    other_api = host_client("hagiang.localhost", REMOTE_ADDR="198.51.100.31")
    for n in range(30):
        assert other_api.get(f"/api/v1/qa/track/ZZZZ-{n:04d}/").status_code == 404
    other_web = host_client("hagiang.localhost", REMOTE_ADDR="198.51.100.31")
    assert other_web.get("/hoi-dap/tra-cuu/?ma=ZZZZ-9999").status_code == 429


def test_export_guesses_on_the_web_and_the_api_share_one_allowance(tenant_db):
    web = host_client("dongnai.localhost", REMOTE_ADDR="198.51.100.40")
    for _ in range(10):
        response = web.post(
            "/hoi-dap/du-lieu-cua-toi/", {"code": "ZZZZ-0000", "email": "a@example.vn"}
        )
        assert response.status_code == 404
    api = host_client("dongnai.localhost", REMOTE_ADDR="198.51.100.40")
    _throttled(
        api.post(
            "/api/v1/qa/export/",
            json.dumps({"tracking_code": "ZZZZ-0000", "email": "a@example.vn"}),
            content_type="application/json",
        )
    )


def _submit_on_the_web(tenant_db, slug: str, address: str):
    with schema_context(tenant_db[slug].schema_name):
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        topic = topic_ensure(name="Đất đai", agency=site.agency)
    form = {
        "name": "Nguyễn Văn A",
        "email": "a@example.vn",
        "topic": topic.slug,
        "title": "Hỏi về đất đai",
        "text": "Xin hỏi thủ tục?",
        "consent": "on",
        "website": "",
    }
    return host_client(f"{slug}.localhost", REMOTE_ADDR=address).post("/hoi-dap/gui/", form)


def test_submissions_on_the_web_and_the_api_share_one_allowance(tenant_db, settings):
    settings.QA_SUBMISSIONS_PER_HOUR = 2
    assert _submit_on_the_web(tenant_db, "hagiang", "203.0.113.60").status_code == 302
    assert _submit(tenant_db, "dongnai", "203.0.113.60").status_code == 201
    refused = _submit(tenant_db, "thainguyen", "203.0.113.60")
    assert refused.status_code == 429, refused.content
    assert _submit_on_the_web(tenant_db, "backan", "203.0.113.60").status_code == 429
