"""First sign-in of a staff account issued with a one-time secret: it can do nothing but
change that secret (Huế Art. 11); failed sign-ins are rate-limited."""

import pytest

from accounts.models import User
from accounts.services import username_from_full_name
from tests.conftest import host_client
from tests.factories.accounts import enrol_through_page
from tests.factories.organization import issued_staff
from tests.factories.pages import page_text

HOST = "hagiang.localhost"
NEW_PASSWORD = "Mật-khẩu-mới-2025"


@pytest.fixture
def issued(in_province):
    """A Hà Giang staff account with one role, as `manage.py staff create` issues it."""
    with in_province("hagiang"):
        return issued_staff(username="nvan", full_name="Nguyễn Văn An")


@pytest.fixture
def signed_in(issued):
    client = host_client(HOST)
    response = client.post(
        "/staff/login/", {"username": "nvan", "password": issued.one_time_secret}
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/password/"
    return client


def _stored(in_province) -> User:
    with in_province("hagiang"):
        return User.objects.get(username="nvan")


def test_every_staff_page_leads_to_the_password_change_until_it_is_done(signed_in):
    for path in ("/staff/", "/", "/staff/login/"):
        response = signed_in.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/staff/password/", path
    page = signed_in.get("/staff/password/")
    assert page.status_code == 200
    assert "mật khẩu được cấp một lần" in page_text(page)


def test_wrong_current_password_is_refused_and_nothing_changes(signed_in, issued, in_province):
    before = _stored(in_province).password
    # when
    response = signed_in.post(
        "/staff/password/",
        {
            "old_password": "not-the-secret",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    # then
    html = page_text(response)
    assert response.status_code == 200
    assert "Mật khẩu hiện tại không đúng." in html
    assert 'aria-describedby="id_old_password_error"' in html
    assert 'id="id_old_password_error"' in html
    user = _stored(in_province)
    assert user.password == before
    assert user.must_change_password is True
    assert signed_in.get("/staff/")["Location"] == "/staff/password/"


@pytest.mark.parametrize(
    ("new_password", "expected"),
    [
        ("ngan", "Mật khẩu mới quá ngắn: cần ít nhất 10 ký tự."),
        ("ngan", "Mật khẩu mới quá giống tên đăng nhập của bạn."),
        ("1234567890123", "Mật khẩu mới không được chỉ gồm chữ số."),
        ("password123", "Mật khẩu mới quá phổ biến, dễ bị đoán ra."),
    ],
)
def test_weak_new_password_is_refused_in_vietnamese(
    signed_in, issued, in_province, new_password, expected
):
    before = _stored(in_province).password
    response = signed_in.post(
        "/staff/password/",
        {
            "old_password": issued.one_time_secret,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )
    html = page_text(response)
    assert response.status_code == 200
    assert expected in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_new_password1_help id_new_password1_error"' in html
    user = _stored(in_province)
    assert user.password == before
    assert user.must_change_password is True


def test_mismatched_confirmation_is_refused(signed_in, issued, in_province):
    response = signed_in.post(
        "/staff/password/",
        {
            "old_password": issued.one_time_secret,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD + "x",
        },
    )
    assert response.status_code == 200
    assert "Hai lần nhập mật khẩu mới không khớp nhau." in page_text(response)
    assert _stored(in_province).must_change_password is True


def test_after_the_change_the_staff_home_lists_the_roles_in_the_same_session(
    signed_in, issued, in_province
):
    # when
    response = signed_in.post(
        "/staff/password/",
        {
            "old_password": issued.one_time_secret,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    # the account's role (the head of an agency approves its answers) needs a second factor:
    # the enrolment comes next, in the same session (ADR 0022)
    enrolment = signed_in.get("/staff/", follow=True)
    assert enrolment.redirect_chain == [("/staff/bao-mat/dang-ky/", 302)]
    assert "Đã đổi mật khẩu." in page_text(enrolment)
    enrol_through_page(signed_in, _stored(in_province), host=HOST)
    home = signed_in.get("/staff/")
    assert home.status_code == 200
    html = page_text(home)
    assert issued.role.name in html
    user = _stored(in_province)
    assert user.must_change_password is False
    assert user.password_changed_at is not None
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(issued.one_time_secret)


def test_staff_home_needs_a_sign_in(tenant_db):
    response = host_client(HOST).get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?next=/staff/"


def test_sign_out_is_a_post(signed_in):
    assert signed_in.get("/staff/logout/").status_code == 405
    response = signed_in.post("/staff/logout/")
    assert response.status_code == 302
    assert signed_in.get("/staff/")["Location"] == "/staff/login/?next=/staff/"


def test_an_account_exists_only_in_its_own_province(issued):
    response = host_client("dongnai.localhost").post(
        "/staff/login/", {"username": "nvan", "password": issued.one_time_secret}
    )
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page_text(response)


# --- rate limit ------------------------------------------------------------------------


def test_five_failed_sign_ins_for_an_account_block_the_next_attempt(issued):
    client = host_client(HOST, REMOTE_ADDR="198.51.100.7")
    for _ in range(5):
        response = client.post("/staff/login/", {"username": "nvan", "password": "sai"})
        assert response.status_code == 200
    # when the right password comes next
    response = client.post(
        "/staff/login/", {"username": "nvan", "password": issued.one_time_secret}
    )
    # then it is refused with a clear message
    assert response.status_code == 429
    assert "Retry-After" in response
    assert "quá nhiều lần đăng nhập không thành công" in page_text(response).lower()
    assert "_auth_user_id" not in client.session
    # another account on the same host is not blocked
    other = client.post("/staff/login/", {"username": "someone", "password": "sai"})
    assert other.status_code == 200


def test_a_successful_sign_in_clears_the_account_counter(issued):
    client = host_client(HOST, REMOTE_ADDR="198.51.100.8")
    for _ in range(4):
        client.post("/staff/login/", {"username": "nvan", "password": "sai"})
    client.post("/staff/login/", {"username": "nvan", "password": issued.one_time_secret})
    client.post("/staff/logout/")
    for _ in range(4):
        assert (
            client.post("/staff/login/", {"username": "nvan", "password": "sai"}).status_code == 200
        )


def test_many_failures_from_one_address_block_it_on_every_province(tenant_db):
    address = "203.0.113.9"
    for index in range(20):
        host = ("hagiang.localhost", "dongnai.localhost")[index % 2]
        response = host_client(host, REMOTE_ADDR=address).post(
            "/staff/login/", {"username": f"guess{index}", "password": "sai"}
        )
        assert response.status_code == 200
    blocked = host_client("backan.localhost", REMOTE_ADDR=address).post(
        "/staff/login/", {"username": "fresh", "password": "sai"}
    )
    assert blocked.status_code == 429
    elsewhere = host_client("backan.localhost", REMOTE_ADDR="203.0.113.10").post(
        "/staff/login/", {"username": "fresh", "password": "sai"}
    )
    assert elsewhere.status_code == 200


# --- account naming (Huế Art. 11) ------------------------------------------------------


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        ("Nguyễn Văn An", "nvan"),
        ("Trần Thị Bích Ngọc", "ttbngoc"),
        ("Đặng Đức", "dduc"),
        ("  lê   văn   tám ", "lvtam"),
        ("Nguye\u0302\u0303n Va\u0306n An", "nvan"),  # decomposed input is normalised
    ],
)
def test_username_from_full_name_follows_the_initials_rule(full_name, expected):
    assert username_from_full_name(full_name, rule="initials_given") == expected


def test_username_from_full_name_free_rule_keeps_the_folded_name():
    assert username_from_full_name("Nguyễn Văn An", rule="free") == "nguyen.van.an"


def test_a_session_on_its_one_time_secret_cannot_use_the_api(tenant_db, in_province):
    from accounts.services import user_create_with_secret
    from tests.conftest import host_client as make_client

    with in_province("hagiang"):
        issued = user_create_with_secret(username="moi_tao_api")
    client = make_client("hagiang.localhost")
    client.post("/staff/login/", {"username": "moi_tao_api", "password": issued.one_time_secret})
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_change_required"
