"""`manage.py workflow explain`: each province's workflow, one line per step, as it runs."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from provinces.loader import PROFILES_DIR


def explain(*args: str) -> list[str]:
    out = StringIO()
    call_command("workflow", "explain", *args, stdout=out)
    return out.getvalue().splitlines()


def test_hue_has_three_steps_and_the_deputy_may_amend():
    # Huế Art. 19: enter → verify (a Deputy, may amend) → publish (the Head), or a delegate
    lines = explain("--profile", "thuathienhue", "--site", "portal")
    assert len(lines) == 3
    enter, verify, publish = lines
    assert enter.startswith("1. Bước 1: Nhập mới thông tin")
    assert "role: board_member (" in enter
    assert "may not amend" in enter
    assert "role: deputy_head (Phó Trưởng Ban Biên tập" in verify
    assert "review, may amend" in verify
    assert verify.endswith("QĐ 2567/2007 Art. 19(b)")
    assert "role: head (Trưởng Ban Biên tập" in publish
    assert "publish, may not amend" in publish
    assert all("or a delegate of a holder" in line for line in lines)


def test_thainguyen_portal_is_published_by_the_editor_in_chief():
    # Thái Nguyên Art. 6(3), 16(2): every item on the portal passes the editor-in-chief
    lines = explain("--profile", "thainguyen", "--site", "portal")
    assert len(lines) == 3
    publish = lines[-1]
    assert publish.startswith("3. Tổng Biên tập duyệt đăng [publish]")
    assert "role: editor_in_chief (Tổng Biên tập Cổng thông tin điện tử tỉnh; scope portal)" in (
        publish
    )
    assert publish.endswith("QĐ 40/2012 Art. 6(3), 16(2)")
    assert not any("delegate" in line for line in lines)


def test_both_sites_from_a_profile_file_are_headed_by_their_workflow():
    path = PROFILES_DIR / "thainguyen" / "2012-11-16.toml"
    lines = explain("--profile", str(path))
    assert lines[0] == "portal: delegation not allowed — QĐ 40/2012 Art. 6(3), 17(2)"
    assert "component_site: delegation not allowed — QĐ 40/2012 Art. 6(3), 17(2), 19" in lines
    steps = [line for line in lines if line[:1].isdigit()]
    assert len(steps) == 3 + 2


def test_an_unknown_profile_is_refused_with_the_known_ones():
    with pytest.raises(CommandError, match="known: backan, dongnai"):
        explain("--profile", "nowhere")


def test_each_step_says_whether_a_delegate_may_act():
    # Huế Art. 19(b), bước 3 name "cán bộ được uỷ quyền"; Thái Nguyên names none
    hue = explain("--profile", "thuathienhue", "--site", "component_site")
    assert all(", delegation allowed — " in line for line in hue)
    thainguyen = explain("--profile", "thainguyen", "--site", "portal")
    assert all(", delegation not allowed — " in line for line in thainguyen)
