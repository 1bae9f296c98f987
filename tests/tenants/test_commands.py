"""Operators' commands: one-time secrets printed once, forced change at first login."""

import re
from html import unescape

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tenants.utils import schema_context

from accounts.models import AuditEntry, User
from organization.models import RoleAssignment


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


# --- the commands act through the audited services, as the server's command line -----------


def _audit_rows(schema_name: str) -> list[AuditEntry]:
    with schema_context(schema_name):
        return list(AuditEntry.objects.order_by("pk"))


def _by_the_command_line(entry: AuditEntry) -> bool:
    return (
        entry.actor_id is None
        and entry.actor_name.startswith("dòng lệnh máy chủ")
        and entry.data.get("via") == "command"
    )


def test_staff_create_records_the_account_and_its_role_as_done_by_the_command_line(
    tenant_db, capsys
):
    schema = tenant_db["hagiang"].schema_name
    before = len(_audit_rows(schema))
    call_command(
        "staff", "create", "--province", "hagiang", "--username", "nvan",
        "--role", "focal_point", "--agency", "stttt",
    )  # fmt: skip
    rows = _audit_rows(schema)[before:]
    assert sorted((row.action, row.target) for row in rows) == [
        ("role_granted", "nvan"),
        ("staff_created", "nvan"),
    ]
    assert all(_by_the_command_line(row) for row in rows)
    # never the one-time secret
    secret = _secret(capsys.readouterr().out)
    assert all(secret not in str(row.data) for row in rows)


def test_staff_reset_records_the_new_secret_as_issued_by_the_command_line(tenant_db, capsys):
    schema = tenant_db["hagiang"].schema_name
    before = len(_audit_rows(schema))
    call_command("staff", "reset", "--province", "hagiang", "--username", "quantri")
    [row] = _audit_rows(schema)[before:]
    assert (row.action, row.target) == ("user_secret_issued", "quantri")
    assert _by_the_command_line(row)
    assert _secret(capsys.readouterr().out) not in str(row.data)


def test_a_portal_role_with_an_agency_is_refused_and_nothing_changes(tenant_db):
    schema = tenant_db["hagiang"].schema_name
    before = len(_audit_rows(schema))
    # board_editor is a role of the provincial portal (QĐ 19/2015 Art. 12(4)), not of an agency
    with pytest.raises(CommandError, match="agency_not_allowed"):
        call_command(
            "staff", "create", "--province", "hagiang", "--username", "nvan",
            "--role", "board_editor", "--agency", "stttt",
        )  # fmt: skip
    with schema_context(schema):
        assert not User.objects.filter(username="nvan").exists()
        assert not RoleAssignment.objects.filter(user__username="nvan").exists()
    assert len(_audit_rows(schema)) == before


def test_an_unknown_agency_is_a_clear_error_and_nothing_changes(tenant_db):
    with pytest.raises(CommandError, match="unknown agency 'nowhere'"):
        call_command(
            "staff", "create", "--province", "hagiang", "--username", "nvan",
            "--role", "focal_point", "--agency", "nowhere",
        )  # fmt: skip
    with schema_context(tenant_db["hagiang"].schema_name):
        assert not User.objects.filter(username="nvan").exists()


def test_operator_create_and_reset_are_recorded_in_the_platform_audit(tenant_db, capsys):
    before = len(_audit_rows("public"))
    call_command("operator", "create", "--username", "vanhanh3")
    call_command("operator", "reset", "--username", "vanhanh3")
    rows = _audit_rows("public")[before:]
    assert [(row.action, row.target) for row in rows] == [
        ("staff_created", "vanhanh3"),
        ("user_secret_issued", "vanhanh3"),
    ]
    assert all(_by_the_command_line(row) for row in rows)
    # no province sees the operators' rows
    with schema_context(tenant_db["hagiang"].schema_name):
        assert not AuditEntry.objects.filter(target="vanhanh3").exists()


def test_operators_read_the_platform_audit_on_the_console(tenant_db, capsys):
    from tests.conftest import host_client
    from tests.factories.accounts import enrol_through_page

    call_command("operator", "create", "--username", "vanhanh4")
    secret = _secret(capsys.readouterr().out)
    operator = User.objects.get(username="vanhanh4")
    operator.set_password("Vận-hành-mới-2026")
    operator.must_change_password = False
    operator.save()
    client = host_client("platform.localhost")
    client.post("/login/", {"username": "vanhanh4", "password": "Vận-hành-mới-2026"})
    # an operator enrols an authenticator before the console opens (ADR 0022)
    enrol_through_page(client, operator, host="platform.localhost", prefix="")
    page = unescape(client.get("/").content.decode())
    assert "Nhật ký quản trị" in page
    assert "dòng lệnh máy chủ" in page
    assert "Tạo tài khoản" in page
    assert "staff_created" not in page
    assert secret not in page
