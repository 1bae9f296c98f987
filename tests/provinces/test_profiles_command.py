"""`manage.py profiles validate|show`: one line per file, exit status 0 only when all valid."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from provinces.loader import PROFILES_DIR, shipped_profile_paths

ROOT = Path(__file__).resolve().parents[2]


def bad_copy(tmp_path: Path) -> Path:
    """Hà Giang's profile with a workflow step given to a role the profile does not define."""
    text = (PROFILES_DIR / "hagiang" / "2015-10-15.toml").read_text(encoding="utf-8")
    assert 'role = "board_editor"' in text
    path = tmp_path / "hagiang" / "2015-10-15.toml"
    path.parent.mkdir()
    path.write_text(text.replace('role = "board_editor"', 'role = "ghost"', 1), encoding="utf-8")
    return path


def test_validate_without_arguments_checks_every_shipped_profile(capsys):
    # when
    call_command("profiles", "validate")
    # then one "ok" line per shipped file, and no error was raised (exit status 0)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(shipped_profile_paths()) == 5
    assert all(line.startswith("ok  ") for line in lines)
    assert any(line.endswith("thainguyen/2012-11-16.toml") for line in lines)


def test_validate_reports_the_field_path_and_fails(tmp_path, capsys):
    bad = bad_copy(tmp_path)
    good = PROFILES_DIR / "thainguyen" / "2012-11-16.toml"
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("profiles", "validate", str(bad), str(good))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"INVALID {bad}"
    assert out[1].startswith("    governance.workflows.portal.steps[1].role: unknown workflow role")
    assert out[2].startswith("ok  ")
    assert out[2].endswith("2012-11-16.toml")


def test_show_prints_the_version_in_force(capsys):
    call_command("profiles", "show", "thainguyen", "--on", "2020-01-01")
    out = capsys.readouterr().out
    assert "QĐ 40/2012/QĐ-UBND" in out
    assert "in force from 2012-11-16" in out


def test_show_refuses_a_date_before_the_first_version():
    with pytest.raises(CommandError, match="no version of 'thainguyen' in force"):
        call_command("profiles", "show", "thainguyen", "--on", "2000-01-01")


@pytest.mark.parametrize(("broken", "status"), [(False, 0), (True, 1)])
def test_exit_status_of_the_command_line(tmp_path, broken, status):
    args = [str(bad_copy(tmp_path))] if broken else []
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "profiles", "validate", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == status, result.stderr
    assert ("INVALID" in result.stdout) is broken


def test_awaiting_lists_each_module_by_name_with_its_fields(capsys):
    # ADR 0014: what the profile holds that no module acts on yet, by the module it waits for
    call_command("profiles", "awaiting")
    out = capsys.readouterr().out.splitlines()
    heading = out.index(
        "Operations: 24/7 monitoring and the annual review (vận hành, rà soát hằng năm)"
        " [operations]"
    )
    assert out[heading + 1] == "    operations"
    assert "    reporting" not in out  # read by the reports module since issue 14
    assert "    backups" not in out  # read by the backups module since issue 12
    assert "    accounts.access_levels" in out
    assert "    language.english" not in out  # read by the editorial services


def test_show_names_the_signing_date_and_what_the_version_replaces(capsys):
    call_command("profiles", "show", "backan", "--on", "2025-01-01")
    out = capsys.readouterr().out.splitlines()
    assert "signed 2024-08-16, in force from 2024-08-26" in out[0]
    assert "profile schema 1" in out[0]
    assert out[1] == "  replaces QĐ 17/2018/QĐ-UBND, QĐ 38/2018/QĐ-UBND"


def test_show_lists_the_update_deadlines_with_the_note_on_their_reading(capsys):
    call_command("profiles", "show", "thuathienhue", "--on", "2026-01-01")
    out = capsys.readouterr().out
    assert "  update deadlines:" in out
    assert "(current-affairs items, by 16:00 every day)" in out
