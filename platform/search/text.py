"""Plain text out of the sanitised HTML modules store, for the documents' `text`."""

from __future__ import annotations

import re
from html import unescape

_BLOCK_OR_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


def plain_text(html: str) -> str:
    """Every tag becomes a space (so "<p>a</p><p>b</p>" keeps two words), entities are decoded,
    runs of white space become one space."""
    return _SPACES.sub(" ", unescape(_BLOCK_OR_TAG.sub(" ", html or ""))).strip()
