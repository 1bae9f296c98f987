"""API keys follow their user's credentials (issue 7 item 16, ADR 0013): a key issued before
its user's one-time secret was re-issued, or of a user who must still change a one-time
password, or past its expiry, does nothing at all — not even read — and says why; issuing and
revoking keys always leaves an audit row, whichever way it is done."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import AuditEntry, User
from accounts.services import user_change_password, user_issue_secret
from editorial.models import Attachment, Item, Transition
from integrations.models import ApiKey
from integrations.services import ApiKeyError, api_key_create, api_key_revoke
from organization.models import ComponentSite
from tests.conftest import host_client
from tests.factories.accounts import administrator
from tests.factories.api import error_of, post_json
from tests.factories.organization import Staff
from tests.factories.pages import signed_in

NEWS = {"kind": "news", "title": "Hội nghị tổng kết năm", "summary": "Tóm tắt.", "body": "<p>x</p>"}
NEW_PASSWORD = "Mật-khẩu-mới-của-tôi-2026"


class Newsroom:
    """Thái Nguyên: an updater with a read/write key on its agency's site, and the province's
    administrator (the superuser seeded at onboarding)."""

    def __init__(self, province):
        self.province = province
        with self.inside():
            site = ComponentSite.objects.select_related("agency").order_by("pk").first()
            self.host = site.dev_host
            self.updater = Staff(site.agency).holding("updater")
            self.updater.set_password("Mật-khẩu-cũ-2026")
            self.updater.save()
            self.admin = User.objects.get(is_superuser=True)
            self.key = api_key_create(
                user=self.updater,
                name="cms",
                scopes=["read", "write"],
                actor=self.admin,
                via="page",
            ).key

    def inside(self):
        return schema_context(self.province.schema_name)

    def client(self, key: str | None = None):
        return host_client(self.host, HTTP_AUTHORIZATION=f"Api-Key {key or self.key}")

    def counts(self) -> tuple[int, int, int]:
        with self.inside():
            return Item.objects.count(), Transition.objects.count(), Attachment.objects.count()


@pytest.fixture
def newsroom(tenant_db):
    return Newsroom(tenant_db["thainguyen"])


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = "%s/"
    return tmp_path


def _every_use(client, item_id: int) -> dict:
    """Read, create, edit, forward and attach with one key: {use: response}."""
    path = f"/api/v1/items/{item_id}/"
    pdf = SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.7\n%...\n", content_type="application/pdf")
    return {
        "me": client.get("/api/v1/me/"),
        "read": client.get(path + "?view=staff"),
        "create": post_json(client, "/api/v1/items/", NEWS),
        "edit": client.patch(path, {"title": "Sửa"}, content_type="application/json"),
        "forward": post_json(client, path + "transitions/", {"decision": "forward"}),
        "attach": client.post(path + "attachments/", {"file": pdf}),
    }


def test_a_key_issued_before_its_users_secret_was_reissued_is_refused_for_every_use(
    newsroom, media_root
):
    # given: the updater's key works, and one item of theirs exists
    created = post_json(newsroom.client(), "/api/v1/items/", NEWS)
    assert created.status_code == 201, created.content
    item_id = created.json()["id"]
    before = newsroom.counts()

    # when: the administrator re-issues the updater's one-time secret (suspected compromise)
    with newsroom.inside():
        issued = user_issue_secret(user=newsroom.updater, actor=newsroom.admin)

    # then: the old key does nothing, not even read, and says why and what to do
    for use, response in _every_use(newsroom.client(), item_id).items():
        assert response.status_code == 401, (use, response.content)
        error = error_of(response)
        assert error["code"] == "api_key_secret_reissued", use
        assert "cấp khoá mới" in error["message"], use
    assert newsroom.counts() == before

    # and still after the user has changed the secret: the key itself must be re-issued
    with newsroom.inside():
        user_change_password(
            user=User.objects.get(pk=newsroom.updater.pk),
            old_password=issued.one_time_secret,
            new_password=NEW_PASSWORD,
        )
    response = newsroom.client().get("/api/v1/me/")
    assert (response.status_code, error_of(response)["code"]) == (401, "api_key_secret_reissued")

    # when: a new key is issued; then: it works
    with newsroom.inside():
        fresh = api_key_create(
            user=newsroom.updater, name="cms", scopes=["read", "write"], actor=newsroom.admin
        ).key
    assert post_json(newsroom.client(fresh), "/api/v1/items/", NEWS).status_code == 201


def test_the_key_of_a_user_who_must_change_a_one_time_password_is_refused(newsroom, media_root):
    # given: an item, then the updater's account is back on a one-time secret
    item_id = post_json(newsroom.client(), "/api/v1/items/", NEWS).json()["id"]
    with newsroom.inside():
        user = User.objects.get(pk=newsroom.updater.pk)
        user.must_change_password = True
        user.save(update_fields=["must_change_password"])
        # a key issued while the account is on its one-time secret is refused as well
        later = api_key_create(user=user, name="cms 2", scopes=["read", "write"]).key
    before = newsroom.counts()

    # then: neither key is of any use until the password is changed
    for key in (newsroom.key, later):
        for use, response in _every_use(newsroom.client(key), item_id).items():
            assert response.status_code == 401, (use, response.content)
            error = error_of(response)
            assert error["code"] == "api_key_password_change_required", use
            assert "đổi mật khẩu" in error["message"], use
    assert newsroom.counts() == before


def test_an_expired_key_is_refused_with_its_expiry(newsroom):
    with newsroom.inside():
        ApiKey.objects.filter(user=newsroom.updater).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    before = newsroom.counts()
    for response in (
        newsroom.client().get("/api/v1/me/"),
        post_json(newsroom.client(), "/api/v1/items/", NEWS),
    ):
        assert response.status_code == 401
        error = error_of(response)
        assert error["code"] == "api_key_expired"
        assert "hết hạn" in error["message"]
    assert newsroom.counts() == before


def test_a_refusal_is_in_vietnamese_unless_the_client_chose_english(newsroom, settings):
    with newsroom.inside():
        ApiKey.objects.filter(user=newsroom.updater).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    client = newsroom.client()
    assert error_of(client.get("/api/v1/me/"))["message"].startswith("Khoá API này đã hết hạn")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert error_of(client.get("/api/v1/me/"))["message"].startswith("This API key expired on")


def test_a_revoked_key_and_a_locked_accounts_key_say_so(newsroom, tenant_db):
    with newsroom.inside():
        other = api_key_create(user=newsroom.updater, name="x", scopes=["read"]).key
        api_key_revoke(api_key=ApiKey.objects.get(user=newsroom.updater, name="cms"))
    response = newsroom.client().get("/api/v1/me/")
    assert (response.status_code, error_of(response)["code"]) == (401, "api_key_revoked")
    with newsroom.inside():
        User.objects.filter(pk=newsroom.updater.pk).update(is_active=False)
    response = newsroom.client(other).get("/api/v1/me/")
    assert (response.status_code, error_of(response)["code"]) == (401, "api_key_account_locked")
    # an unknown key says nothing more than that
    response = newsroom.client(other[:-2] + "xx").get("/api/v1/me/")
    assert (response.status_code, error_of(response)["code"]) == (401, "authentication_failed")


def test_a_key_expires_after_one_year_by_default_or_when_asked(newsroom):
    with newsroom.inside():
        default = ApiKey.objects.get(user=newsroom.updater)
        short = api_key_create(
            user=newsroom.updater, name="short", scopes=["read"], expires_in_days=30
        ).api_key
        for days in (0, -1, 3 * 365 + 1):
            with pytest.raises(ApiKeyError) as caught:
                api_key_create(
                    user=newsroom.updater, name="x", scopes=["read"], expires_in_days=days
                )
            assert (caught.value.code, caught.value.field) == ("invalid_expiry", "expires_in_days")
    assert abs(default.expires_at - default.created_at - timedelta(days=365)) < timedelta(seconds=5)
    assert abs(short.expires_at - short.created_at - timedelta(days=30)) < timedelta(seconds=5)
    assert newsroom.client().get("/api/v1/me/").status_code == 200


# --- audit ------------------------------------------------------------------------------------


def _audit(newsroom, action: str) -> list[AuditEntry]:
    with newsroom.inside():
        return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_issuing_and_revoking_through_the_services_is_audited_and_never_holds_the_key(newsroom):
    with newsroom.inside():
        key = ApiKey.objects.get(user=newsroom.updater)
        api_key_revoke(api_key=key, actor=newsroom.admin)
        api_key_revoke(api_key=key, actor=newsroom.admin)  # twice: one revocation, one row
    [issued] = _audit(newsroom, "api_key_issued")
    [revoked] = _audit(newsroom, "api_key_revoked")
    for entry in (issued, revoked):
        assert entry.actor_id == newsroom.admin.pk
        assert key.prefix in entry.target
        assert newsroom.updater.username in entry.target
        assert newsroom.key.split(".", 1)[1] not in str(entry.data)
    assert issued.data["scopes"] == ["read", "write"]
    assert issued.data["expires_at"] == timezone.localdate(key.expires_at).isoformat()


# --- the API ----------------------------------------------------------------------------------


def _admin_client(newsroom, **kwargs):
    with newsroom.inside():
        return signed_in(f"{newsroom.province.slug}.localhost", administrator(), **kwargs)


def test_the_administrator_lists_issues_and_revokes_keys_through_the_api(newsroom):
    admin = _admin_client(newsroom)

    listed = admin.get("/api/v1/api-keys/")
    assert listed.status_code == 200, listed.content
    [row] = listed.json()
    assert (row["user"], row["scopes"], row["status"]) == (
        newsroom.updater.username,
        ["read", "write"],
        "active",
    )
    assert {"id", "name", "prefix", "created_at", "last_used_at", "expires_at"} <= set(row)

    issued = post_json(
        admin,
        "/api/v1/api-keys/",
        {"user": newsroom.updater.username, "name": "cổng dữ liệu", "scopes": ["read"]},
    )
    assert issued.status_code == 201, issued.content
    raw = issued.json()["key"]
    assert newsroom.client(raw).get("/api/v1/me/").status_code == 200

    revoked = post_json(admin, f"/api/v1/api-keys/{issued.json()['id']}/revocation/", {})
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["status"] == "revoked"
    assert error_of(newsroom.client(raw).get("/api/v1/me/"))["code"] == "api_key_revoked"

    [entry] = [e for e in _audit(newsroom, "api_key_issued") if e.data.get("via") == "api"]
    assert entry.actor_id == newsroom.admin.pk
    [entry] = _audit(newsroom, "api_key_revoked")
    assert (entry.actor_id, entry.data["via"]) == (newsroom.admin.pk, "api")


def test_bad_issue_requests_are_400_and_nothing_is_issued(newsroom):
    admin = _admin_client(newsroom)
    with newsroom.inside():
        before = ApiKey.objects.count()
    for payload, field in (
        ({"user": "khong-co-ai", "scopes": ["read"]}, "user"),
        ({"user": newsroom.updater.username, "scopes": ["operator"]}, "scopes"),
        ({"user": newsroom.updater.username, "scopes": []}, "scopes"),
        ({"user": newsroom.updater.username, "scopes": ["read"], "expires_in_days": 0}, None),
        ({"user": newsroom.updater.username, "scopes": ["read"], "name": "x" * 121}, "name"),
    ):
        response = post_json(admin, "/api/v1/api-keys/", payload)
        assert response.status_code == 400, (payload, response.content)
        if field:
            assert field in error_of(response)["fields"], payload
    with newsroom.inside():
        assert ApiKey.objects.count() == before


def test_only_the_administrators_session_manages_keys_through_the_api(newsroom):
    # a staff member's session, and the administrator's own key (a key never mints keys)
    with newsroom.inside():
        admin_key = api_key_create(user=newsroom.admin, name="admin", scopes=["read", "write"]).key
        key_id = ApiKey.objects.get(user=newsroom.updater).pk
        User.objects.filter(pk__in=[newsroom.admin.pk, newsroom.updater.pk]).update(
            must_change_password=False
        )
        staff = signed_in(newsroom.host, newsroom.updater)
    with_key = host_client(newsroom.host, HTTP_AUTHORIZATION=f"Api-Key {admin_key}")
    for client in (staff, with_key):
        assert client.get("/api/v1/api-keys/").status_code == 403
        response = post_json(client, f"/api/v1/api-keys/{key_id}/revocation/", {})
        assert response.status_code == 403
    assert newsroom.client().get("/api/v1/me/").status_code == 200


def test_another_provinces_key_id_is_404_through_the_api(newsroom, tenant_db):
    with schema_context(tenant_db["dongnai"].schema_name):
        dongnai_user = User.objects.create(username="dn_client", is_staff=True)
        foreign = api_key_create(user=dongnai_user, name="dn", scopes=["read"])
    with newsroom.inside():
        assert not ApiKey.objects.filter(pk=foreign.api_key.pk).exists()
    admin = _admin_client(newsroom)
    response = post_json(admin, f"/api/v1/api-keys/{foreign.api_key.pk}/revocation/", {})
    assert response.status_code == 404
    with schema_context(tenant_db["dongnai"].schema_name):
        assert ApiKey.objects.get(pk=foreign.api_key.pk).revoked_at is None


# --- the command ------------------------------------------------------------------------------


def test_the_command_issues_lists_and_revokes_through_the_audited_services(newsroom):
    out = StringIO()
    call_command(
        "api_key",
        "create",
        "--province",
        "thainguyen",
        "--user",
        newsroom.updater.username,
        "--scopes",
        "read",
        "--expires-in-days",
        "90",
        stdout=out,
    )
    raw = out.getvalue().splitlines()[1].strip()
    prefix = raw.split(".", 1)[0]
    assert newsroom.client(raw).get("/api/v1/me/").status_code == 200

    listing = StringIO()
    call_command("api_key", "list", "--province", "thainguyen", stdout=listing)
    line = next(line for line in listing.getvalue().splitlines() if prefix in line)
    assert newsroom.updater.username in line
    assert "active" in line
    assert raw.split(".", 1)[1] not in listing.getvalue()

    call_command(
        "api_key", "revoke", "--province", "thainguyen", "--prefix", prefix, stdout=StringIO()
    )
    assert error_of(newsroom.client(raw).get("/api/v1/me/"))["code"] == "api_key_revoked"

    [issued] = [e for e in _audit(newsroom, "api_key_issued") if e.data.get("via") == "command"]
    [revoked] = _audit(newsroom, "api_key_revoked")
    for entry in (issued, revoked):
        assert entry.actor is None
        assert entry.data["via"] == "command"
        assert "dòng lệnh" in entry.actor_name
    in_90_days = timezone.localdate(timezone.now() + timedelta(days=90))
    assert issued.data["expires_at"] == in_90_days.isoformat()

    with pytest.raises(CommandError):
        call_command(
            "api_key", "create", "--province", "thainguyen", "--user",
            newsroom.updater.username, "--expires-in-days", "0",
        )  # fmt: skip


def test_staff_reset_on_the_command_line_stops_the_keys_and_is_audited(newsroom):
    assert newsroom.client().get("/api/v1/me/").status_code == 200
    call_command(
        "staff", "reset", "--province", "thainguyen", "--username", newsroom.updater.username,
        stdout=StringIO(),
    )  # fmt: skip
    response = newsroom.client().get("/api/v1/me/")
    assert (response.status_code, error_of(response)["code"]) == (401, "api_key_secret_reissued")
    [entry] = _audit(newsroom, "user_secret_issued")
    assert (entry.actor, entry.target, entry.data) == (
        None,
        newsroom.updater.username,
        {"via": "command"},
    )
    assert "dòng lệnh" in entry.actor_name


def test_the_api_list_does_not_grow_in_queries_with_the_keys(
    newsroom, django_assert_max_num_queries
):
    admin = _admin_client(newsroom)
    with newsroom.inside():
        for n in range(5):
            api_key_create(
                user=newsroom.updater, name=f"k{n}", scopes=["read"], actor=newsroom.admin
            )
    admin.get("/api/v1/api-keys/")  # warm the host cache
    # the schema, the session, the user, the keys with their users and issuers
    with django_assert_max_num_queries(5):
        response = admin.get("/api/v1/api-keys/")
    assert len(response.json()) == 6
