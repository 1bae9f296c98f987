"""Reads of the search documents of the active province: a ranked, highlighted, filtered page of
results for a query, and the kinds there are to filter by.

Full-text first: `websearch_to_tsquery('simple', public.portal_fold(q))` against the stored
vector (title A, topic B, text C), the last word also as a prefix while it may be half typed;
title matches first, then `ts_rank_cd`, then the most recent. When that finds nothing, the
titles most similar to the query by trigrams (`<%` on the folded title: "dat daii" finds
"Đất đai"). Snippets are cut and marked in Python on the original text (search.marking).
Every input is bounded here, whoever calls (docs/adr/0017-site-wide-search.md)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from core.text import nfc
from search.marking import WORD, Marked, Terms, highlight, portal_fold, snippet
from search.models import Document
from search.registry import known_kinds
from search.services import SearchError

MAX_QUERY = 200  # characters
MAX_WORDS = 10
MAX_PAGE = 500
PAGE_SIZE = 10
MAX_KINDS = 20
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2100, 12, 31)
MIN_PREFIX = 3  # a shorter last word is matched whole: "d:*" would read half the index
SNIPPET_SOURCE = 20_000  # characters of a text read to cut its snippet from
CANDIDATES = 1000  # most recent matches ranked (and as many title matches): _full_text

TABLE = Document._meta.db_table
COLUMNS = (
    "d.id, d.kind, d.kind_label, d.site_id, d.language, d.title, left(d.text, %s), d.url, "
    "d.topic, d.published_at, page.total"
)


@dataclass(frozen=True)
class Query:
    """A visitor's query, checked: `head` goes to websearch_to_tsquery, `prefix` (the last
    word, when plain) to a prefix match, `terms` mark the words on the page."""

    text: str
    head: str
    prefix: str
    terms: Terms

    @property
    def words(self) -> str:
        """The words to look for, for the trigram fallback (no operators, no negations)."""
        return " ".join(sorted(self.terms.words) + ([self.terms.prefix] if self.prefix else []))


@dataclass(frozen=True)
class Hit:
    title: Marked
    snippet: Marked
    url: str
    kind: str
    kind_label: str
    site_id: int | None
    language: str
    topic: str
    published_at: datetime | None

    @property
    def title_html(self) -> SafeString:
        """The title, escaped, with the query's words in <mark> (for templates)."""
        return mark_safe(self.title.__html__())  # noqa: S308 (every part escaped by Marked)

    @property
    def snippet_html(self) -> SafeString:
        return mark_safe(self.snippet.__html__())  # noqa: S308 (every part escaped by Marked)


@dataclass(frozen=True)
class ResultPage:
    query: Query
    hits: list[Hit]
    total: int
    number: int
    # True when nothing matched every word and these are the titles closest to the query.
    approximate: bool = False

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, math.ceil(self.total / PAGE_SIZE))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def page_numbers(self, around: int = 2) -> list[int | None]:
        """1, the pages near this one and the last, with None where pages are skipped."""
        shown = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        numbers: list[int | None] = []
        for number in sorted(n for n in shown if 1 <= n <= self.pages):
            if numbers and number - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def parse_query(raw: str) -> Query:
    """Refuse what no search should run: more than MAX_QUERY characters, more than MAX_WORDS
    words, or no word to look for (only punctuation, only excluded words)."""
    text = " ".join(nfc(raw).split())
    if len(text) > MAX_QUERY:
        raise SearchError(
            "query_too_long",
            _("Từ khoá dài quá %(limit)s ký tự: hãy rút gọn.") % {"limit": MAX_QUERY},
            "q",
        )
    if len(WORD.findall(text)) > MAX_WORDS:
        raise SearchError(
            "too_many_words",
            _("Hãy tìm với nhiều nhất %(limit)s từ.") % {"limit": MAX_WORDS},
            "q",
        )
    words: set[str] = set()
    for chunk in text.split():
        if chunk.startswith("-"):  # websearch syntax: a word the results must not contain
            continue
        words.update(word for word in WORD.findall(portal_fold(chunk)) if word != "or")
    head, prefix = text, ""
    *before, last = text.split(" ")
    # Only a plain last word, not a phrase's, nor an alternative's ("luat or nuoc").
    plain = '"' not in text and not (before and portal_fold(before[-1]) == "or")
    if plain and WORD.fullmatch(last) and len(last) >= MIN_PREFIX and portal_fold(last) != "or":
        head, prefix = " ".join(before), last
        words.discard(portal_fold(last))
    terms = Terms(frozenset(words), portal_fold(prefix) if prefix else "")
    if not terms:
        raise SearchError("no_words", _("Hãy nhập từ cần tìm (chữ hoặc số)."), "q")
    return Query(text=text, head=head, prefix=prefix, terms=terms)


def _check_filters(
    kinds: Sequence[str], date_from: date | None, date_to: date | None, page: int
) -> None:
    if not 1 <= page <= MAX_PAGE:
        raise SearchError(
            "page_out_of_range",
            _("Số trang phải từ 1 đến %(limit)s.") % {"limit": MAX_PAGE},
            "trang",
        )
    known = known_kinds()
    if len(kinds) > MAX_KINDS or any(kind not in known for kind in kinds):
        raise SearchError("unknown_kind", _("Loại nội dung cần lọc không có."), "loai")
    for value, field in ((date_from, "tu_ngay"), (date_to, "den_ngay")):
        if value is not None and not MIN_DATE <= value <= MAX_DATE:
            raise SearchError(
                "date_out_of_range",
                _("Ngày phải trong khoảng năm %(first)s–%(last)s.")
                % {"first": MIN_DATE.year, "last": MAX_DATE.year},
                field,
            )
    if date_from and date_to and date_from > date_to:
        raise SearchError("dates_reversed", _("Ngày bắt đầu phải trước ngày kết thúc."), "tu_ngay")


def _where(
    site_id: int | None, kinds: Sequence[str], date_from: date | None, date_to: date | None
) -> tuple[str, list]:
    clauses: list[str] = []
    params: list[object] = []
    if site_id is not None:
        clauses.append("d.site_id = %s")
        params.append(site_id)
    if kinds:
        clauses.append("d.kind = ANY(%s)")
        params.append(list(kinds))
    zone = timezone.get_default_timezone()  # whole days in Vietnam's time (TIME_ZONE)
    if date_from is not None:
        clauses.append("d.published_at >= %s")
        params.append(datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to is not None:
        clauses.append("d.published_at < %s")
        params.append(datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone))
    return "".join(f" AND {clause}" for clause in clauses), params


def _tsquery(query: Query) -> tuple[str, list]:
    """The tsquery as SQL over constants (folded and parsed once, at planning time)."""
    prefix = "to_tsquery('simple', public.portal_fold(%s) || ':*')"
    whole = "websearch_to_tsquery('simple', public.portal_fold(%s))"
    if query.prefix and query.head:
        return f"({whole} && {prefix})", [query.head, query.prefix]
    if query.prefix:
        return prefix, [query.prefix]
    return whole, [query.head]


def _hits(rows, query: Query) -> tuple[list[Hit], int]:
    hits = [
        Hit(
            title=highlight(title, query.terms),
            snippet=snippet(text, query.terms),
            url=url,
            kind=kind,
            kind_label=kind_label,
            site_id=site_id,
            language=language,
            topic=topic,
            published_at=published_at,
        )
        for (
            _pk,
            kind,
            kind_label,
            site_id,
            language,
            title,
            text,
            url,
            topic,
            published_at,
            _n,
        ) in rows
    ]
    return hits, (rows[0][-1] if rows else 0)


def _full_text(tsquery: str, params: list, *, where: tuple[str, list], offset: int) -> list:
    """One page of the documents that have every word, best first: a match in the title (its
    own small vector), then the cover density of the words over the weighted vector (title A,
    topic B, text C; normalised by length), then the most recent.

    Ranking reads each candidate's whole vector, so it is bounded: the candidates are the
    CANDIDATES most recent title matches and the CANDIDATES most recent matches anywhere (more
    for a page beyond them), both found through the GIN indexes; the total counts every match.
    A broad query ("Đại Từ" in a quarter of a province's documents) costs a few tens of
    milliseconds instead of ranking tens of thousands of rows (docs/benchmarks.md)."""
    limit = max(CANDIDATES, offset + PAGE_SIZE)
    recent = f"d.published_at DESC NULLS LAST, d.id DESC LIMIT {limit:d}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH matches AS (SELECT d.id, count(*) OVER () AS total FROM {TABLE} d "  # noqa: S608
            f"WHERE d.vector @@ {tsquery}{where[0]} ORDER BY {recent}), "
            f"titled AS (SELECT d.id FROM {TABLE} d "
            f"WHERE d.title_vector @@ {tsquery}{where[0]} ORDER BY {recent}), "
            "candidates AS (SELECT id FROM matches UNION SELECT id FROM titled), "
            f"page AS (SELECT d.id, d.published_at, d.title_vector @@ {tsquery} AS k0, "
            f"ts_rank_cd(d.vector, {tsquery}, 1) AS k1, "
            "(SELECT max(total) FROM matches) AS total "
            f"FROM candidates JOIN {TABLE} d ON d.id = candidates.id "
            "ORDER BY k0 DESC, k1 DESC, d.published_at DESC NULLS LAST, d.id DESC "
            "LIMIT %s OFFSET %s) "
            f"SELECT {COLUMNS} FROM page JOIN {TABLE} d ON d.id = page.id "
            "ORDER BY page.k0 DESC, page.k1 DESC, page.published_at DESC NULLS LAST, page.id DESC",
            [
                *params,
                *where[1],
                *params,
                *where[1],
                *params,
                *params,
                PAGE_SIZE,
                offset,
                SNIPPET_SOURCE,
            ],
        )
        return cursor.fetchall()


def _ranked(
    *,
    match: tuple[str, list],
    where: tuple[str, list],
    order: list[tuple[str, list]],
    offset: int,
) -> list[tuple]:
    """One page of the documents that `match`, best first by `order` (each descending), then
    the most recent. The order and the total are computed over the narrow rows; the columns
    shown (a text's first characters among them) are read for the page's rows only."""
    keys = ", ".join(f"{sql} AS k{n}" for n, (sql, _params) in enumerate(order))
    key_params = [param for _sql, params in order for param in params]
    inner = ", ".join(f"k{n} DESC" for n in range(len(order)))
    outer = ", ".join(f"page.k{n} DESC" for n in range(len(order)))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH page AS (SELECT d.id, d.published_at, {keys}, count(*) OVER () AS total "  # noqa: S608
            f"FROM {TABLE} d WHERE {match[0]}{where[0]} "
            f"ORDER BY {inner}, d.published_at DESC NULLS LAST, d.id DESC LIMIT %s OFFSET %s) "
            f"SELECT {COLUMNS} FROM page JOIN {TABLE} d ON d.id = page.id "
            f"ORDER BY {outer}, page.published_at DESC NULLS LAST, page.id DESC",
            [*key_params, *match[1], *where[1], PAGE_SIZE, offset, SNIPPET_SOURCE],
        )
        return cursor.fetchall()


def _count(match: str, match_params: list, where: str, where_params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {TABLE} d WHERE {match}{where}",  # noqa: S608
            [*match_params, *where_params],
        )
        return cursor.fetchone()[0]


def search(
    *,
    query: str,
    site_id: int | None = None,
    kinds: Sequence[str] = (),
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
) -> ResultPage:
    """A page of results for `query` in the active province: on the portal (`site_id` None)
    over the portal's documents and every component site's, on a component site over its own.
    One query; a second only when full-text finds nothing (the trigram fallback) or the page
    asked for is past the last. Refuses bad input with SearchError (a 400 for the pages)."""
    parsed = parse_query(query)
    _check_filters(kinds, date_from, date_to, page)
    where, where_params = _where(site_id, kinds, date_from, date_to)
    offset = (page - 1) * PAGE_SIZE

    tsquery, tsquery_params = _tsquery(parsed)
    match, match_params = f"d.vector @@ {tsquery}", tsquery_params
    rows = _full_text(tsquery, tsquery_params, where=(where, where_params), offset=offset)
    approximate = False
    if not rows and page == 1:
        # Nothing has every word: the titles closest to the words typed (one-letter typos).
        approximate = True
        match, match_params = "public.portal_fold(%s) <%% d.title_folded", [parsed.words]
        rows = _ranked(
            match=(match, match_params),
            where=(where, where_params),
            order=[("word_similarity(public.portal_fold(%s), d.title_folded)", [parsed.words])],
            offset=0,
        )
    hits, total = _hits(rows, parsed)
    if not rows and page > 1:
        total = _count(match, match_params, where, where_params)
    return ResultPage(
        query=parsed, hits=hits, total=total, number=page, approximate=approximate and bool(hits)
    )


def kinds_present(*, site_id: int | None = None) -> list[tuple[str, str]]:
    """(code, Vietnamese name) of the kinds there are documents of, on the portal (`site_id`
    None: the whole province) or on one component site; one query that walks the kind index
    (a loose index scan) rather than reading every row."""
    site = "AND site_id = %s" if site_id is not None else ""
    site_params = [site_id] if site_id is not None else []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE kinds(kind) AS (
                SELECT min(kind) FROM {TABLE} WHERE true {site}
                UNION ALL
                SELECT (SELECT min(kind) FROM {TABLE} WHERE kind > kinds.kind {site})
                FROM kinds WHERE kinds.kind IS NOT NULL
            )
            SELECT kind, (SELECT kind_label FROM {TABLE} WHERE kind = kinds.kind {site} LIMIT 1)
            FROM kinds WHERE kind IS NOT NULL
            """,  # noqa: S608
            [*site_params, *site_params, *site_params],
        )
        rows = cursor.fetchall()
    return sorted(((kind, label) for kind, label in rows), key=lambda row: portal_fold(row[1]))


MAX_MATCHES = 5000  # source ids returned by matching_source_ids at most


def matching_source_ids(
    *,
    query: str,
    source: str,
    kinds: Sequence[str],
    site_id: int | None = None,
    limit: int = 1000,
) -> list[int]:
    """The ids (in their module) of `source`'s documents of `kinds` that match `query`, best
    first, at most `limit`: for a module that narrows its own list by a citizen's words (the
    catalogue of procedures) without a matcher of its own. The same matching as `search`:
    every word on the folded text (title matches first, then the cover density, then the most
    recent); when nothing has every word, the titles closest to the words by trigrams (one-letter
    typos). `site_id` None: every site's documents. Refuses a bad query with SearchError."""
    parsed = parse_query(query)
    if not kinds or len(kinds) > MAX_KINDS:
        raise SearchError("unknown_kind", _("Loại nội dung cần lọc không có."), "loai")
    limit = max(1, min(int(limit), MAX_MATCHES))
    clauses = "d.source = %s AND d.kind = ANY(%s)"
    params: list[Any] = [source, list(kinds)]
    if site_id is not None:
        clauses += " AND d.site_id = %s"
        params.append(site_id)
    tsquery, tsquery_params = _tsquery(parsed)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.source_id FROM {TABLE} d "  # noqa: S608 (constants and parameters only)
            f"WHERE d.vector @@ {tsquery} AND {clauses} "
            f"ORDER BY d.title_vector @@ {tsquery} DESC, ts_rank_cd(d.vector, {tsquery}, 1) DESC, "
            "d.published_at DESC NULLS LAST, d.id DESC LIMIT %s",
            [*tsquery_params, *params, *tsquery_params, *tsquery_params, limit],
        )
        ids = [row[0] for row in cursor.fetchall()]
        if ids:
            return ids
        # Nothing has every word: the titles closest to the words typed (one-letter typos).
        cursor.execute(
            f"SELECT d.source_id FROM {TABLE} d "  # noqa: S608 (constants and parameters only)
            f"WHERE public.portal_fold(%s) <%% d.title_folded AND {clauses} "
            "ORDER BY word_similarity(public.portal_fold(%s), d.title_folded) DESC, "
            "d.published_at DESC NULLS LAST, d.id DESC LIMIT %s",
            [parsed.words, *params, parsed.words, limit],
        )
        return [row[0] for row in cursor.fetchall()]
