"""`accounts.force_first_password_change` decides whether a password the staff member typed
themselves at enrolment must be changed at the first sign-in (Huế Art. 11(2)); a one-time
secret that an administrator or operator has seen is always changed at first use, whatever the
profile says (ADR 0013)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import accounts.services
from accounts.models import User
from accounts.services import (
    AccountError,
    user_create_with_password,
    user_create_with_secret,
    user_issue_secret,
)
from tests.conftest import host_client

HOST = "hagiang.localhost"
OWN_PASSWORD = "Sương-sớm-phủ-ruộng-bậc-thang-2026"


@pytest.fixture
def profile_says(monkeypatch):
    """Run with the province's profile in force, its accounts.force_first_password_change set
    to the given value (the shipped files are not touched)."""

    def vary(value: bool) -> None:
        real = accounts.services.current_profile

        def varied(on=None):
            profile = real(on)
            accounts = profile.accounts.model_copy(update={"force_first_password_change": value})
            return profile.model_copy(update={"accounts": accounts})

        monkeypatch.setattr(accounts.services, "current_profile", varied)

    return vary


def _first_sign_in(username: str, password: str):
    client = host_client(HOST)
    response = client.post("/staff/login/", {"username": username, "password": password})
    assert response.status_code == 302, "the sign-in was refused"
    return client, response["Location"]


def test_every_shipped_profile_forces_the_change_of_a_self_chosen_first_password(in_province):
    with in_province("hagiang"):
        user = user_create_with_password(username="tudat", password=OWN_PASSWORD)
    assert user.must_change_password is True
    client, landing = _first_sign_in("tudat", OWN_PASSWORD)
    assert landing == "/staff/password/"
    assert client.get("/staff/").headers["Location"] == "/staff/password/"


def test_a_profile_that_does_not_force_it_lets_the_first_password_stand(in_province, profile_says):
    profile_says(False)
    with in_province("hagiang"):
        user = user_create_with_password(username="tudat", password=OWN_PASSWORD)
    assert user.must_change_password is False
    client, landing = _first_sign_in("tudat", OWN_PASSWORD)
    assert landing != "/staff/password/"
    assert client.get("/staff/").status_code == 200


def test_a_one_time_secret_is_always_changed_whatever_the_profile_says(in_province, profile_says):
    profile_says(False)
    with in_province("hagiang"):
        issued = user_create_with_secret(username="capmoi")
        admin = User.objects.get(is_superuser=True)
        user_create_with_password(username="tudat", password=OWN_PASSWORD)
        reissued = user_issue_secret(user=User.objects.get(username="tudat"), actor=admin)
    assert issued.user.must_change_password is True
    assert reissued.user.must_change_password is True
    assert _first_sign_in("capmoi", issued.one_time_secret)[1] == "/staff/password/"
    assert _first_sign_in("tudat", reissued.one_time_secret)[1] == "/staff/password/"


def test_a_weak_first_password_is_refused_and_nothing_is_stored(in_province):
    with in_province("hagiang"):
        with pytest.raises(AccountError) as caught:
            user_create_with_password(username="tudat", password="123")
        assert (caught.value.code, caught.value.field) == ("weak_password", "password")
        assert not User.objects.filter(username="tudat").exists()


def test_staff_create_with_own_password_asks_the_person_and_follows_the_profile(
    in_province, monkeypatch
):
    typed = iter([OWN_PASSWORD, OWN_PASSWORD, OWN_PASSWORD, "something else"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    out = StringIO()
    call_command(
        "staff",
        "create",
        "--province",
        "hagiang",
        "--username",
        "tudat",
        "--role",
        "board_editor",
        "--own-password",
        stdout=out,
    )
    assert OWN_PASSWORD not in out.getvalue()
    assert "must change it at the first sign-in" in out.getvalue()
    with in_province("hagiang"):
        user = User.objects.get(username="tudat")
        assert user.must_change_password is True
        assert user.check_password(OWN_PASSWORD)
    # two different entries: refused, nothing created
    with pytest.raises(CommandError):
        call_command(
            "staff", "create", "--province", "hagiang", "--username", "tudat2",
            "--role", "board_editor", "--own-password", stdout=StringIO(),
        )  # fmt: skip
    with in_province("hagiang"):
        assert not User.objects.filter(username="tudat2").exists()
