"""Page views counted by the platform (ADR 0028): a citizen's page is counted in Redis under its
province, day, site and kind, nothing else is (staff pages, the API, robots, prefetches, HEAD,
404s, the platform host); the flush moves the counts into PageViewDay once, however often it
runs; a Redis outage never breaks a page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_context

from editorial.models import Item
from reports import pageviews
from reports.models import PageViewDay
from reports.pageviews import count_view, day_key, page_views_flush, vietnam_day
from reports.tasks import flush_page_views_in_province
from tests.conftest import host_client
from tests.factories.editorial import published
from tests.factories.pages import signed_in
from tests.faults.conftest import redis_at

HOST = "thainguyen.localhost"
BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"}


def counts(schema_name: str) -> dict[str, int]:
    client = pageviews._client()
    raw = client.hgetall(day_key(schema_name, vietnam_day()))
    return {field.decode(): int(value) for field, value in raw.items()}


def stored(**filters) -> dict[tuple[int | None, str], int]:
    return {(row.site_id, row.kind): row.views for row in PageViewDay.objects.filter(**filters)}


@pytest.fixture
def thainguyen(province_schema, tenant_db):
    site, staff = province_schema("thainguyen")
    item = published(staff, site=None, title="Lịch tiếp công dân tháng 12")
    return tenant_db["thainguyen"], site, staff, item


def test_a_citizen_page_is_counted_by_province_site_and_kind(thainguyen, tenant_db):
    province, site, _staff, item = thainguyen
    client = host_client(HOST, **BROWSER)
    # when a citizen opens the home page twice, an article once, and a component site's home
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200
    assert client.get(f"/bai-viet/{item.slug}/").status_code == 200
    site_client = host_client(site.dev_host or site.host, **BROWSER)
    assert site_client.get("/").status_code == 200
    # then
    assert counts(province.schema_name) == {"0:home": 2, "0:item": 1, f"{site.pk}:home": 1}
    # and under Thái Nguyên's schema only: Huế's counts are untouched
    assert counts(tenant_db["thuathienhue"].schema_name) == {}


def test_what_is_not_a_citizen_page_view_is_not_counted(thainguyen):
    province, _site, staff, item = thainguyen
    client = host_client(HOST, **BROWSER)
    assert client.head("/").status_code == 200
    assert client.get("/bai-viet/khong-co-bai-nay/").status_code == 404
    assert client.get("/robots.txt").status_code == 200
    assert client.get("/sitemap.xml").status_code == 200
    assert client.get("/rss.xml").status_code == 200
    assert client.get("/api/v1/items/").status_code == 200
    assert client.get("/", HTTP_SEC_PURPOSE="prefetch").status_code == 200
    assert client.get("/", HTTP_PURPOSE="prefetch").status_code == 200
    bot = host_client(HOST, HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)")
    assert bot.get("/").status_code == 200
    assert host_client(HOST).get("/").status_code == 200  # no User-Agent at all
    editor = signed_in(HOST, staff.holding("editor_in_chief"), **BROWSER)
    assert editor.get("/staff/").status_code == 200
    assert host_client("platform.localhost", **BROWSER).get("/").status_code in (200, 302)
    with override_settings(PAGE_VIEWS_COUNTED=False):
        assert client.get(f"/bai-viet/{item.slug}/").status_code == 200

    assert counts(province.schema_name) == {}
    assert client.get("/").status_code == 200  # the control: a citizen's page is counted
    assert counts(province.schema_name) == {"0:home": 1}


def test_the_flush_moves_the_counts_once_and_keeps_provinces_apart(tenant_db):
    thainguyen, hue = tenant_db["thainguyen"], tenant_db["thuathienhue"]
    with schema_context(thainguyen.schema_name):
        for _ in range(3):
            count_view(site_id=None, kind="home")
        count_view(site_id=None, kind="item")
    with schema_context(hue.schema_name):
        count_view(site_id=None, kind="qa")

    with schema_context(thainguyen.schema_name):
        assert page_views_flush() == 4
        assert page_views_flush() == 0  # a second run finds nothing left to move
        assert stored() == {(None, "home"): 3, (None, "item"): 1}
        # counted again after a flush: added to the stored row, never replacing it
        count_view(site_id=None, kind="home")
        assert flush_page_views_in_province() == 1
        assert stored(day=vietnam_day()) == {(None, "home"): 4, (None, "item"): 1}
    with schema_context(hue.schema_name):
        assert stored() == {}  # Huế's count is still in Redis, under Huế's schema
        assert page_views_flush() == 1
        assert stored() == {(None, "qa"): 1}
    with schema_context(thainguyen.schema_name):
        assert sum(stored().values()) == 5


def test_a_flush_running_while_another_one_writes_moves_each_view_once(tenant_db, monkeypatch):
    schema = tenant_db["thainguyen"].schema_name
    store = pageviews._store
    overlapped = []

    def slow_store(day, taken):
        # while the first run writes what it took, views keep coming and a second run starts
        if not overlapped:
            overlapped.append(True)
            count_view(site_id=None, kind="home")
            count_view(site_id=None, kind="qa")
            overlapped.append(page_views_flush())
        return store(day, taken)

    with schema_context(schema):
        for _ in range(5):
            count_view(site_id=None, kind="home")
        monkeypatch.setattr(pageviews, "_store", slow_store)
        assert page_views_flush() == 5
        assert overlapped == [True, 2]  # the second run moved only what came after the take
        assert page_views_flush() == 0
        assert stored() == {(None, "home"): 6, (None, "qa"): 1}


def test_a_flush_that_fails_in_the_database_puts_the_counts_back(tenant_db, monkeypatch):
    schema = tenant_db["thainguyen"].schema_name
    with schema_context(schema):
        count_view(site_id=None, kind="search")
        count_view(site_id=None, kind="search")

        def broken(day, counts):
            raise RuntimeError("database refused")

        monkeypatch.setattr(pageviews, "_store", broken)
        with pytest.raises(RuntimeError):
            page_views_flush()
        assert counts(schema) == {"0:search": 2}
        monkeypatch.undo()
        assert page_views_flush() == 2
        assert stored() == {(None, "search"): 2}


def test_a_removed_site_or_unknown_kind_does_not_break_the_flush(thainguyen):
    province, site, _staff, _item = thainguyen
    count_view(site_id=999_999, kind="home")  # no such site (removed since)
    count_view(site_id=site.pk, kind="nonsense")
    assert page_views_flush() == 1
    assert stored() == {(site.pk, "other"): 1}
    assert counts(province.schema_name) == {}


def test_a_page_is_served_while_redis_is_down(thainguyen):
    _province, _site, _staff, item = thainguyen
    client = host_client(HOST, **BROWSER)
    with redis_at("redis://127.0.0.1:1/0"):
        assert client.get(f"/bai-viet/{item.slug}/").status_code == 200
        assert client.get("/").status_code == 200
        assert page_views_flush() == 0
    assert Item.objects.filter(pk=item.pk).exists()
    assert connection.schema_name  # the test's schema is still usable


def test_nginx_copies_are_counted_and_the_originals_they_copy_are_not(thainguyen):
    province, site, _staff, item = thainguyen
    client = host_client(HOST, **BROWSER)
    copy = "/__luot-xem/"

    def copied(uri: str, host_client_=client, **headers):
        response = host_client_.get(copy, HTTP_X_ORIGINAL_URI=uri, **headers)
        assert response.status_code == 204
        assert response.content == b""

    # the copies of an article page (query string and all), of a component site's home
    copied(f"/bai-viet/{item.slug}/?utm=x")
    copied("/", host_client(site.dev_host or site.host, **BROWSER))
    # nothing for copies of other requests, robots and prefetches, POSTs, unknown paths
    copied("/staff/")
    copied("/api/v1/items/")
    copied("/khong-co-trang-nay/")
    copied("/rss.xml")
    copied("/", HTTP_SEC_PURPOSE="prefetch")
    copied("/", host_client(HOST, HTTP_USER_AGENT="AhrefsBot/7.0"))
    assert client.post(copy, HTTP_X_ORIGINAL_URI="/").status_code == 204
    # and the original request nginx marks as copied is not counted a second time
    assert client.get("/", HTTP_X_PAGE_VIEW_MIRRORED="1").status_code == 200

    assert counts(province.schema_name) == {"0:item": 1, f"{site.pk}:home": 1}


# --- behind nginx's micro-cache (ops/deploy/nginx/snippets/page-views.conf) ------------------


def test_behind_nginx_every_view_is_counted_once_cached_or_not(thainguyen):
    import time

    from tests.factories.nginx import CACHE_LOCATION, SNIPPETS, django_server, nginx_in_front

    province, _site, _staff, item = thainguyen
    browser = {"User-Agent": BROWSER["HTTP_USER_AGENT"]}
    with django_server() as server:
        location = (
            f"{CACHE_LOCATION}\nset $portal_upstream 127.0.0.1:{server.port};\n"
            f"include {SNIPPETS / 'page-views.conf'};"
        )
        with nginx_in_front(server.port, location=location) as nginx:
            # when citizens open the home page 6 times within a second or two (most answered
            # from nginx's cache) and an article twice; a robot, a prefetch, a HEAD, a staff
            # page and the API through the same nginx
            statuses = [nginx.get(HOST, "/", browser)[1].get("x-cache-status") for _ in range(6)]
            for _ in range(2):
                assert nginx.get(HOST, f"/bai-viet/{item.slug}/", browser)[0] == 200
            nginx.get(HOST, "/", {"User-Agent": "Mozilla/5.0 (compatible; bingbot/2.0)"})
            nginx.get(HOST, "/", {**browser, "Sec-Purpose": "prefetch"})
            nginx.get(HOST, "/", browser, method="HEAD")
            nginx.get(HOST, "/staff/", browser)
            nginx.get(HOST, "/api/v1/items/", browser)
            # then each view is counted once, the cached ones too
            expected = {"0:home": 6, "0:item": 2}
            deadline = time.monotonic() + 3
            while counts(province.schema_name) != expected and time.monotonic() < deadline:
                time.sleep(0.05)
            with server.quiet():
                assert counts(province.schema_name) == expected, nginx.error_log()
    assert {"HIT", "STALE", "UPDATING", "REVALIDATED"} & set(statuses), statuses
