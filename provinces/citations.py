"""A profile's `source` as a citizen reads it (pure Python, no Django).

Sources are written for the people who maintain the profiles: "QĐ 40/2012 Art. 14(4)(a)",
"QĐ 19/2015 Art. 11 → Decree 43/2011 Art. 17, kept: Decree 42/2022 sets no rule for
questions", "platform default". Citizens read Vietnamese and never the platform's own words
(STYLE.md 18): `for_citizens` writes each article as "Điều 14 khoản 4 điểm a" followed by its
instrument in Vietnamese, and leaves out what is the platform's reading, a note in English or
anything it cannot read with certainty. Nothing to show is None, never an empty pair of
parentheses.
"""

from __future__ import annotations

import re

# The instruments the profiles cite, as a Vietnamese reader knows them.
_INSTRUMENTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^QĐ\s+(?P<number>\d+/\d{4})(?:/QĐ-UBND)?$"), "Quyết định số {number}/QĐ-UBND"),
    (re.compile(r"^Decree\s+(?P<number>\d+/\d{4})(?:/NĐ-CP)?$"), "Nghị định số {number}/NĐ-CP"),
    (re.compile(r"^Circular\s+(?P<number>\d+/\d{4}/TT-[A-Z]+)$"), "Thông tư số {number}"),
    (
        re.compile(r"^Law on Access to Information(?: (?P<number>\d{4}))?$"),
        "Luật Tiếp cận thông tin {number}",
    ),
    (re.compile(r"^Civil Code(?: (?P<number>\d{4}))?$"), "Bộ luật Dân sự {number}"),
)
# "Art. 14(4)(a)", "Decision Art. 2", "Art. 6(3), 17(2)": the articles after the instrument.
_CITATION = re.compile(r"^(?P<instrument>.+?)\s+(?:Decision\s+)?Art\.\s*(?P<articles>.+)$")
_ARTICLE = re.compile(r"^(?P<article>\d+)(?:\((?P<clause>\d+)\))?(?:\((?P<point>[a-zđ])\))?$")
# Explanations for maintainers: "(demo agency)", ", kept: …", "(ADR 0009)".
_NOTE = re.compile(r"\s+\([^)]*\)\s*$")  # a space before it: not a clause "(4)"


def _instrument(text: str) -> str | None:
    for pattern, template in _INSTRUMENTS:
        match = pattern.match(text.strip())
        if match:
            return template.format(number=match.group("number") or "").strip()
    return None


def _article(text: str) -> str | None:
    match = _ARTICLE.match(text.strip())
    if match is None:
        return None
    words = [f"Điều {match['article']}"]
    if match["clause"]:
        words.append(f"khoản {match['clause']}")
    if match["point"]:
        words.append(f"điểm {match['point']}")
    return " ".join(words)


def _segment(text: str) -> str | None:
    text = text.split(", kept", 1)[0].strip()
    while _NOTE.search(text):
        text = _NOTE.sub("", text).strip()
    match = _CITATION.match(text)
    if match is None:
        return None
    instrument = _instrument(match["instrument"])
    articles = [_article(part) for part in match["articles"].split(",")]
    if instrument is None or not articles or None in articles:
        return None
    return f"{', '.join(a for a in articles if a)} {instrument}"


def for_citizens(source: str | None) -> str | None:
    """The legal basis of a rule in Vietnamese for a citizen's page, or None when the source is
    the platform's own reading or nothing in it can be written with certainty."""
    if not source:
        return None
    cited: list[str] = []
    for part in re.split(r"→|;", source):
        segment = _segment(part)
        if segment and segment not in cited:
            cited.append(segment)
    return "; ".join(cited) or None


def in_parentheses(source: str | None) -> str:
    """`for_citizens(source)` as a parenthesis to end a sentence with (" (Điều 14 …)"), or ""
    where nothing can be cited: a message names the rule's article, never "platform default"
    nor the profile's own notation."""
    cited = for_citizens(source)
    return f" ({cited})" if cited else ""
