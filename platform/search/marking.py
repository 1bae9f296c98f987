"""Highlighted titles and snippets, computed on the original text (with its diacritics).

The text is folded character by character the way PostgreSQL's `public.portal_fold` folds it
(no diacritics, đ → d, lower case, "/" as a space) while an offset map remembers which original
character each folded one came from. The query's words are found in the folded text and marked
on the original: "dat dai" marks "Đất đai". Everything else is escaped. Pure Python."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import escape

# What unaccent's rules do that a Unicode decomposition does not (đ has no decomposition).
_SPECIAL = {
    "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l",
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "/": " ",
}  # fmt: skip

WORD = re.compile(r"[^\W_]+")
SNIPPET_CHARS = 240  # about two lines of a result
BEFORE_MATCH = 60  # characters of context kept before the first marked word


def fold_char(char: str) -> str:
    """One character folded: "" for a lone combining mark, two for a ligature."""
    special = _SPECIAL.get(char)
    if special is not None:
        return special
    if char.isascii():
        return char.lower()
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class _FoldTable(dict):
    """A str.translate table filled on first sight of each character; remembers the characters
    whose folded form is not exactly one character (then offsets must be mapped one by one)."""

    irregular: set[str]

    def __init__(self) -> None:
        super().__init__()
        self.irregular = set()

    def __missing__(self, code: int) -> str:
        folded = fold_char(chr(code))
        if len(folded) != 1:
            self.irregular.add(chr(code))
        self[code] = folded
        return folded


_TABLE = _FoldTable()


def portal_fold(text: str) -> str:
    """The Python twin of SQL `public.portal_fold`, character for character (core.text.fold
    also rewrites punctuation and spaces, so it cannot map a word back to the original)."""
    return unicodedata.normalize("NFC", text).translate(_TABLE)


def fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """(folded text, offsets): offsets[i] is the index in `text` of the character that folded
    character i came from, plus len(text) at the end; None when the map is the identity (every
    character folded to exactly one: all of Vietnamese)."""
    folded = text.translate(_TABLE)
    if _TABLE.irregular.isdisjoint(text):
        return folded, None
    offsets = []
    for index, char in enumerate(text):
        offsets.extend([index] * len(_TABLE[ord(char)]))
    offsets.append(len(text))
    return folded, offsets


@dataclass(frozen=True)
class Terms:
    """The folded words to mark; the last one also marks the words it begins (the search
    matches it as a prefix while the visitor may still be typing it)."""

    words: frozenset[str]
    prefix: str = ""

    def __bool__(self) -> bool:
        return bool(self.words or self.prefix)

    def matches(self, word: str) -> bool:
        return word in self.words or bool(self.prefix and word.startswith(self.prefix))


@dataclass(frozen=True)
class Marked:
    """Text in parts, each marked or not. Rendered in a template, it escapes every part and
    wraps the marked ones in <mark>; str() gives the plain text."""

    parts: tuple[tuple[str, bool], ...]

    def __html__(self) -> str:
        return "".join(
            f"<mark>{escape(text)}</mark>" if marked else escape(text)
            for text, marked in self.parts
        )

    def __str__(self) -> str:
        return "".join(text for text, _ in self.parts)

    @property
    def marked_words(self) -> list[str]:
        return [text for text, marked in self.parts if marked]


def _matches(text: str, terms: Terms) -> list[tuple[int, int]]:
    """(start, end) in `text` of every word the terms match."""
    if not terms:
        return []
    folded, offsets = fold_with_offsets(text)
    spans = []
    for match in WORD.finditer(folded):
        if terms.matches(match.group()):
            start, end = match.span()
            if offsets is not None:
                start, end = offsets[start], offsets[end]
            spans.append((start, end))
    return spans


def _parts(text: str, spans: list[tuple[int, int]], start: int, end: int) -> list:
    parts: list[tuple[str, bool]] = []
    cursor = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start > cursor:
            parts.append((text[cursor:span_start], False))
        parts.append((text[span_start:span_end], True))
        cursor = span_end
    if cursor < end:
        parts.append((text[cursor:end], False))
    return parts


def highlight(text: str, terms: Terms) -> Marked:
    """The whole text (a title) with the matching words marked."""
    return Marked(tuple(_parts(text, _matches(text, terms), 0, len(text))))


def _best_window(spans: list[tuple[int, int]], text: str) -> int:
    """Where the first marked word of the window showing the most different query words is
    (the earliest of equals)."""
    best, best_score = spans[0][0], 0
    for index, (first, _) in enumerate(spans[:200]):
        seen = set()
        for start, end in spans[index:]:
            if end - first > SNIPPET_CHARS - BEFORE_MATCH:
                break
            seen.add(portal_fold(text[start:end]))
        if len(seen) > best_score:
            best, best_score = first, len(seen)
    return best


def snippet(text: str, terms: Terms, *, length: int = SNIPPET_CHARS) -> Marked:
    """About `length` characters of `text` around the query words (its beginning when none
    is found), cut at spaces, with "…" where it was cut and the words marked."""
    spans = _matches(text, terms)
    start = 0
    if spans:
        first = _best_window(spans, text)
        start = max(0, first - BEFORE_MATCH)
        space = text.find(" ", start, first)
        if start > 0 and space >= 0:
            start = space + 1
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    parts = _parts(text, spans, start, end)
    if start > 0:
        parts.insert(0, ("… ", False))
    if end < len(text):
        parts.append((" …", False))
    return Marked(tuple(parts))
