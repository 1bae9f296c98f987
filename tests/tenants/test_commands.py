"""Operators' commands: one-time secrets printed once, forced change at first login."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tenants.utils import schema_context

from accounts.models import User


def _secret(output: str) -> str:
    return re.search(r"one-time password: (\S+)", output).group(1)


def test_operator_create_and_reset(tenant_db, capsys):
    call_command("operator", "create", "--username", "vanhanh2")
    first = _secret(capsys.readouterr().out)
    user = User.objects.get(username="vanhanh2")
    assert user.check_password(first)
    assert user.must_change_password
    call_command("operator", "reset", "--username", "vanhanh2")
    second = _secret(capsys.readouterr().out)
    user.refresh_from_db()
    assert second != first
    assert user.check_password(second)
    with schema_context(tenant_db["hagiang"].schema_name):
        assert not User.objects.filter(username="vanhanh2").exists()


def test_a_lost_administrator_secret_is_reissued_by_an_operator(tenant_db, capsys):
    call_command("staff", "reset", "--province", "hagiang", "--username", "quantri")
    secret = _secret(capsys.readouterr().out)
    with schema_context(tenant_db["hagiang"].schema_name):
        admin = User.objects.get(username="quantri")
        assert admin.check_password(secret)
        assert admin.must_change_password


def test_staff_create_with_the_profile_naming_rule(tenant_db, capsys):
    # Huế Art. 11: "Nguyễn Văn An" → "nvan"
    call_command(
        "staff",
        "create",
        "--province",
        "thuathienhue",
        "--full-name",
        "Nguyễn Văn An",
        "--role",
        "deputy_head",
        "--agency",
        "tttt",
    )
    assert "thuathienhue" not in capsys.readouterr().err
    with schema_context(tenant_db["thuathienhue"].schema_name):
        user = User.objects.get(username="nvan")
        assert user.role_assignments.get().role.code == "deputy_head"


def test_unknown_user_is_a_clear_error(tenant_db):
    with pytest.raises(CommandError, match="unknown user"):
        call_command("staff", "reset", "--province", "hagiang", "--username", "nobody")
