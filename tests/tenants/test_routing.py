"""Host → province → component site; unknown hosts get a plain 404; the lookup is cached and
forgotten when a domain changes."""

from django.db import connection

from tenants.hosts import province_for_host
from tenants.models import Domain
from tests.conftest import host_client


def test_province_portal_answers_on_its_own_host(tenant_db):
    response = host_client("hagiang.localhost").get("/")
    assert response.status_code == 200
    assert "Hà Giang" in response.content.decode()


def test_component_site_answers_on_its_host(tenant_db):
    response = host_client("stttt.hagiang.localhost").get("/")
    assert response.status_code == 200
    assert "Sở Thông tin và Truyền thông" in response.content.decode()


def test_unknown_host_is_a_plain_404(tenant_db):
    response = host_client("nowhere.localhost").get("/")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.content.decode()


def test_template_schema_is_never_served(tenant_db):
    Domain.objects.create(
        domain="template.localhost",
        tenant=tenant_db["hagiang"].__class__.objects.get(is_template=True),
        is_primary=False,
    )
    assert host_client("template.localhost").get("/").status_code == 404


def test_host_lookup_is_cached_and_forgotten_when_domain_changes(
    tenant_db, django_assert_num_queries
):
    # given a warm cache
    assert province_for_host("dongnai.localhost").slug == "dongnai"
    with django_assert_num_queries(0):
        assert province_for_host("dongnai.localhost").slug == "dongnai"
    # when the domain moves to another province
    domain = Domain.objects.get(domain="dongnai.localhost")
    domain.tenant = tenant_db["backan"]
    domain.save()
    # then the next lookup sees it
    assert province_for_host("dongnai.localhost").slug == "backan"
    connection.set_schema_to_public()


def test_platform_host_serves_the_operator_console(tenant_db):
    response = host_client("platform.localhost").get("/")
    assert response.status_code in (200, 302)
    assert host_client("platform.localhost").get("/api/v1/sites/").status_code == 404


def test_development_host_keeps_the_production_label(tenant_db):
    # Huế Art. 3: so<unit>.thuathienhue.gov.vn → sotttt.thuathienhue.localhost in development
    response = host_client("sotttt.thuathienhue.localhost").get("/api/v1/province/")
    assert response.json()["component_site"] == "sotttt.thuathienhue.gov.vn"


def test_a_component_site_also_answers_on_its_alternate_host(tenant_db, settings):
    # Huế Art. 3: so<unit>.thuathienhue.gov.vn or s<unit>.hue.gov.vn
    settings.ALLOWED_HOSTS = [".localhost", ".gov.vn"]
    domains = set(Domain.objects.values_list("domain", flat=True))
    assert {"sotttt.thuathienhue.gov.vn", "stttt.hue.gov.vn"} <= domains
    body = host_client("stttt.hue.gov.vn").get("/api/v1/province/").json()
    assert body["component_site"] == "sotttt.thuathienhue.gov.vn"


def test_a_host_outside_allowed_hosts_gets_the_plain_404_even_when_on_record(tenant_db, settings):
    # Hà Giang's production domain is on record, but this deployment does not allow it: the
    # province is not served there, and the answer is the unknown host's page, not an error.
    settings.ALLOWED_HOSTS = [".localhost"]
    assert Domain.objects.filter(domain="hagiang.gov.vn", tenant__slug="hagiang").exists()
    response = host_client("hagiang.gov.vn").get("/")
    assert response.status_code == 404
    assert "không thuộc cổng thông tin nào" in response.content.decode()
