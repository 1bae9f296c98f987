"""Helpers nothing called were removed (issue 8, item 10); the profile lives in the core."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("editorial.selectors", "steps_of"),
        ("editorial.selectors", "site_category"),
        ("api.v1.province", "api_root_links"),
        ("provinces.schema", "Sourced.is_default"),
        ("provinces.schema", "Profile.qa_kind"),
        ("editorial.content", "check_upload"),
        ("editorial.content", "nfc"),
        ("qa.services", "_profile_at"),
    ],
)
def test_a_removed_helper_stays_removed(module, name):
    owner = importlib.import_module(module)
    *path, last = name.split(".")
    for part in path:
        owner = getattr(owner, part)
    assert not hasattr(owner, last)
