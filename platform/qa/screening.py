"""Screening of citizens' submissions: suspect items go to moderation, never silently dropped.

The word list is deliberately small and plain; operators extend it per deployment with the
QA_SUSPECT_WORDS setting (comma-separated, matched without diacritics)."""

from __future__ import annotations

import re

from django.conf import settings

from core.text import fold

_DEFAULT_WORDS = (
    "casino", "ca do", "ca cuoc", "lo de", "sex", "viagra", "vay tien nhanh", "hack",
    "phan dong", "lat do",
)  # fmt: skip
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
MAX_LINKS = 3


def screen(*texts: str) -> str | None:
    """A short reason when the submission needs a moderator's look, else None."""
    joined = " ".join(texts)
    folded = f" {fold(joined)} "
    words = list(_DEFAULT_WORDS) + [
        w.strip() for w in settings.QA_SUSPECT_WORDS.split(",") if w.strip()
    ]
    for word in words:
        if f" {fold(word)} " in folded:
            return f"contains a listed word ({word})"
    if len(_URL.findall(joined)) > MAX_LINKS:
        return f"more than {MAX_LINKS} links"
    return None
