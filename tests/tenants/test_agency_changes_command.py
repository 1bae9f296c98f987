"""`manage.py agencies_reorganize`: the shortcuts and a JSON file of changes, a dry run that
prints the plan in Vietnamese and changes nothing, an apply named after its operator in the
province's audit, and a refusal printed with its problems (nonzero exit, nothing stored)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from accounts.models import AuditEntry, User
from organization.models import Agency
from tenants.models import HostRedirect


def _run(*args) -> str:
    out = StringIO()
    call_command("agencies_reorganize", *args, stdout=out)
    return out.getvalue()


def _active(tenant_db, label: str) -> bool:
    with schema_context(tenant_db["thainguyen"].schema_name):
        return Agency.objects.get(site__label=label).is_active


def test_a_dry_run_prints_the_plan_and_changes_nothing(tenant_db):
    # when
    out = _run("--province", "thainguyen", "--merge", "sotttt", "sokhdt", "--dry-run")
    # then
    assert "1. Hợp nhất cơ quan: Sở Thông tin và Truyền thông → Sở Kế hoạch và Đầu tư" in out
    assert "Chuyển hướng: sotttt.thainguyen.gov.vn → sokhdt.thainguyen.gov.vn" in out
    assert "Chạy thử: chưa thay đổi gì." in out
    assert _active(tenant_db, "sotttt")


def test_changes_from_a_file_are_applied_and_audited_with_the_operator(tenant_db, tmp_path):
    # given
    User.objects.create(username="agency_cli_operator", is_staff=True)
    changes = tmp_path / "changes.json"
    changes.write_text(
        json.dumps(
            [{"action": "retire", "agency": "phoyen", "successor": "sokhdt"}], ensure_ascii=False
        ),
        encoding="utf-8",
    )
    # when
    out = _run(
        "--province", "thainguyen", "--changes", str(changes), "--operator", "agency_cli_operator"
    )
    # then
    assert "1. Giải thể cơ quan: Ủy ban nhân dân huyện Phổ Yên → Sở Kế hoạch và Đầu tư" in out
    assert "Đã thực hiện." in out
    assert not _active(tenant_db, "phoyen")
    assert HostRedirect.objects.get(host="phoyen.thainguyen.gov.vn").reason == "agency_retire"
    with schema_context(tenant_db["thainguyen"].schema_name):
        entry = AuditEntry.objects.get(action="agency_changes")
    assert entry.actor_name == "agency_cli_operator"
    assert entry.data["via"] == "operator"


def test_a_rename_shortcut_renames(tenant_db):
    # when
    _run("--province", "thainguyen", "--rename", "sotttt", "Sở Khoa học và Công nghệ")
    # then
    with schema_context(tenant_db["thainguyen"].schema_name):
        assert Agency.objects.get(site__label="sotttt").name == "Sở Khoa học và Công nghệ"


def test_a_refusal_prints_its_problems_and_stores_nothing(tenant_db):
    # given
    out = StringIO()
    # when
    with pytest.raises(CommandError):
        call_command(
            "agencies_reorganize",
            "--province",
            "thainguyen",
            "--merge",
            "sotttt",
            "sokhdt",
            "--retire",
            "daitu",
            "sotttt",
            stdout=out,
        )
    # then
    assert "changes[1].successor: Cơ quan nhận đã được hợp nhất" in out.getvalue()
    assert _active(tenant_db, "sotttt")
    assert not HostRedirect.objects.exists()


@pytest.mark.parametrize(
    "args",
    [
        ("--province", "khongco", "--merge", "sotttt", "sokhdt"),
        ("--province", "thainguyen"),
        ("--province", "thainguyen", "--merge", "sotttt", "sokhdt", "--operator", "khongco"),
        ("--province", "thainguyen", "--changes", "/nonexistent/changes.json"),
    ],
)
def test_bad_arguments_are_refused(tenant_db, args):
    with pytest.raises(CommandError):
        _run(*args)
    assert _active(tenant_db, "sotttt")
