"""The core's text helpers: one NFC and one accent folding for the whole tree (ADR 0015)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from core.text import fold, nfc, nfc_data

ROOT = Path(__file__).resolve().parents[2]
DECOMPOSED = unicodedata.normalize("NFD", "Đất đai Thừa Thiên Huế")


def test_nfc_precomposes_and_trims():
    assert DECOMPOSED != "Đất đai Thừa Thiên Huế"
    assert nfc(f"  {DECOMPOSED}\n") == "Đất đai Thừa Thiên Huế"


def test_nfc_of_nothing_is_the_empty_string():
    assert nfc(None) == ""
    assert nfc("") == ""


def test_nfc_data_precomposes_every_nested_string_and_keeps_its_spaces():
    # Profile data (TOML) is normalised whole before it is validated: keys, lists, tuples;
    # spaces inside values are content there, so nothing is trimmed.
    data = {DECOMPOSED: [f" {DECOMPOSED} ", (DECOMPOSED, 3)], "n": 1, "flag": True, "none": None}
    assert nfc_data(data) == {
        "Đất đai Thừa Thiên Huế": [" Đất đai Thừa Thiên Huế ", ("Đất đai Thừa Thiên Huế", 3)],
        "n": 1,
        "flag": True,
        "none": None,
    }
    assert isinstance(nfc_data(data)["Đất đai Thừa Thiên Huế"][1], tuple)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đất đai", "dat dai"),
        (DECOMPOSED, "dat dai thua thien hue"),  # decomposed input folds like precomposed
        ("  UBND huyện   Bắc Quang! ", "ubnd huyen bac quang"),
        ("Cà độ, LÔ ĐỀ", "ca do lo de"),
        ("Sở TT&TT 2026", "so tt tt 2026"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_gives_lowercase_ascii_words(text, folded):
    assert fold(text) == folded


def test_text_helpers_need_no_django():
    # provinces/ is pure Python and uses these helpers: importing them must not load Django.
    code = (
        "import sys; sys.path[:0] = ['platform', '.']\n"
        "import core.text, provinces.schema, provinces.naming\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


HELPER_NAMES = {"nfc", "_nfc", "fold", "_fold", "nfc_data"}
SOURCE_FOLDERS = ("platform", "tenants", "provinces", "api", "frontend")


def _module_level_definitions() -> list[str]:
    found = []
    for folder in SOURCE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts or ".egg-info" in str(path):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and node.name in HELPER_NAMES:
                    found.append(f"{path.relative_to(ROOT)}:{node.name}")
    return found


def test_nfc_and_fold_are_defined_once_in_the_core():
    assert _module_level_definitions() == [
        "platform/core/text.py:nfc",
        "platform/core/text.py:nfc_data",
        "platform/core/text.py:fold",
    ]


@pytest.mark.without_services
@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+84 208", "'+84 208"),
        ("- Lệ phí: 50.000 đồng", "'- Lệ phí: 50.000 đồng"),
        ("@cmd", "'@cmd"),
        ("Không\x07 thu", "Không thu"),
        ("Lệ phí 50.000 đồng", "Lệ phí 50.000 đồng"),
    ],
)
def test_an_exported_cell_is_never_a_formula_and_reads_back_as_it_was(value, cell):
    from core.text import from_spreadsheet_text, spreadsheet_text

    assert spreadsheet_text(value) == cell
    assert from_spreadsheet_text(spreadsheet_text(value)) == value.replace("\x07", "")
