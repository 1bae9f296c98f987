"""The boundaries between the core, the modules, tenants and the layers are import contracts
(pyproject.toml, ADR 0015): `lint-imports` keeps them, and removing one is the only way to add
a forbidden import."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {contract["name"]: contract for contract in config["tool"]["importlinter"]["contracts"]}


def test_the_boundaries_are_declared():
    contracts = _contracts()
    core = contracts["The core imports no module, no layer and no tenant code"]
    assert set(core["forbidden_modules"]) >= {"accounts", "organization", "editorial", "qa"}
    assert (
        "core.text"
        in contracts["Profiles and calendar are pure Python (no Django)"]["source_modules"]
    )
    tenants = contracts["Tenants uses only the modules' services, selectors and models"]
    assert tenants["source_modules"] == ["tenants"]
    independent = contracts["The modules are independent of each other"]
    assert independent["type"] == "independence"
    assert {"editorial", "qa"} <= set(independent["modules"])


def test_the_tree_keeps_every_contract():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"Contracts: {len(_contracts())} kept, 0 broken." in result.stdout
