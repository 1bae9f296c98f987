"""Text helpers of the whole platform: precomposed Vietnamese (NFC) and accent folding.

Vietnamese text is stored precomposed (TCVN 6909:2001 is Unicode NFC), whatever the keyboard or
the browser sent. Pure Python: no Django, so that `provinces/` (pure, ADR 0002) may use it too;
the import contracts in pyproject.toml keep it so (ADR 0015)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from unidecode import unidecode

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def nfc(text: str | None) -> str:
    """A text field as stored: precomposed, without surrounding spaces ("" for None)."""
    return unicodedata.normalize("NFC", text or "").strip()


def nfc_data(value: Any) -> Any:
    """Every string inside structured data (dict keys and values, lists, tuples) precomposed,
    nothing trimmed: spaces inside profile data or a form's fields are content."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc_data(key): nfc_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(nfc_data(item) for item in value)
    return value


def fold(text: str | None) -> str:
    """Accent-insensitive form for search and matching: lowercase ASCII words separated by one
    space ("Đất đai" → "dat dai", "UBND huyện Bắc Quang" → "ubnd huyen bac quang")."""
    return " ".join(_NOT_WORD.sub(" ", unidecode(nfc(text)).lower()).split())
