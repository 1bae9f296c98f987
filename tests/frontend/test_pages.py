"""Citizen pages, the language switch and the operator console, as a browser sees them."""

import re

import pytest

from accounts.models import User
from accounts.services import user_create_with_secret
from provinces.citations import for_citizens
from provinces.loader import resolve_profile
from tests.conftest import host_client
from tests.factories.accounts import enrol_through_page
from tests.factories.pages import meta, page_text

DUBLIN_CORE = (
    "DC.title",
    "DC.creator",
    "DC.date",
    "DC.description",
    "DC.publisher",
    "DC.identifier",
)

# --- province portal ------------------------------------------------------------------


def test_portal_home_is_in_vietnamese_and_names_the_portal(tenant_db):
    # when
    response = host_client("hagiang.localhost").get("/")
    # then
    html = page_text(response)
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    portal_name = tenant_db["hagiang"].portal_name
    assert f"<h1>{portal_name}</h1>" in html
    assert "Cơ quan và trang thông tin thành phần" in html
    assert 'href="#main"' in html
    assert 'id="main"' in html


def test_portal_home_links_agencies_to_their_component_sites_keeping_the_port(tenant_db):
    response = host_client("hagiang.localhost:8123").get("/")
    html = page_text(response)
    assert 'href="http://stttt.hagiang.localhost:8123/"' in html
    assert "Sở Thông tin và Truyền thông" in html


def test_portal_home_links_real_hosts_on_the_real_domain(tenant_db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".hagiang.gov.vn", "hagiang.gov.vn"]
    response = host_client("hagiang.gov.vn").get("/")
    assert 'href="http://stttt.hagiang.gov.vn/"' in page_text(response)


def test_portal_home_cites_no_article_the_legal_basis_page_does(tenant_db):
    # the required sections are reached from the menu; their articles are cited, in
    # Vietnamese, on the legal-basis page (tests/frontend/test_sections.py), not on the home page
    sections = resolve_profile("hagiang").required_sections
    html = page_text(host_client("hagiang.localhost").get("/"))
    for section in sections:
        cited = for_citizens(section.source)
        assert cited is None or cited not in html
    assert "Art." not in html
    assert "platform default" not in html
    assert 'href="/co-so-phap-ly/"' in html


def test_portal_home_links_only_to_pages_that_exist(tenant_db):
    import re

    client = host_client("hagiang.localhost")
    html = page_text(client.get("/"))
    assert "Văn bản</h2>" not in html  # no placeholder sections
    local_links = set(re.findall(r'href="(/[^"#]*)"', html))
    assert "/hoi-dap/" in local_links
    for link in local_links - {"/staff/login/"}:
        if link.startswith(("/static/", "/ngon-ngu/")):
            continue
        assert client.get(link).status_code == 200, link


def test_every_page_carries_dublin_core_metadata(tenant_db):
    for host, path in [
        ("hagiang.localhost", "/"),
        ("stttt.hagiang.localhost", "/"),
        ("hagiang.localhost", "/staff/login/"),
    ]:
        html = page_text(host_client(host).get(path))
        for name in DUBLIN_CORE:
            assert meta(html, name), f"{name} missing on {host}{path}"
    home = page_text(host_client("hagiang.localhost").get("/"))
    assert meta(home, "DC.identifier") == "http://hagiang.localhost/"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta(home, "DC.date"))
    assert meta(home, "DC.publisher") == tenant_db["hagiang"].portal_name


def test_component_site_home_names_the_agency_and_links_back_to_the_portal(tenant_db):
    response = host_client("stttt.hagiang.localhost").get("/")
    html = page_text(response)
    assert response.status_code == 200
    assert "<h1>Sở Thông tin và Truyền thông" in html
    assert "Sở, ban, ngành" not in html  # its agency kind is no business of the citizen's
    assert 'href="http://hagiang.localhost/"' in html
    assert tenant_db["hagiang"].portal_name in html


def test_switching_to_english_renders_english_strings(tenant_db):
    client = host_client("hagiang.localhost")
    # when
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    # then
    assert response.status_code == 302
    html = page_text(client.get("/"))
    assert '<html lang="en">' in html
    assert "Agencies and component sites" in html
    assert "Cơ quan và trang thông tin thành phần" not in html
    assert "Skip to main content" in html
    # and back
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in page_text(client.get("/"))


def test_chosen_language_middleware_ignores_the_browser_language(tenant_db, settings):
    settings.MIDDLEWARE = [
        "frontend.middleware.ChosenLanguageMiddleware"
        if name == "django.middleware.locale.LocaleMiddleware"
        else name
        for name in settings.MIDDLEWARE
    ]
    client = host_client("hagiang.localhost", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in page_text(client.get("/"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in page_text(client.get("/"))


def test_unknown_page_is_a_plain_404(tenant_db):
    response = host_client("hagiang.localhost").get("/khong-co/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in page_text(response)


def test_server_error_page_renders_without_a_request():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "500 – Lỗi máy chủ" in html
    assert '<html lang="vi">' in html


def test_portal_home_costs_a_bounded_number_of_queries(tenant_db, django_assert_max_num_queries):
    client = host_client("hagiang.localhost")
    client.get("/")  # warm the host caches
    # the agencies with their sites (+ django-tenants' SET search_path before it)
    with django_assert_max_num_queries(2):
        assert client.get("/").status_code == 200


def test_component_site_home_costs_a_bounded_number_of_queries(
    tenant_db, django_assert_max_num_queries
):
    client = host_client("stttt.hagiang.localhost")
    client.get("/")
    # the site by its cached id (+ SET search_path); the portal's host comes from the profile
    with django_assert_max_num_queries(2):
        assert client.get("/").status_code == 200


def test_sign_in_page_labels_its_fields(tenant_db):
    html = page_text(host_client("hagiang.localhost").get("/staff/login/"))
    assert '<label for="id_username">Tên đăng nhập</label>' in html
    assert '<label for="id_password">Mật khẩu</label>' in html
    assert 'autocomplete="current-password"' in html


# --- operator console ---------------------------------------------------------------


@pytest.fixture
def operator(tenant_db):
    return User.objects.create_user(
        username="console_operator", password="Vận-hành-2025!", is_staff=True
    )


def test_console_needs_an_operator_sign_in(tenant_db):
    response = host_client("platform.localhost").get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_console_lists_provinces_with_hosts_schema_and_onboarding(tenant_db, operator):
    client = host_client("platform.localhost:8123")
    response = client.post(
        "/login/", {"username": "console_operator", "password": "Vận-hành-2025!"}
    )
    assert response.status_code == 302
    # an operator enrols an authenticator before the console opens (ADR 0022)
    enrol_through_page(client, operator, host="platform.localhost", prefix="")
    html = page_text(client.get("/"))
    for province in tenant_db.values():
        assert province.name in html
        assert f"<code>{province.schema_name}</code>" in html
    assert "hagiang.gov.vn" in html
    assert 'href="http://hagiang.localhost:8123/"' in html
    assert "onboard_province" in html
    assert "/api/v1/operator/provinces/" in html
    effective = tenant_db["hagiang"].profile_effective_from
    assert effective.strftime("%d/%m/%Y") in html


def test_console_refuses_a_signed_in_account_without_the_operator_flag(tenant_db):
    User.objects.create_user(username="not_operator", password="Khong-phai-2025!")
    client = host_client("platform.localhost")
    client.post("/login/", {"username": "not_operator", "password": "Khong-phai-2025!"})
    assert client.get("/").status_code == 403


def test_province_staff_cannot_sign_in_to_the_console(tenant_db, in_province):
    with in_province("hagiang"):
        User.objects.create_user(username="hg_staff", password="Can-bo-2025!", is_staff=True)
    response = host_client("platform.localhost").post(
        "/login/", {"username": "hg_staff", "password": "Can-bo-2025!"}
    )
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page_text(response)


def test_operator_first_sign_in_changes_the_one_time_password_on_the_console(tenant_db):
    issued = user_create_with_secret(username="new_operator", full_name="Vận hành mới")
    client = host_client("platform.localhost")
    response = client.post(
        "/login/", {"username": "new_operator", "password": issued.one_time_secret}
    )
    assert response["Location"] == "/password/"
    assert client.get("/")["Location"] == "/password/"
    response = client.post(
        "/password/",
        {
            "old_password": issued.one_time_secret,
            "new_password1": "Mây-trắng-trên-đỉnh-Fansipan-2025",
            "new_password2": "Mây-trắng-trên-đỉnh-Fansipan-2025",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    # then the authenticator's enrolment, and only then the console (ADR 0022)
    assert client.get("/")["Location"] == "/bao-mat/dang-ky/"
    enrol_through_page(client, issued.user, host="platform.localhost", prefix="")
    assert client.get("/").status_code == 200


def test_language_links_set_the_choice_and_go_back_to_the_page(tenant_db):
    client = host_client("hagiang.localhost")
    response = client.get("/ngon-ngu/?lang=en&next=/tin-tuc/")
    assert (response.status_code, response["Location"]) == (302, "/tin-tuc/")
    assert client.cookies["django_language"].value == "en"
    assert 'lang="en"' in page_text(client.get("/"))
    # an outside address is never followed
    assert client.get("/ngon-ngu/?lang=vi&next=https://evil.example/")["Location"] == "/"


def test_citizen_pages_carry_no_csrf_token_and_are_served_from_the_cache(
    tenant_db, django_assert_max_num_queries
):
    client = host_client("hagiang.localhost")
    first = client.get("/")
    assert "csrfmiddlewaretoken" not in page_text(first)
    assert "csrftoken" not in first.cookies
    with django_assert_max_num_queries(0):
        again = client.get("/")
    assert again.content == first.content


def test_a_page_made_for_one_visitor_is_never_served_to_another(tenant_db):
    # given a visitor who just signed out: the home page carries their flash message
    client = host_client("hagiang.localhost")
    client.cookies["messages"] = "x"  # a pending message, as Django's cookie storage sets it
    client.get("/")
    # then a new visitor gets the shared page, not the first visitor's
    other = host_client("hagiang.localhost")
    assert "messages" not in other.cookies
    first = other.get("/")
    assert other.get("/").content == first.content
    assert "Bạn đã đăng xuất" not in page_text(first)


def test_sign_out_message_reaches_only_the_one_who_signed_out(tenant_db, in_province):
    from accounts.services import user_create_with_secret

    with in_province("hagiang"):
        user = user_create_with_secret(username="flash_user").user
        user.set_password("Mat-khau-dai-2026!")
        user.must_change_password = False
        user.save()
    client = host_client("hagiang.localhost")
    client.post("/staff/login/", {"username": "flash_user", "password": "Mat-khau-dai-2026!"})
    response = client.post("/staff/logout/", follow=True)
    assert "Bạn đã đăng xuất" in page_text(response)
    assert "Bạn đã đăng xuất" not in page_text(host_client("hagiang.localhost").get("/"))
