"""The province administrator's page of API keys (/staff/quan-tri/khoa-api/, ADR 0013): every key
with whom it acts for, its scopes, dates and status in Vietnamese words; a key issued there is
shown once; revoking is a CSRF-protected POST; both leave an audit row. Nobody else opens it, and
a key of another province is not found."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import AuditEntry, User
from accounts.services import user_issue_secret
from integrations.models import ApiKey
from integrations.services import api_key_create
from tests.conftest import host_client
from tests.factories.accounts import administrator
from tests.factories.pages import page_text, signed_in

HOST = "thuathienhue.localhost"
PAGE = "/staff/quan-tri/khoa-api/"
KEY = re.compile(r'<code id="api-key"[^>]*>([^<]+)</code>')


class Hue:
    def __init__(self, site, staff):
        self.admin = administrator()
        self.updater = staff.holding("it_officer")

    def client(self, user=None, **kwargs):
        return signed_in(HOST, user or self.admin, **kwargs)


@pytest.fixture
def hue(province_schema):
    site, staff = province_schema("thuathienhue")
    return Hue(site, staff)


def _row(html: str, prefix: str) -> str:
    match = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{prefix}(?:(?!</tr>).)*</tr>", html, re.DOTALL)
    assert match, f"no row for {prefix}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))


def test_the_administrator_sees_every_key_with_its_status_in_words(
    hue, django_assert_max_num_queries
):
    # given: an active key, an expired one, a revoked one and one whose user's secret was reissued
    active = api_key_create(user=hue.updater, name="Cổng dữ liệu", scopes=["read"]).api_key
    expired = api_key_create(user=hue.updater, name="Cũ", scopes=["read", "write"]).api_key
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    revoked = api_key_create(user=hue.admin, name="Thử", scopes=["read"]).api_key
    ApiKey.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    other = User.objects.create(username="ketnoi", full_name="Kết nối", is_staff=True)
    stale = api_key_create(user=other, name="Báo cáo", scopes=["write"]).api_key
    user_issue_secret(user=other, actor=hue.admin)
    ApiKey.objects.filter(pk=active.pk).update(last_used_at=timezone.now())

    # when
    admin = hue.client()
    with django_assert_max_num_queries(10):
        page = admin.get(PAGE)

    # then
    assert page.status_code == 200
    html = page_text(page)
    row = _row(html, active.prefix)
    assert hue.updater.username in row
    assert "Cổng dữ liệu" in row
    assert "Đọc" in row
    assert "Đang dùng được" in row
    assert timezone.localtime(active.expires_at).strftime("%d/%m/%Y") in row
    assert "Đã hết hạn" in _row(html, expired.prefix)
    assert "Đọc, ghi" in _row(html, expired.prefix)
    assert "Đã thu hồi" in _row(html, revoked.prefix)
    assert "mật khẩu của tài khoản đã được cấp lại" in _row(html, stale.prefix)
    # no internal codes on the page
    for code in ("secret_reissued", "password_change_required", "active", "read", "write"):
        assert f">{code}<" not in html
        assert f" {code} " not in re.sub(r"<[^>]+>", " ", html)
    # a revoke button only where there is something to revoke, each in a CSRF-protected form
    assert html.count("csrfmiddlewaretoken") >= 3


def test_the_administrator_issues_a_key_shown_once_and_audited(hue):
    admin = hue.client()
    response = admin.post(
        PAGE,
        {
            "user": hue.updater.pk,
            "name": "Hệ thống một cửa",
            "scopes": ["read", "write"],
            "expires_in_days": "90",
        },
    )
    assert response.status_code == 200, page_text(response)
    key = KEY.search(response.content.decode()).group(1)
    stored = ApiKey.objects.get(prefix=key.split(".")[0])
    assert (stored.user, stored.scopes, stored.created_by) == (
        hue.updater,
        ["read", "write"],
        hue.admin,
    )
    assert abs(stored.expires_at - stored.created_at - timedelta(days=90)) < timedelta(seconds=5)
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )
    # the list never shows it again
    assert key not in admin.get(PAGE).content.decode()
    [entry] = AuditEntry.objects.filter(action="api_key_issued")
    assert (entry.actor, entry.data["via"]) == (hue.admin, "page")
    assert key.split(".")[1] not in str(entry.data) + entry.target


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scopes": []}, "scopes"),
        ({"scopes": ["operator"]}, "scopes"),
        ({"expires_in_days": "0"}, "expires_in_days"),
        ({"expires_in_days": "99999"}, "expires_in_days"),
        ({"user": "999999"}, "user"),
        ({"name": "x" * 121}, "name"),
    ],
)
def test_a_bad_issue_form_is_shown_again_and_nothing_is_issued(hue, change, field):
    data = {"user": hue.updater.pk, "name": "x", "scopes": ["read"], "expires_in_days": "365"}
    data.update(change)
    response = hue.client().post(PAGE, data)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not ApiKey.objects.exists()
    assert not AuditEntry.objects.filter(action="api_key_issued").exists()


def test_the_administrator_revokes_a_key_and_it_stops_working(hue):
    raw = api_key_create(user=hue.updater, name="cms", scopes=["read"]).key
    key = ApiKey.objects.get(prefix=raw.split(".")[0])
    hue.updater.must_change_password = False
    hue.updater.save(update_fields=["must_change_password"])
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api.get("/api/v1/me/").status_code == 200

    response = hue.client().post(f"{PAGE}{key.pk}/thu-hoi/")

    assert response.status_code == 302
    assert response["Location"] == PAGE
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert api.get("/api/v1/me/").json()["error"]["code"] == "api_key_revoked"
    [entry] = AuditEntry.objects.filter(action="api_key_revoked")
    assert (entry.actor, entry.data["via"]) == (hue.admin, "page")


def test_revoking_needs_the_csrf_token(hue):
    key = api_key_create(user=hue.updater, name="cms", scopes=["read"]).api_key
    client = hue.client(enforce_csrf_checks=True)
    assert client.post(f"{PAGE}{key.pk}/thu-hoi/").status_code == 403
    assert client.post(PAGE, {"user": hue.updater.pk, "scopes": ["read"]}).status_code == 403
    key.refresh_from_db()
    assert key.revoked_at is None
    assert ApiKey.objects.count() == 1


def test_other_staff_get_403_and_nothing_changes(hue):
    key = api_key_create(user=hue.updater, name="cms", scopes=["read"]).api_key
    hue.updater.must_change_password = False
    hue.updater.save(update_fields=["must_change_password"])
    staff = hue.client(hue.updater)
    assert staff.get(PAGE).status_code == 403
    assert staff.post(f"{PAGE}{key.pk}/thu-hoi/").status_code == 403
    assert staff.post(PAGE, {"user": hue.updater.pk, "scopes": ["read"]}).status_code == 403
    anonymous = host_client(HOST).get(PAGE)
    assert anonymous.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is None
    assert ApiKey.objects.count() == 1


def test_another_provinces_key_id_is_404(hue, tenant_db):
    with schema_context(tenant_db["dongnai"].schema_name):
        user = User.objects.create(username="dn_ketnoi", is_staff=True)
        foreign = api_key_create(user=user, name="dn", scopes=["read"]).api_key
    assert not ApiKey.objects.filter(pk=foreign.pk).exists()
    assert hue.client().post(f"{PAGE}{foreign.pk}/thu-hoi/").status_code == 404
    with schema_context(tenant_db["dongnai"].schema_name):
        assert ApiKey.objects.get(pk=foreign.pk).revoked_at is None


def test_the_navigation_and_the_audit_page_name_the_keys_in_words(hue):
    api_key_create(user=hue.updater, name="cms", scopes=["read"], actor=hue.admin, via="page")
    expired = api_key_create(user=hue.updater, name="cũ", scopes=["read"]).api_key
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    admin = hue.client()
    home = page_text(admin.get("/staff/quan-tri/"))
    assert PAGE in home
    assert "1 khoá đang dùng được; 1 khoá chưa thu hồi nhưng không dùng được" in home
    audit = page_text(admin.get("/staff/quan-tri/nhat-ky/"))
    assert "Cấp khoá API" in audit
    assert "api_key_issued" not in audit


def test_the_page_reads_in_english_too(hue, settings):
    api_key_create(user=hue.updater, name="cms", scopes=["read", "write"])
    admin = hue.client()
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page_text(admin.get(PAGE))
    for words in ("API keys", "Account the key acts for", "Read, write", "Usable", "Revoke"):
        assert words in html
    assert "Withdrawal" not in html
