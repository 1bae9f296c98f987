"""The password policy of staff accounts (issue 13): passwords built from the province's own
names or from the words of any portal's sign-in page are refused wherever a password is set,
and passwords are stored with Argon2, older PBKDF2 hashes upgraded at the next sign-in."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from accounts.models import User
from accounts.services import AccountError, user_create_with_password
from config.settings import base as production_base
from tests.conftest import host_client
from tests.factories.organization import issued_staff
from tests.factories.pages import page_text

HOST = "hagiang.localhost"
GOOD = "Trâu ăn cỏ ven đồi lúc chiều muộn"
GUESSABLE = "Mật khẩu quá dễ đoán"


def _refusal_codes(password: str, user=None) -> set[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return {item.code for item in error.error_list}
    return set()


@pytest.mark.parametrize(
    "password",
    [
        "hagiang2026!",
        "HaGiang@2026",
        "hà giang 2026",
        "2026-Hà-Giang!!",
        "giang.ha.2026!!",
        "hagiang.gov.vn2026",
        "CongThongTinHaGiang1",
        "TinhHaGiang@2026",
        "matkhau1234",
        "Matkhau@2025",
        "P@ssw0rd2026",
        "QuanTri@2026",
        "admin@hagiang2026",
        "Mật khẩu 2026!",
    ],
)
def test_a_password_made_of_the_province_names_or_common_words_is_refused(in_province, password):
    with in_province("hagiang"):
        assert "password_province_derived" in _refusal_codes(password)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        (" " * 12, "password_without_letters"),
        ("!@#$%^&*()_+=-", "password_without_letters"),
        ("2026-2026-2026", "password_without_letters"),
        ("aaaaaaaaaaaa", "password_repetitive"),
        ("Ááá-aaa-ÂÂA-123", "password_repetitive"),
        ("hahahahahahaha", "password_repetitive"),
        ("abcabcabcabc!", "password_repetitive"),
    ],
)
def test_a_password_without_letters_or_of_one_repeated_character_is_refused(
    in_province, password, code
):
    with in_province("hagiang"):
        assert code in _refusal_codes(password)


@pytest.mark.parametrize(
    "password",
    [GOOD, "Mây trắng bay qua đèo Mã Pì Lèng 1965", "correct horse battery staple"],
)
def test_a_good_passphrase_is_accepted(in_province, password):
    with in_province("hagiang"):
        password_validation.validate_password(password)


def test_the_names_are_those_of_the_province_where_the_password_is_set(in_province):
    with in_province("dongnai"):
        assert "password_province_derived" in _refusal_codes("DongNai@2026")
        assert "password_province_derived" in _refusal_codes("đồng nai 2026")
    with in_province("thuathienhue"):
        assert "password_province_derived" in _refusal_codes("ThuaThienHue2026!")
        assert "password_province_derived" in _refusal_codes("Huế@2026!!")


def test_on_the_platform_the_platform_names_are_refused(tenant_db):
    # the public schema: the operators' console
    assert "password_province_derived" in _refusal_codes("nentang2026!")
    assert "password_province_derived" in _refusal_codes("Nền tảng @2026")
    assert "password_province_derived" in _refusal_codes("Platform@2026")
    password_validation.validate_password(GOOD)


def test_a_password_made_of_the_account_names_is_refused(in_province):
    with in_province("hagiang"):
        user = User(username="nvan", full_name="Nguyễn Văn An")
        assert "password_province_derived" in _refusal_codes("nvan@2026!!", user)
        assert "password_province_derived" in _refusal_codes("Nguyễn Văn An 1990", user)
        password_validation.validate_password(GOOD, user)


def test_the_rule_is_listed_in_the_help_texts():
    assert any("tên tỉnh" in text for text in password_validation.password_validators_help_texts())


def test_a_very_long_password_is_checked_within_bounds(in_province):
    with in_province("hagiang"):
        password_validation.validate_password(GOOD + " " + "x y z " * 600)
        assert "password_province_derived" in _refusal_codes("hagiang" * 580 + "!")


# --- every place a password is set ---------------------------------------------------------


@pytest.fixture
def issued(in_province):
    """A Hà Giang staff account with a one-time secret, as `manage.py staff create` issues it."""
    with in_province("hagiang"):
        return issued_staff(username="doimk", full_name="Lê Thị Bình")


@pytest.mark.parametrize("new_password", ["hagiang2026!", "Matkhau@2025", " " * 12])
def test_the_password_change_page_on_the_province_host_shows_the_refusal(
    issued, in_province, new_password
):
    # given a staff member signed in on Hà Giang's host with the one-time secret
    client = host_client(HOST)
    client.post("/staff/login/", {"username": "doimk", "password": issued.one_time_secret})
    with in_province("hagiang"):
        before = User.objects.get(username="doimk").password
    # when they choose a guessable password
    response = client.post(
        "/staff/password/",
        {
            "old_password": issued.one_time_secret,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )
    # then the page says why, in Vietnamese, and nothing changes
    html = page_text(response)
    assert response.status_code == 200
    assert "Mật khẩu" in html
    assert GUESSABLE in html or "Mật khẩu phải có chữ cái" in html
    assert "tên tỉnh" in page_text(client.get("/staff/password/"))  # the rule, before typing
    with in_province("hagiang"):
        user = User.objects.get(username="doimk")
        assert user.password == before
        assert user.must_change_password is True


def test_the_password_change_page_accepts_a_good_passphrase(issued, in_province):
    client = host_client(HOST)
    client.post("/staff/login/", {"username": "doimk", "password": issued.one_time_secret})
    response = client.post(
        "/staff/password/",
        {"old_password": issued.one_time_secret, "new_password1": GOOD, "new_password2": GOOD},
    )
    assert response.status_code == 302
    with in_province("hagiang"):
        assert User.objects.get(username="doimk").check_password(GOOD)


def test_the_enrolment_service_refuses_it(in_province):
    with in_province("hagiang"):
        with pytest.raises(AccountError) as caught:
            user_create_with_password(username="tudat", password="HaGiang@2026")
        assert (caught.value.code, caught.value.field) == ("weak_password", "password")
        assert GUESSABLE in caught.value.message
        assert not User.objects.filter(username="tudat").exists()


def test_the_staff_command_refuses_it_and_creates_nothing(in_province, monkeypatch):
    typed = iter(["hagiang2026!", "hagiang2026!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    with pytest.raises(CommandError) as caught:
        call_command(
            "staff", "create", "--province", "hagiang", "--username", "tudat",
            "--role", "board_editor", "--own-password", stdout=StringIO(),
        )  # fmt: skip
    assert "weak_password" in str(caught.value)
    assert GUESSABLE in str(caught.value)
    with in_province("hagiang"):
        assert not User.objects.filter(username="tudat").exists()


# --- hashing ---------------------------------------------------------------------------------


def test_production_hashers_store_argon2_and_upgrade_an_old_pbkdf2_hash_at_sign_in(in_province):
    hashers = production_base.PASSWORD_HASHERS
    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=hashers):
        # given an account whose password was stored before, with PBKDF2
        with in_province("hagiang"):
            user = user_create_with_password(username="tudat", password=GOOD)
            assert user.password.startswith("argon2$argon2id$")
            user.password = make_password(GOOD, hasher="pbkdf2_sha256")
            user.must_change_password = False
            user.save(update_fields=["password", "must_change_password"])
        # when it signs in
        wrong = host_client(HOST).post("/staff/login/", {"username": "tudat", "password": "x"})
        assert wrong.status_code == 200
        with in_province("hagiang"):
            assert User.objects.get(username="tudat").password.startswith("pbkdf2_sha256$")
        response = host_client(HOST).post("/staff/login/", {"username": "tudat", "password": GOOD})
        # then it is signed in and its password is now stored with Argon2
        assert response.status_code == 302
        with in_province("hagiang"):
            stored = User.objects.get(username="tudat")
            assert stored.password.startswith("argon2$argon2id$")
            assert stored.check_password(GOOD)
