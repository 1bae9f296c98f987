"""What citizen pages tell the caches in front of Django (frontend.http_cache, ADR 0021): a page
the same for every anonymous visitor is shareable for one second with an ETag and a
Last-Modified, a matching conditional request is a 304 made without rendering, a publication,
correction, withdrawal or unpublication changes the validators at once, and nothing personal
(a session, messages, a form's CSRF token, a POST, a staff page) is ever shareable."""

from __future__ import annotations

import statistics
import time
from contextlib import ExitStack
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from editorial.services import (
    _public_pages_changed,
    item_correct,
    item_unpublish,
    item_withdraw,
)
from frontend.http_cache import PERSONAL, SHARED
from tests.conftest import host_client
from tests.factories.editorial import Desk, front_page
from tests.factories.nginx import django_server, nginx_in_front

HOST = "backan.localhost"


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


def stored_pages() -> list[str]:
    client = cache._cache.get_client()
    return [key.decode() for key in client.scan_iter(match="*frontend:page:*", count=1000)]


@pytest.fixture
def portal(province_schema):
    site, staff = province_schema("backan")
    return Desk(staff, site)


# --- shareable pages -----------------------------------------------------------------------------


def test_an_anonymous_page_is_shareable_for_one_second_with_its_validators(portal):
    # given
    item = portal.publish(on_portal=True, title="Thông báo lịch tiếp công dân")
    client = host_client(HOST)
    # when
    first = client.get("/")
    second = client.get(f"/bai-viet/{item.slug}/")
    # then
    for response in (first, second):
        assert response.status_code == 200
        assert response["Cache-Control"] == SHARED
        assert response["ETag"].startswith('"')
        assert len(response["ETag"]) > 20
        assert response["Last-Modified"].endswith(" GMT")
        assert response["X-Accel-Expires"].startswith("@")
        assert not response.cookies
    assert first["ETag"] != second["ETag"]


def test_the_validators_are_those_of_the_stored_page(portal):
    # given a page rendered once
    client = host_client(HOST)
    made = client.get("/")
    # when it is read again from the page cache
    again = client.get("/")
    # then it is the same representation, with the same validators, and nothing was rendered
    assert again.content == made.content
    assert (again["ETag"], again["Last-Modified"]) == (made["ETag"], made["Last-Modified"])
    assert again.templates == []


def test_a_matching_if_none_match_is_answered_304_without_rendering(portal):
    # given
    client = host_client(HOST)
    made = client.get("/")
    plain = CaptureQueriesContext(connection)
    with plain:
        client.get("/")
    # when
    with CaptureQueriesContext(connection) as conditional:
        response = client.get("/", headers={"if-none-match": made["ETag"]})
    # then
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == made["ETag"]
    assert response["Cache-Control"] == SHARED
    assert response["Last-Modified"] == made["Last-Modified"]
    assert "cookie" in vary(response)
    assert response.templates == []
    # no query beyond what finding the province and the cached page need
    assert len(conditional.captured_queries) <= len(plain.captured_queries)


def test_a_weak_or_listed_etag_matches_too(portal):
    client = host_client(HOST)
    etag = client.get("/")["ETag"]
    assert client.get("/", headers={"if-none-match": f'"other", W/{etag}'}).status_code == 304
    assert client.get("/", headers={"if-none-match": '"other"'}).status_code == 200


def test_if_modified_since_alone_is_answered_304(portal):
    client = host_client(HOST)
    made = client.get("/")
    response = client.get("/", headers={"if-modified-since": made["Last-Modified"]})
    assert response.status_code == 304
    assert response["ETag"] == made["ETag"]


def test_head_is_answered_from_the_cache_with_the_same_validators(portal):
    client = host_client(HOST)
    made = client.get("/")
    response = client.head("/")
    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"] == made["ETag"]
    assert response["Cache-Control"] == SHARED


def test_a_page_varies_on_the_language_cookie_never_on_accept_language(tenant_db):
    # given a portal with an English version, read in Vietnamese and in English
    client = host_client("hagiang.localhost", headers={"accept-language": "en"})
    vietnamese = client.get("/")
    client.cookies["django_language"] = "en"
    english = client.get("/")
    # then the browser's language changes nothing; the chosen one does
    for response in (vietnamese, english):
        assert vary(response) == {"cookie"}
        assert response["Cache-Control"] == SHARED
    assert vietnamese["Content-Language"] == "vi"
    assert english["Content-Language"] == "en"
    assert vietnamese["ETag"] != english["ETag"]


@pytest.mark.parametrize(
    "path", ["/tin-tuc/", "/van-ban/", "/thu-tuc/", "/lien-he/", "/rss.xml", "/sitemap.xml"]
)
def test_every_public_page_kind_is_shareable(tenant_db, path):
    response = host_client(HOST).get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == SHARED
    assert "ETag" in response
    assert not response.cookies


# --- freshness: the validators change with the content -------------------------------------------


def test_a_deployment_with_new_static_files_makes_the_pages_again(tenant_db, monkeypatch):
    # given a page cached while the static files of one release were served
    client = host_client(HOST)
    client.get("/")
    assert client.get("/").templates == []
    # when a release with other fingerprinted files is deployed
    monkeypatch.setattr(staticfiles_storage, "manifest_hash", "next-release", raising=False)
    # then the page is made again: no cached page names files of the release before
    assert client.get("/").templates != []


def test_a_publication_changes_the_home_page_etag_at_once(
    portal, django_capture_on_commit_callbacks
):
    # given a home page cached by a browser or nginx with its ETag
    client = host_client(HOST)
    old = client.get("/")["ETag"]
    # when an item is published (the version moves once it is committed)
    with django_capture_on_commit_callbacks(execute=True):
        item = portal.publish(on_portal=True, title="Tin vừa đăng")
    # then revalidating with the old ETag returns the new page
    response = client.get("/", headers={"if-none-match": old})
    assert response.status_code == 200
    assert response["ETag"] != old
    assert f"/bai-viet/{item.slug}/" in response.content.decode()


def _correct(portal, item):
    item_correct(
        item=item,
        actor=portal.publisher(None),
        reason="Sai ngày",
        text="Sửa ngày họp",
        body="<p>Họp ngày 15 tháng 5</p>",
    )
    return 200, "Họp ngày 15 tháng 5"


def _withdraw(portal, item):
    item_withdraw(item=item, actor=portal.publisher(None), reason="Thông tin chưa chính xác")
    return 410, "Thông tin chưa chính xác"


def _unpublish(portal, item):
    item_unpublish(item=item, actor=portal.publisher(None), reason="Hết hiệu lực")
    return 404, None


@pytest.mark.parametrize("change", [_correct, _withdraw, _unpublish])
def test_a_correction_withdrawal_or_unpublication_answers_the_old_etag_with_the_new_page(
    portal, django_capture_on_commit_callbacks, change
):
    # given an item's page cached with its ETag
    item = portal.publish(on_portal=True, title="Lịch họp", body="<p>Họp ngày 14 tháng 5</p>")
    client = host_client(HOST)
    old = client.get(f"/bai-viet/{item.slug}/")
    assert old.status_code == 200
    assert "Họp ngày 14 tháng 5" in old.content.decode()
    # when the item changes
    with django_capture_on_commit_callbacks(execute=True):
        status, words = change(portal, item)
    # then the old ETag no longer matches
    response = client.get(f"/bai-viet/{item.slug}/", headers={"if-none-match": old["ETag"]})
    assert response.status_code == status
    assert response.get("ETag") != old["ETag"]
    if words:
        assert words in response.content.decode()


# --- never shareable -----------------------------------------------------------------------------


def test_an_unknown_article_is_not_stored_and_shared_one_second_without_validators(tenant_db):
    # when
    response = host_client(HOST).get("/bai-viet/khong-co-bai-nay/")
    # then no junk key in Redis, and nginx may keep the answer a second (ADR 0021)
    assert response.status_code == 404
    assert stored_pages() == []
    assert response["Cache-Control"] == SHARED
    assert "ETag" not in response
    assert "Last-Modified" not in response


def test_a_404_of_a_page_that_is_not_public_is_not_shared(tenant_db):
    response = host_client(HOST).get("/khong-co-duong-dan-nay/")
    assert response.status_code == 404
    assert "Cache-Control" not in response


def test_a_signed_in_visitor_gets_a_personal_page_never_stored(portal):
    # given a member of staff signed in
    client = host_client(HOST)
    client.force_login(portal.author(None))
    # when
    response = client.get("/")
    # then
    assert response.status_code == 200
    assert response["Cache-Control"] == PERSONAL
    assert "ETag" not in response
    assert "X-Accel-Expires" not in response
    assert stored_pages() == []


def test_a_visitor_with_messages_waiting_gets_a_personal_page(tenant_db):
    client = host_client(HOST)
    client.cookies["messages"] = "anything"
    response = client.get("/")
    assert response["Cache-Control"] == PERSONAL
    assert stored_pages() == []


def is_personal(response) -> bool:
    words = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= words and "public" not in words


def test_a_staff_page_is_personal(portal):
    client = host_client(HOST)
    client.force_login(portal.author(None))
    for path in ("/staff/", "/staff/items/"):
        response = client.get(path)
        assert response.status_code == 200
        assert is_personal(response)


def test_a_public_page_with_a_form_is_personal_and_not_stored(province_schema):
    # given a draft open for comments: its page carries a comment form with a CSRF token
    site, staff = province_schema("dongnai")
    today = timezone.localdate()
    item = Desk(staff, site).publish(
        kind="draft_document",
        title="Dự thảo Nghị quyết",
        fields={
            "drafting_body": "Sở Tư pháp",
            "opens_on": (today - timedelta(days=1)).isoformat(),
            "closes_on": (today + timedelta(days=10)).isoformat(),
        },
    )
    # when
    response = host_client(site.dev_host).get(f"/bai-viet/{item.slug}/")
    # then the token is the visitor's own: never shared, never stored
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert "csrftoken" in response.cookies
    assert response["Cache-Control"] == PERSONAL
    assert "ETag" not in response
    assert stored_pages() == []


def test_a_post_is_personal(tenant_db):
    response = host_client(HOST).post("/hoi-dap/gui/", {})
    assert is_personal(response)


def test_an_anonymous_page_sets_no_cookie_and_keeps_no_session(tenant_db):
    response = host_client(HOST).get("/")
    assert not response.cookies
    assert "sessionid" not in response.cookies


# --- through a real nginx with the shipped snippets (tests/factories/nginx.py) -------------------


# nginx answered from its cache: fresh, stale while it updates, or after a 304 from Django.
FROM_CACHE = {"HIT", "STALE", "UPDATING", "REVALIDATED"}


@pytest.fixture
def behind_nginx(province_schema):
    site, staff = province_schema("backan")
    schema = connection.schema_name
    with django_server() as server, nginx_in_front(server.port) as nginx:
        yield SimpleNamespace(server=server, nginx=nginx, desk=Desk(staff, site), schema=schema)


def test_nginx_shows_a_publication_within_a_second_and_a_half(
    behind_nginx, django_capture_on_commit_callbacks
):
    nginx, server = behind_nginx.nginx, behind_nginx.server
    # given the home page in nginx's cache
    nginx.get(HOST, "/")
    status, headers, _ = nginx.get(HOST, "/")
    assert status == 200
    assert headers["x-cache-status"] in FROM_CACHE
    assert "x-accel-expires" not in headers  # for nginx only
    # when an item is published (and committed)
    with (
        server.quiet(),
        schema_context(behind_nginx.schema),
        django_capture_on_commit_callbacks(execute=True),
    ):
        item = behind_nginx.desk.publish(on_portal=True, title="Thông cáo báo chí mới nhất")
    published_at = time.monotonic()
    # then every visitor through nginx reads it within 1.5 s
    while True:
        _, _, body = nginx.get(HOST, "/")
        elapsed = time.monotonic() - published_at
        if f"/bai-viet/{item.slug}/".encode() in body:
            print(f"shown through nginx {elapsed:.3f} s after the publication")
            break
        assert elapsed < 1.5, f"still the old page {elapsed:.2f} s after the publication"
        time.sleep(0.05)
    # and from then on nobody reads the old page again
    for _ in range(5):
        assert f"/bai-viet/{item.slug}/".encode() in nginx.get(HOST, "/")[2]


def test_nginx_answers_a_revalidation_with_304(behind_nginx):
    nginx = behind_nginx.nginx
    _, headers, _ = nginx.get(HOST, "/")
    status, again, body = nginx.get(HOST, "/", {"If-None-Match": headers["etag"]})
    assert status == 304
    assert body == b""
    assert again["etag"] == headers["etag"]


def test_nginx_never_serves_nor_stores_a_signed_in_page(behind_nginx):
    nginx, server = behind_nginx.nginx, behind_nginx.server
    # given a member of staff signed in, and the anonymous home page in the cache
    with server.quiet(), schema_context(behind_nginx.schema):
        staff = behind_nginx.desk.author(None)
        client = host_client(HOST)
        client.force_login(staff)
        session = client.cookies["sessionid"].value
    nginx.get(HOST, "/")
    assert nginx.get(HOST, "/")[1]["x-cache-status"] in FROM_CACHE
    signed_in = {"Cookie": f"sessionid={session}"}
    # when the member of staff reads it (and a page nobody has read yet)
    status, headers, body = nginx.get(HOST, "/", signed_in)
    _, fresh_headers, _ = nginx.get(HOST, "/tin-tuc/", signed_in)
    # then nginx passed both to Django, which made them for this person only
    assert status == 200
    assert headers["x-cache-status"] == "BYPASS"
    assert fresh_headers["x-cache-status"] == "BYPASS"
    assert headers["cache-control"] == PERSONAL
    assert staff.username.encode() in body
    # and stored neither: an anonymous visitor gets the anonymous page
    _, anonymous, body = nginx.get(HOST, "/")
    assert anonymous["x-cache-status"] in FROM_CACHE
    assert staff.username.encode() not in body
    assert nginx.get(HOST, "/tin-tuc/")[1]["x-cache-status"] == "MISS"


def test_nginx_keys_pages_on_the_chosen_language(behind_nginx):
    nginx = behind_nginx.nginx
    nginx.get(HOST, "/")
    _, headers, _ = nginx.get(HOST, "/", {"Cookie": "django_language=en"})
    assert headers["x-cache-status"] == "MISS"


def test_nginx_serves_the_last_good_page_while_django_is_down(province_schema):
    province_schema("backan")
    with ExitStack() as django, nginx_in_front(django.enter_context(django_server()).port) as nginx:
        # given a page nginx has kept
        _, _, good = nginx.get(HOST, "/")
        # when Django stops answering, and the page is past its second
        django.close()
        time.sleep(2.1)
        status, headers, body = nginx.get(HOST, "/")
    # then visitors still read it
    assert status == 200
    assert headers["x-cache-status"] == "STALE"
    assert body == good


@pytest.mark.parametrize("path", ["/tim-kiem/?q=thu+tuc", "/hoi-dap/", "/robots.txt"])
def test_a_page_made_per_query_is_shareable_but_not_stored(tenant_db, path):
    # given
    client = host_client(HOST)
    # when
    response = client.get(path)
    # then nginx may keep it a second and revalidate it; Redis keeps no page per query
    assert response.status_code == 200
    assert response["Cache-Control"] == SHARED
    assert stored_pages() == []
    assert client.get(path, headers={"if-none-match": response["ETag"]}).status_code == 304


def test_a_refused_search_is_not_shareable(tenant_db):
    response = host_client(HOST).get("/tim-kiem/?q=tin&tu_ngay=2026-13-45")
    assert response.status_code == 400
    assert "Cache-Control" not in response


# --- what each answer costs (figures printed with -s; ADR 0021) ----------------------------------


def _median_ms(run, times: int = 40) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def test_a_304_and_a_cached_page_cost_a_fraction_of_a_render(portal):
    # given a home page with a full page's worth of content
    front_page(portal.staff, site=None)
    client = host_client(HOST)
    etag = client.get("/")["ETag"]

    def uncached():
        _public_pages_changed()  # as after a publication: page and parts are made again
        assert client.get("/").status_code == 200

    def cached():
        assert client.get("/").status_code == 200

    def conditional():
        assert client.get("/", headers={"if-none-match": etag}).status_code == 304

    # when
    render = _median_ms(uncached, times=15)
    etag = client.get("/")["ETag"]
    hit = _median_ms(cached)
    not_modified = _median_ms(conditional)
    # then
    print(
        f"\nhome page, median of runs through the whole middleware stack: render {render:.2f} ms,"
        f" cached 200 {hit:.2f} ms ({render / hit:.1f}x faster),"
        f" conditional 304 {not_modified:.2f} ms ({render / not_modified:.1f}x faster)"
    )
    assert hit * 3 < render
    assert not_modified * 3 < render
