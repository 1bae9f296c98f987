"""The public address of an item on its own site's host: one definition for the pages
(frontend.links), search documents (editorial.search) and anything else that links an item.

Pure: it must equal what `reverse("frontend:item" | "frontend:item_translation")` gives, which
tests/search/test_editorial.py checks, without the module importing the web layer."""

from __future__ import annotations

from urllib.parse import quote


def item_path(slug: str, language: str) -> str:
    """`/bai-viet/<slug>/` for a Vietnamese item, `/en/article/<slug>/` for a translation."""
    if language == "vi":
        return f"/bai-viet/{quote(slug)}/"
    return f"/en/article/{quote(slug)}/"


def procedure_path(code: str) -> str:
    """`/thu-tuc/<code>/`: a procedure's page in the catalogue, by its national code (ADR 0019),
    on the portal's host and on its agency's component site."""
    return f"/thu-tuc/{quote(code, safe='')}/"
