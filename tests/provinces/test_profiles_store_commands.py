"""`manage.py profiles submit|approve|reject|history|export` acting as a named operator, and a
stored version (`version:ID`) as the profile of `deadline`, `sla_due`, `workflow explain` and
`profiles validate` (ADR 0031)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from provinces.loader import today_in_vietnam
from tenants.models import ProfileVersion
from tests.factories.profiles import operator, profile_text, uploaded

NEXT_MONTH = today_in_vietnam() + timedelta(days=30)


def _file(tmp_path, text: str):
    path = tmp_path / "upload.toml"
    path.write_bytes(text.encode("utf-8"))
    return path


def test_submit_prints_the_id_and_the_changes(tenant_db, tmp_path, capsys):
    author = operator()
    text = profile_text(
        "thainguyen", effective_from=NEXT_MONTH, qa__kinds__competence__working_days=7
    )
    call_command("profiles", "submit", str(_file(tmp_path, text)), "--operator", author.username)
    lines = capsys.readouterr().out.splitlines()
    version = ProfileVersion.objects.get(pk=int(lines[0]))
    assert version.author == author
    assert version.status == ProfileVersion.Status.SUBMITTED
    assert any(
        "qa.kinds.competence.working_days: 5 -> 7 (QĐ 40/2012 Art. 14(4)(a))" in line
        for line in lines
    )


def test_an_invalid_file_lists_every_problem_and_stores_nothing(tenant_db, tmp_path, capsys):
    text = profile_text("thainguyen", effective_from=NEXT_MONTH).replace(
        "working_days = 5", 'working_days = "năm"', 1
    )
    text = 'extends = "../thainguyen"\n' + text
    with pytest.raises(CommandError):
        call_command(
            "profiles", "submit", str(_file(tmp_path, text)), "--operator", operator().username
        )
    out = capsys.readouterr().out
    assert "  extends: only 'national' may be extended" in out
    assert not ProfileVersion.objects.filter(origin=ProfileVersion.Origin.UPLOAD).exists()


def test_a_past_date_needs_the_reason_option(tenant_db, tmp_path, capsys):
    path = _file(tmp_path, profile_text("backan", effective_from=date(2025, 9, 1)))
    name = operator().username
    with pytest.raises(CommandError):
        call_command("profiles", "submit", str(path), "--operator", name)
    assert "past_reason" in capsys.readouterr().out
    call_command("profiles", "submit", str(path), "--operator", name, "--past-reason", "Ký muộn")
    version = ProfileVersion.objects.get(pk=int(capsys.readouterr().out.splitlines()[0]))
    assert version.past_reason == "Ký muộn"


def test_someone_not_an_operator_is_refused(tenant_db, tmp_path):
    path = _file(tmp_path, profile_text("backan", effective_from=NEXT_MONTH))
    with pytest.raises(CommandError, match="not an active operator"):
        call_command("profiles", "submit", str(path), "--operator", "khongco")


def test_the_author_cannot_approve_another_operator_does(tenant_db, capsys):
    author, reviewer = operator(), operator()
    version = uploaded(profile_text("hagiang", effective_from=NEXT_MONTH), operator=author)
    with pytest.raises(CommandError):
        call_command("profiles", "approve", str(version.pk), "--operator", author.username)
    version.refresh_from_db()
    assert version.status == ProfileVersion.Status.SUBMITTED
    call_command("profiles", "approve", str(version.pk), "--operator", reviewer.username)
    version.refresh_from_db()
    assert version.status == ProfileVersion.Status.APPROVED
    assert version.reviewer == reviewer


def test_reject_and_history(tenant_db, capsys):
    author, reviewer = operator(), operator()
    version = uploaded(profile_text("dongnai", effective_from=NEXT_MONTH), operator=author)
    call_command(
        "profiles",
        "reject",
        str(version.pk),
        "--reason",
        "Thiếu điều khoản",
        "--operator",
        reviewer.username,
    )
    capsys.readouterr()
    call_command("profiles", "history", "dongnai")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == ["id", "date", "status", "author", "reviewer", "decided"]
    row = next(line.split("\t") for line in lines if line.startswith(f"{version.pk}\t"))
    assert row[1:5] == [NEXT_MONTH.isoformat(), "rejected", author.username, reviewer.username]
    with pytest.raises(CommandError):
        call_command("profiles", "history", "khongco")


def test_export_writes_the_text_as_stored(tenant_db, tmp_path, capsys):
    text = profile_text("thuathienhue", effective_from=NEXT_MONTH) + "# Huế\r\n"
    version = uploaded(text, operator=operator())
    output = tmp_path / "out.toml"
    call_command("profiles", "export", str(version.pk), "--output", str(output))
    assert output.read_bytes() == text.encode("utf-8")
    with pytest.raises(CommandError):
        call_command("profiles", "export", "999999999")


def test_a_stored_version_is_a_profile_for_deadline(tenant_db, capsys):
    # Thái Nguyên's competence questions get 7 working days in this version instead of 5.
    version = uploaded(
        profile_text(
            "thainguyen", effective_from=date(2027, 1, 4), qa__kinds__competence__working_days=7
        ),
        operator=operator(),
    )
    received = "2027-01-05T09:00"
    call_command("deadline", "--profile", "thainguyen", "--received", received)
    shipped = capsys.readouterr().out
    call_command("deadline", "--profile", f"version:{version.pk}", "--received", received)
    stored = capsys.readouterr().out
    assert re.search(r"working days counted \(5\)", shipped)
    assert re.search(r"working days counted \(7\)", stored)
    assert stored.splitlines()[0] > shipped.splitlines()[0]
    with pytest.raises(CommandError, match="no stored version"):
        call_command("deadline", "--profile", "version:abc", "--received", received)


def test_a_stored_version_for_sla_due_workflow_and_validate(tenant_db, capsys):
    version = uploaded(profile_text("hagiang", effective_from=NEXT_MONTH), operator=operator())
    reference = f"version:{version.pk}"
    call_command("workflow", "explain", "--profile", reference)
    out = capsys.readouterr().out
    assert f"in force from {NEXT_MONTH}" in out
    call_command("profiles", "validate", reference)
    assert capsys.readouterr().out.startswith(f"ok  {reference} (hagiang/")
    call_command(
        "sla_due",
        "--profile",
        reference,
        "--content-type",
        "legal_document",
        "--at",
        "2027-02-01T09:00",
    )
    assert capsys.readouterr().out.strip()


def test_approving_a_new_province_prints_its_administrators_secret(tenant_db, capsys):
    from tenants.models import Province

    text = profile_text(
        "backan",
        effective_from=NEXT_MONTH,
        domains__portal="caobang.gov.vn",
        domains__component_host_pattern="{label}.caobang.gov.vn",
    ).replace('slug = "backan"', 'slug = "caobang"', 1)
    version = uploaded(text, operator=operator())
    call_command("profiles", "approve", str(version.pk), "--operator", operator().username)
    out = capsys.readouterr().out
    assert re.search(r"administrator: quantri  one-time secret: \S+", out)
    assert Province.objects.filter(slug="caobang").exists()
