"""Staff sign-in security (issue 13, ADR 0022): sign-ins, failures, lockouts, sign-outs and
password changes in the audit of the host's schema; the lockout that failures from elsewhere
cannot use against an account at an address it has signed in from; sessions that end 12 hours
after the sign-in and after 30 idle minutes."""

from __future__ import annotations

import time
import unicodedata

import pytest
from django.contrib.auth import login as auth_login
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django_tenants.utils import schema_context

from accounts import security
from accounts.models import AuditEntry, SignInAddress, User
from tests.conftest import host_client
from tests.factories.pages import page_text

HOST = "hagiang.localhost"
PLATFORM = "platform.localhost"
PASSWORD = "Ngọn-núi-đá-Đồng-Văn-2026"
A, B, C = "198.51.100.21", "198.51.100.22", "198.51.100.23"


@pytest.fixture
def clerk(in_province):
    """A Hà Giang account without a role (no second factor asked), past its first sign-in."""
    with in_province("hagiang"):
        return User.objects.create_user(
            username="clerk", password=PASSWORD, is_staff=True, full_name="Lò Thị Mai"
        )


def _audit(in_province, slug: str = "hagiang", **filters) -> list[AuditEntry]:
    with in_province(slug):
        return list(AuditEntry.objects.filter(**filters).order_by("pk"))


def _sign_in(address: str, password: str = PASSWORD, username: str = "clerk", **extra):
    client = host_client(HOST, REMOTE_ADDR=address, **extra)
    return client, client.post("/staff/login/", {"username": username, "password": password})


def _fail(address: str, times: int, username: str = "clerk") -> None:
    for _ in range(times):
        _client, response = _sign_in(address, password="sai-mat-khau", username=username)
        assert response.status_code == 200


# --- the recorded events ----------------------------------------------------------------------


def test_a_completed_sign_in_is_audited_with_its_address_and_remembers_it(clerk, in_province):
    client, response = _sign_in(A, HTTP_USER_AGENT="Trình duyệt " + "x" * 500)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(clerk.pk)
    [entry] = _audit(in_province, action="sign_in")
    assert entry.actor_id == clerk.pk
    assert entry.target == "clerk"
    assert entry.data["address"] == A
    assert len(entry.data["user_agent"]) == security.USER_AGENT_MAX_LENGTH
    with in_province("hagiang"):
        [remembered] = SignInAddress.objects.filter(user=clerk)
    assert remembered.address == A
    first_seen = remembered.first_seen

    # a second sign-in from the same address keeps one row, its first sighting, a later last
    client.post("/staff/logout/")
    _sign_in(A)
    with in_province("hagiang"):
        [again] = SignInAddress.objects.filter(user=clerk)
    assert again.first_seen == first_seen
    assert again.last_seen > remembered.last_seen
    assert len(_audit(in_province, action="sign_in")) == 2


def test_the_signal_of_a_completed_sign_in_stamps_the_session_and_the_address(clerk, in_province):
    """The contract with the second-factor step: whatever completes the sign-in through
    django.contrib.auth.login is recorded."""
    request = RequestFactory().post("/staff/login/", REMOTE_ADDR="2001:db8::7")
    request.session = SessionStore()
    with in_province("hagiang"):
        auth_login(request, clerk, backend="django.contrib.auth.backends.ModelBackend")
        assert SignInAddress.objects.get(user=clerk).address == "2001:db8::7"
    assert abs(request.session[security.SIGNED_IN_AT] - time.time()) < 5
    assert request.session[security.LAST_SEEN_AT] == request.session[security.SIGNED_IN_AT]


def test_an_address_that_is_not_one_is_audited_but_not_remembered(clerk, in_province):
    request = RequestFactory().post("/staff/login/", REMOTE_ADDR="unknown")
    request.session = SessionStore()
    with in_province("hagiang"):
        auth_login(request, clerk, backend="django.contrib.auth.backends.ModelBackend")
        assert not SignInAddress.objects.exists()
    [entry] = _audit(in_province, action="sign_in")
    assert entry.data["address"] == "unknown"


def test_a_failure_is_audited_with_the_typed_name_never_the_password(clerk, in_province):
    typed = unicodedata.normalize("NFD", "Nguyễn") + "x" * 140
    _client, response = _sign_in(A, password="mật-khẩu-bí-mật", username=typed)
    assert response.status_code == 200
    [entry] = _audit(in_province, action="sign_in_failed")
    assert entry.target == unicodedata.normalize("NFC", typed)
    assert entry.data["address"] == A
    assert entry.data["known_account"] is False
    assert "mật-khẩu-bí-mật" not in str(entry.data) + entry.target + entry.actor_name

    # whatever calls it, the name kept is bounded and printable
    with in_province("hagiang"):
        security.record_sign_in_failed(None, username="y" * 300 + "\x00")
    assert _audit(in_province, action="sign_in_failed")[-1].target == "y" * 150

    _sign_in(A, password="sai-nua", username="clerk")
    entry = _audit(in_province, action="sign_in_failed")[-1]
    assert (entry.target, entry.data["known_account"]) == ("clerk", True)
    assert "sai-nua" not in str(entry.data)


def test_a_lockout_is_audited_once_not_per_refused_try(clerk, in_province):
    _fail(A, 5)
    for _ in range(3):
        _client, response = _sign_in(A)
        assert response.status_code == 429
    [entry] = _audit(in_province, action="sign_in_blocked")
    assert entry.target == "clerk"
    assert entry.data["address"] == A
    assert entry.data["blocked_by"] == "account"
    assert 1 <= entry.data["minutes"] <= 15
    # the refused tries were not password checks: no more failures recorded
    assert len(_audit(in_province, action="sign_in_failed")) == 5


def test_sign_out_and_password_change_are_audited(clerk, in_province):
    client, _response = _sign_in(A)
    response = client.post(
        "/staff/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Cột-cờ-Lũng-Cú-trên-đỉnh-2026",
            "new_password2": "Cột-cờ-Lũng-Cú-trên-đỉnh-2026",
        },
    )
    assert response.status_code == 302
    [changed] = _audit(in_province, action="password_changed")
    assert (changed.actor_id, changed.data["address"]) == (clerk.pk, A)
    assert "Lũng" not in str(changed.data)
    client.post("/staff/logout/")
    [out] = _audit(in_province, action="sign_out")
    assert (out.actor_id, out.data["address"]) == (clerk.pk, A)


def test_rows_go_to_the_audit_of_the_host_schema(clerk, in_province, tenant_db):
    _fail(A, 1)
    assert len(_audit(in_province, "hagiang", action="sign_in_failed")) == 1
    assert not _audit(in_province, "dongnai", action="sign_in_failed")
    with schema_context("public"):
        assert not AuditEntry.objects.filter(action="sign_in_failed").exists()
    # the platform host's failures are the operators' (public schema)
    response = host_client(PLATFORM, REMOTE_ADDR=A).post(
        "/login/", {"username": "vanhanh", "password": "sai"}
    )
    assert response.status_code == 200
    with schema_context("public"):
        [entry] = AuditEntry.objects.filter(action="sign_in_failed")
    assert entry.target == "vanhanh"
    assert not _audit(in_province, "hagiang", target="vanhanh")


# --- the lockout rule --------------------------------------------------------------------------


def test_failures_from_one_address_lock_the_account_for_a_new_address_not_a_known_one(
    clerk, in_province
):
    # C is an address the clerk has signed in from
    client, response = _sign_in(C)
    assert response.status_code == 302
    client.post("/staff/logout/")
    # someone at A types five wrong passwords for the clerk
    _fail(A, 5)
    # from a new address B the account is held
    _client, response = _sign_in(B)
    assert response.status_code == 429
    assert "quá nhiều lần đăng nhập không thành công" in page_text(response).lower()
    # from C, where the clerk has worked before, the right password is let in
    client, response = _sign_in(C)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(clerk.pk)


def test_failures_from_a_known_address_still_count_there(clerk, in_province):
    client, _response = _sign_in(C)
    client.post("/staff/logout/")
    _fail(C, 5)
    _client, response = _sign_in(C)
    assert response.status_code == 429
    assert response["Retry-After"]


def test_an_address_known_for_one_account_does_not_free_another(clerk, in_province):
    with in_province("hagiang"):
        User.objects.create_user(username="other", password=PASSWORD, is_staff=True)
    client, _response = _sign_in(C)  # the clerk is known at C, "other" is not
    client.post("/staff/logout/")
    _fail(A, 5, username="other")
    _client, response = _sign_in(C, username="other")
    assert response.status_code == 429


def test_a_known_address_of_one_province_is_not_known_in_another(clerk, in_province):
    client, _response = _sign_in(C)
    client.post("/staff/logout/")
    with in_province("dongnai"):
        assert not security.known_address(username="clerk", address=C)
    with in_province("hagiang"):
        assert security.known_address(username="clerk", address=C)
        assert not security.known_address(username="Clerk", address=C)
        assert not security.known_address(username="clerk", address="not an address")


def test_the_address_counter_still_holds_a_known_address(clerk, in_province):
    client, _response = _sign_in(C)
    client.post("/staff/logout/")
    for index in range(20):
        _client, response = _sign_in(C, password="sai", username=f"doan{index}")
        assert response.status_code == 200
    _client, response = _sign_in(C)
    assert response.status_code == 429
    [entry] = _audit(in_province, action="sign_in_blocked")
    assert entry.data["blocked_by"] == "address"


def test_the_right_password_forgives_the_account_failures_from_its_address(clerk, in_province):
    client, _response = _sign_in(C)
    client.post("/staff/logout/")
    _fail(C, 4)
    client, response = _sign_in(C)
    assert response.status_code == 302
    client.post("/staff/logout/")
    _fail(C, 4)
    _client, response = _sign_in(C)
    assert response.status_code == 302


# --- session limits -----------------------------------------------------------------------------


def _shift(client, **moves: int) -> None:
    """Travel in time: move the session's stamps back by the given seconds."""
    session = client.session
    for key, seconds in moves.items():
        session[key] = session[key] - seconds
    session.save()


def test_a_session_ends_twelve_hours_after_the_sign_in(clerk, in_province):
    client, _response = _sign_in(A)
    assert client.get("/staff/").status_code == 200
    _shift(client, **{security.SIGNED_IN_AT: 12 * 3600 - 120, security.LAST_SEEN_AT: 10})
    assert client.get("/staff/").status_code == 200  # 11 h 58 min: still on
    _shift(client, **{security.SIGNED_IN_AT: 120})
    response = client.get("/staff/?tab=1")
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?next=%2Fstaff%2F%3Ftab%3D1"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "Phiên làm việc đã hết hạn" in page_text(page)
    [entry] = _audit(in_province, action="session_expired")
    assert (entry.actor_id, entry.data["reason"], entry.data["address"]) == (
        clerk.pk,
        "absolute",
        A,
    )
    # the end is not recorded as the user's own sign-out
    assert not _audit(in_province, action="sign_out")


def test_a_session_ends_after_thirty_idle_minutes(clerk, in_province):
    client, _response = _sign_in(A)
    _shift(client, **{security.LAST_SEEN_AT: 29 * 60})
    assert client.get("/staff/").status_code == 200
    # the request refreshed the last-seen time: another 29 minutes are fine
    _shift(client, **{security.LAST_SEEN_AT: 29 * 60})
    assert client.get("/staff/").status_code == 200
    _shift(client, **{security.LAST_SEEN_AT: 30 * 60})
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")
    [entry] = _audit(in_province, action="session_expired")
    assert entry.data["reason"] == "idle"


def test_the_last_seen_time_is_written_at_most_once_a_minute(clerk):
    client, _response = _sign_in(A)
    _shift(client, **{security.LAST_SEEN_AT: 30})
    before = client.session[security.LAST_SEEN_AT]
    assert client.get("/staff/").status_code == 200
    assert client.session[security.LAST_SEEN_AT] == before
    _shift(client, **{security.LAST_SEEN_AT: 40})
    assert client.get("/staff/").status_code == 200
    assert client.session[security.LAST_SEEN_AT] >= int(time.time()) - 2


def test_a_session_without_stamps_starts_counting_at_its_next_request(clerk):
    client, _response = _sign_in(A)
    session = client.session
    del session[security.SIGNED_IN_AT]
    session[security.LAST_SEEN_AT] = "garbage"
    session.save()
    assert client.get("/staff/").status_code == 200
    assert abs(client.session[security.SIGNED_IN_AT] - time.time()) < 5
    assert isinstance(client.session[security.LAST_SEEN_AT], int)


def test_an_expired_session_gets_a_json_401_from_the_api(clerk, in_province):
    client, _response = _sign_in(A)
    _shift(client, **{security.LAST_SEEN_AT: 31 * 60})
    response = client.get("/api/v1/categories/")
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == "session_expired"
    assert "_auth_user_id" not in client.session


def test_an_operator_session_on_the_platform_host_ends_too(tenant_db):
    User.objects.create_user(username="vanhanh_audit", password=PASSWORD, is_staff=True)
    client = host_client(PLATFORM, REMOTE_ADDR=B)
    response = client.post("/login/", {"username": "vanhanh_audit", "password": PASSWORD})
    assert response.status_code == 302
    # signed in (an operator may first be asked to enrol a second factor)
    assert not client.get("/").get("Location", "").startswith("/login/")
    _shift(client, **{security.SIGNED_IN_AT: 12 * 3600})
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2F"
    with schema_context("public"):
        [entry] = AuditEntry.objects.filter(action="session_expired")
    assert (entry.target, entry.data["address"]) == ("vanhanh_audit", B)


def test_the_session_limits_are_the_settings(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.STAFF_SESSION_IDLE_SECONDS == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
