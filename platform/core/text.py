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


# A cell a spreadsheet program would run as a formula when it opens an exported CSV or XLSX
# (formula injection): such text is written with a leading apostrophe, which marks text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The control characters a spreadsheet cell cannot hold (XLSX refuses them; openpyxl's list).
CELL_CONTROL = re.compile(r"[\000-\010\013\014\016-\037]")


def spreadsheet_text(value: Any) -> str:
    """A value as an exported spreadsheet cell's text: no control character, never a formula."""
    text = CELL_CONTROL.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def from_spreadsheet_text(text: str) -> str:
    """A cell's text read back from a file `spreadsheet_text` wrote: the apostrophe it put before
    a formula's first character is dropped (a re-imported export is unchanged)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text
