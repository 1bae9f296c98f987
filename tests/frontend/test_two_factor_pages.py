"""The second factor's pages (ADR 0022): the code after the password, enrolment with a QR code,
the recovery codes, the account's "Bảo mật tài khoản" page, the administrator's reset, and the
same on the platform host for operators."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEntry, RecoveryCode, User
from accounts.services import user_create_with_secret
from frontend.views import two_factor
from tests.conftest import host_client
from tests.factories.accounts import administrator, authenticator, totp_code, verified_login
from tests.factories.pages import page_text, signed_in

HOST = "thainguyen.localhost"
PLATFORM = "platform.localhost"
PASSWORD = "Cán-bộ-duyệt-tin-2026!"
CODE_PATTERN = re.compile(r"<code translate=\"no\">([a-z2-9]{5}-[a-z2-9]{5})</code>")


def _with_password(user):
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def _password_step(client, username: str, path: str = "/staff/login/", **extra):
    return client.post(path, {"username": username, "password": PASSWORD, **extra})


@pytest.fixture
def approver(province_schema):
    """A Thái Nguyên approver (must have a second factor) with a confirmed authenticator."""
    _site, staff = province_schema("thainguyen")
    user = _with_password(staff.holding("portal_approver"))
    return user, authenticator(user)


def _audit(in_province, action: str) -> list[AuditEntry]:
    with in_province("thainguyen"):
        return list(AuditEntry.objects.filter(action=action).order_by("pk"))


# --- the code after the password --------------------------------------------------------------


def test_the_password_alone_does_not_sign_in_an_account_with_an_authenticator(approver):
    user, device = approver
    client = host_client(HOST)
    # when the password is right
    response = _password_step(client, user.username, next="/staff/items/")
    # then the code is asked, and nothing is open yet
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/xac-thuc/"
    assert "_auth_user_id" not in client.session
    assert client.get("/staff/")["Location"].startswith("/staff/login/")
    page = client.get("/staff/login/xac-thuc/")
    assert page.status_code == 200
    assert "Nhập mã xác thực" in page_text(page)
    assert 'autocomplete="one-time-code"' in page_text(page)
    # when the code is right
    done = client.post("/staff/login/xac-thuc/", {"code": totp_code(device)})
    # then signed in, verified by this device, and sent where it was going
    assert done.status_code == 302
    assert done["Location"] == "/staff/items/"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session["otp_device_id"] == device.persistent_id
    assert client.get("/staff/").status_code == 200


def test_five_wrong_codes_drop_the_half_finished_sign_in(approver, in_province):
    user, device = approver
    client = host_client(HOST)
    _password_step(client, user.username)
    wrong = f"{(int(totp_code(device)) + 7) % 1_000_000:06d}"
    statuses = []
    for _attempt in range(two_factor.MAX_FAILURES - 1):
        response = client.post("/staff/login/xac-thuc/", {"code": wrong})
        statuses.append(response.status_code)
        assert "Mã xác thực không đúng hoặc đã hết hạn." in page_text(response) or (
            "Bạn đã nhập sai quá nhiều lần" in page_text(response)
        )
    assert set(statuses) <= {400, 429}
    # the fifth: back to the password
    last = client.post("/staff/login/xac-thuc/", {"code": wrong})
    assert last.status_code == 302
    assert last["Location"] == "/staff/login/"
    assert two_factor.PENDING_KEY not in client.session
    # then even the right code no longer signs in
    again = client.post("/staff/login/xac-thuc/", {"code": totp_code(device)})
    assert again["Location"] == "/staff/login/"
    assert "_auth_user_id" not in client.session
    failures = _audit(in_province, "otp_failed")
    assert len(failures) == two_factor.MAX_FAILURES
    assert all(wrong not in str(entry.data) for entry in failures)
    assert all(entry.data["address"] == "127.0.0.1" for entry in failures)


def test_a_note_of_the_password_older_than_five_minutes_is_refused(approver, monkeypatch):
    user, device = approver
    client = host_client(HOST)
    _password_step(client, user.username)
    monkeypatch.setattr(two_factor, "PENDING_MAX_AGE", -1)
    response = client.post("/staff/login/xac-thuc/", {"code": totp_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/"
    assert "_auth_user_id" not in client.session


def test_the_code_page_without_a_password_first_goes_back_to_the_sign_in(tenant_db):
    response = host_client(HOST).get("/staff/login/xac-thuc/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/"


def test_a_recovery_code_signs_in_once_and_says_how_many_remain(approver, in_province):
    from accounts.second_factor import _recovery_codes_replace

    user, _device = approver
    with in_province("thainguyen"):
        codes = _recovery_codes_replace(user)
    client = host_client(HOST)
    _password_step(client, user.username)
    response = client.post("/staff/login/xac-thuc/", {"code": codes[0]}, follow=True)
    assert response.status_code == 200
    assert "còn 9 mã chưa dùng" in page_text(response)
    [entry] = _audit(in_province, "otp_recovery_used")
    assert entry.data["recovery_codes_left"] == 9
    # the same code a second time is refused
    other = host_client(HOST)
    _password_step(other, user.username)
    refused = other.post("/staff/login/xac-thuc/", {"code": codes[0]})
    assert refused.status_code == 400
    assert "_auth_user_id" not in other.session


def test_an_over_long_code_is_a_clear_error(approver):
    user, _device = approver
    client = host_client(HOST)
    _password_step(client, user.username)
    response = client.post("/staff/login/xac-thuc/", {"code": "9" * 40})
    assert response.status_code == 400
    assert "Mã xác thực dài tối đa 32 ký tự." in page_text(response)


def test_a_session_without_its_code_is_asked_for_it(approver):
    # given a session signed in before the account enrolled (here: without the code page)
    user, device = approver
    client = host_client(HOST)
    client.force_login(user)
    # then every page leads to the code, and the API refuses with a clear code
    assert client.get("/staff/")["Location"] == "/staff/login/xac-thuc/"
    api = client.get("/api/v1/items/")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "second_factor_required"
    # when the code is given
    response = client.post("/staff/login/xac-thuc/", {"code": totp_code(device)})
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


# --- enrolment --------------------------------------------------------------------------------


def _enrol(client, in_province, username: str, path: str = "/staff/bao-mat/dang-ky/"):
    page = client.get(path)
    assert page.status_code == 200
    with in_province("thainguyen") if in_province else _nothing():
        device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    return page, device


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_an_administrator_without_an_authenticator_can_only_enrol(tenant_db, in_province):
    # given the province's administrator, who has never enrolled
    with in_province("thainguyen"):
        admin = administrator(password=PASSWORD)
    client = host_client(HOST)
    # when the password is right: signed in, but every page leads to the enrolment
    response = _password_step(client, admin.username)
    assert response.status_code == 302
    for path in ("/staff/", "/staff/quan-tri/", "/staff/bao-mat/"):
        assert client.get(path)["Location"] == "/staff/bao-mat/dang-ky/", path
    api = client.get("/api/v1/items/")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "second_factor_enrolment_required"
    # the enrolment page: a QR code drawn inline, the secret in groups of four
    page, device = _enrol(client, in_province, admin.username)
    html = page_text(page)
    assert '<svg role="img" aria-label="Mã QR để quét bằng ứng dụng"' in html
    assert two_factor.secret_groups(device) in html
    assert "<img" not in html.split("qr-code", 1)[1].split("</div>", 1)[0]
    # a wrong code: refused, nothing confirmed
    wrong = client.post(
        "/staff/bao-mat/dang-ky/",
        {"code": f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"},
    )
    assert wrong.status_code == 400
    assert "Mã xác thực không đúng hoặc đã hết hạn." in page_text(wrong)
    # the right one (after the throttle's one-second wait)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    done = client.post("/staff/bao-mat/dang-ky/", {"code": totp_code(device)})
    # then ten recovery codes, shown this once, not kept in any cache
    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    codes = CODE_PATTERN.findall(done.content.decode())
    assert len(codes) == 10
    with in_province("thainguyen"):
        stored = set(RecoveryCode.objects.filter(user=admin).values_list("code_hash", flat=True))
    assert not stored & set(codes)
    # and the session is verified: work goes on
    assert client.get("/staff/quan-tri/").status_code == 200
    assert len(_audit(in_province, "otp_enrolled")) == 1


def test_a_new_account_changes_its_one_time_secret_before_it_enrols(tenant_db, in_province):
    with in_province("thainguyen"):
        issued = user_create_with_secret(username="qt_moi", is_superuser=True)
    client = host_client(HOST)
    response = client.post(
        "/staff/login/", {"username": "qt_moi", "password": issued.one_time_secret}
    )
    assert response["Location"] == "/staff/password/"
    assert client.get("/staff/bao-mat/dang-ky/")["Location"] == "/staff/password/"
    changed = client.post(
        "/staff/password/",
        {
            "old_password": issued.one_time_secret,
            "new_password1": PASSWORD,
            "new_password2": PASSWORD,
        },
    )
    assert changed.status_code == 302
    assert client.get("/staff/")["Location"] == "/staff/bao-mat/dang-ky/"


def test_an_author_may_enrol_voluntarily(province_schema, in_province):
    _site, staff = province_schema("thainguyen")
    author = _with_password(staff.holding("updater"))
    client = host_client(HOST)
    _password_step(client, author.username)
    # not required: the staff pages open, and the security page offers the enrolment
    page = client.get("/staff/bao-mat/")
    assert page.status_code == 200
    html = page_text(page)
    assert "Chưa bật" in html
    assert "Không (bạn vẫn nên bật)" in html
    _page, device = _enrol(client, None, author.username)
    done = client.post("/staff/bao-mat/dang-ky/", {"code": totp_code(device)})
    assert done.status_code == 200
    # next time, the code is asked after the password
    again = host_client(HOST)
    assert _password_step(again, author.username)["Location"] == "/staff/login/xac-thuc/"


# --- the security page ------------------------------------------------------------------------


def test_the_security_page_renews_the_recovery_codes_after_a_code(approver, in_province):
    user, device = approver
    client = host_client(HOST)
    verified_login(client, user, host=HOST)
    with in_province("thainguyen"):
        from accounts.second_factor import _recovery_codes_replace

        old = _recovery_codes_replace(user)
    page = client.get("/staff/bao-mat/")
    assert page.status_code == 200
    assert "10 trên 10 mã" in page_text(page)
    assert "Bảo mật tài khoản" in page_text(client.get("/staff/"))
    # a wrong code: nothing changes
    refused = client.post("/staff/bao-mat/ma-khoi-phuc/", {"code": "abc"})
    assert refused.status_code == 400
    assert "Mã xác thực không đúng hoặc đã hết hạn." in page_text(refused)
    with in_province("thainguyen"):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    # the right one: a new set
    done = client.post("/staff/bao-mat/ma-khoi-phuc/", {"code": totp_code(device)})
    assert done.status_code == 200
    new = CODE_PATTERN.findall(done.content.decode())
    assert len(new) == 10
    assert not set(new) & set(old)
    assert "Các mã khôi phục cũ đã hết hiệu lực." in page_text(done)
    assert len(_audit(in_province, "otp_recovery_renewed")) == 1


# --- the administrator's reset ----------------------------------------------------------------


def test_the_administrator_resets_a_staff_members_second_factor(approver, in_province):
    user, _device = approver
    with in_province("thainguyen"):
        admin = administrator()
    client = signed_in(HOST, admin)
    page = client.get(f"/staff/quan-tri/can-bo/{user.pk}/")
    assert "Đặt lại xác thực hai lớp" in page_text(page)
    # without the confirmation: refused, nothing removed
    unconfirmed = client.post(f"/staff/quan-tri/can-bo/{user.pk}/xac-thuc-hai-lop/")
    assert unconfirmed.status_code == 400
    with in_province("thainguyen"):
        assert TOTPDevice.objects.filter(user=user).exists()
    # confirmed
    response = client.post(
        f"/staff/quan-tri/can-bo/{user.pk}/xac-thuc-hai-lop/", {"confirm": "1"}, follow=True
    )
    assert response.status_code == 200
    assert "Đã đặt lại xác thực hai lớp" in page_text(response)
    with in_province("thainguyen"):
        assert not TOTPDevice.objects.filter(user=user).exists()
    [entry] = _audit(in_province, "otp_reset")
    assert entry.actor_name == admin.username
    assert entry.data == {"address": "127.0.0.1"}
    # the user signs in with the password and must enrol again
    again = host_client(HOST)
    _password_step(again, user.username)
    assert again.get("/staff/")["Location"] == "/staff/bao-mat/dang-ky/"


def test_the_administrator_cannot_reset_their_own_and_others_cannot_at_all(approver, in_province):
    user, _device = approver
    with in_province("thainguyen"):
        admin = administrator()
    client = signed_in(HOST, admin)
    own = client.post(f"/staff/quan-tri/can-bo/{admin.pk}/xac-thuc-hai-lop/", {"confirm": "1"})
    assert own.status_code == 400
    assert "Không tự đặt lại xác thực hai lớp" in page_text(own)
    stranger = signed_in(HOST, user)
    refused = stranger.post(
        f"/staff/quan-tri/can-bo/{admin.pk}/xac-thuc-hai-lop/", {"confirm": "1"}
    )
    assert refused.status_code == 403
    with in_province("thainguyen"):
        assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()


# --- the platform host ------------------------------------------------------------------------


def test_an_operator_enrols_then_signs_in_with_a_code_on_the_platform_host(tenant_db):
    operator = User.objects.create_user(username="op_2fa", password=PASSWORD, is_staff=True)
    client = host_client(PLATFORM)
    assert _password_step(client, "op_2fa", path="/login/").status_code == 302
    assert client.get("/")["Location"] == "/bao-mat/dang-ky/"
    _page, device = _enrol(client, None, "op_2fa", path="/bao-mat/dang-ky/")
    done = client.post("/bao-mat/dang-ky/", {"code": totp_code(device)})
    assert done.status_code == 200
    assert client.get("/").status_code == 200
    # the next sign-in asks for the code
    again = host_client(PLATFORM)
    assert _password_step(again, "op_2fa", path="/login/")["Location"] == "/login/xac-thuc/"
    device.refresh_from_db()
    signed = again.post("/login/xac-thuc/", {"code": totp_code(device, steps_ahead=1)})
    assert signed.status_code == 302
    assert int(again.session["_auth_user_id"]) == operator.pk
    assert AuditEntry.objects.filter(action="otp_enrolled", target="op_2fa").count() == 1
