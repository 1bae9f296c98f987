"""Writes on the search documents of the active province: what a module pushes when something
of it becomes public, changes, or stops being public, and the rebuild from every source.

A document is a projection of its module's row (docs/adr/0017-site-wide-search.md): the
module stays the truth, so these writes are not audited, and a module calls them on commit of
its own transaction (`transaction.on_commit(..., robust=True)`): a failure here is logged and
never undoes, nor reports as failed, the publication itself; `search_reindex` repairs it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import datetime
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from core.errors import Message, ServiceError
from core.text import nfc
from search.models import Document
from search.registry import Entry, Source, known_kinds

MAX_TITLE = 500
MAX_TOPIC = 200
MAX_KIND_LABEL = 200
MAX_URL = 500
# Enough for every word of a long legal document to be found; beyond it the page is the place
# to read (a tsvector is limited to 1 MB and to 16,383 word positions anyway).
MAX_TEXT = 100_000
BATCH = 1000

_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_SOURCE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_LANGUAGE = re.compile(r"^[a-z]{2}(-[a-z]{2})?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

UPDATED_FIELDS = [
    "kind",
    "kind_label",
    "site_id",
    "language",
    "title",
    "text",
    "url",
    "topic",
    "published_at",
    "indexed_at",
]


class SearchError(ServiceError):
    """A document or a search refused: code, message, the field to blame."""


def _clean(value: str, limit: int) -> str:
    return _CONTROL.sub(" ", nfc(value))[:limit]


def _label(kind: str, label: Message) -> str:
    """The kind's name as stored: Vietnamese whatever language the request that published it
    was in (the pages translate it back for an English reader, like any msgid)."""
    with translation.override("vi"):
        return _clean(str(label or known_kinds().get(kind) or kind), MAX_KIND_LABEL)


def _check(*, source: str, kind: str, url: str, language: str) -> None:
    # What a module passes is code, not a visitor's input: a wrong value is a bug to refuse
    # loudly rather than a document no page could link.
    if not _SOURCE.match(source):
        raise SearchError("invalid_source", _("Nguồn tài liệu không hợp lệ."), "source")
    if not _KIND.match(kind):
        raise SearchError("invalid_kind", _("Mã loại nội dung không hợp lệ."), "kind")
    if not url.startswith("/") or url.startswith("//") or len(url) > MAX_URL:
        raise SearchError("invalid_url", _("Địa chỉ phải là đường dẫn trên trang."), "url")
    if not _LANGUAGE.match(language):
        raise SearchError("invalid_language", _("Mã ngôn ngữ không hợp lệ."), "language")


def _document(source: str, entry: Entry) -> Document:
    _check(source=source, kind=entry.kind, url=entry.url, language=entry.language)
    return Document(
        source=source,
        source_id=entry.source_id,
        kind=entry.kind,
        kind_label=_label(entry.kind, entry.kind_label),
        site_id=entry.site_id,
        language=entry.language,
        title=_clean(entry.title, MAX_TITLE),
        text=_clean(entry.text, MAX_TEXT),
        url=entry.url,
        topic=_clean(entry.topic, MAX_TOPIC),
        published_at=entry.published_at,
    )


def _upsert(documents: list[Document]) -> None:
    Document.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["source", "source_id"],
        update_fields=UPDATED_FIELDS,
    )


def document_upsert(
    *,
    source: str,
    source_id: int,
    kind: str,
    title: str,
    text: str,
    url: str,
    site_id: int | None,
    language: str,
    published_at: datetime | None,
    topic: str = "",
    kind_label: Message = "",
) -> None:
    """Make (source, source_id) findable as given, replacing what was there: one statement.
    `text` is plain text (search.text.plain_text for HTML); `url` the path on its site's host;
    `kind_label` the kind's Vietnamese name (by default the one its source registered)."""
    entry = Entry(
        source_id=source_id,
        kind=kind,
        kind_label=kind_label,
        title=title,
        text=text,
        url=url,
        site_id=site_id,
        language=language,
        published_at=published_at,
        topic=topic,
    )
    _upsert([_document(source, entry)])


def document_remove(*, source: str, source_id: int) -> int:
    """Nothing of (source, source_id) is findable any more; the number of rows removed."""
    deleted, _rows = Document.objects.filter(source=source, source_id=source_id).delete()
    return deleted


def after_commit(work: Callable[[], None]) -> None:
    """Run `work` (a module's sync of its document) once the caller's transaction commits, in
    the province schema active now (the commit may happen after the caller left it). A failure
    is logged, never raised into a request whose own work is already committed."""
    # django-tenants' database wrapper adds schema_name; the package ships no type information.
    schema_name = connection.schema_name  # type: ignore[attr-defined]

    # A function, not a partial: Django names the callable (__qualname__) when it logs a failure.
    def search_document_sync() -> None:
        with schema_context(schema_name):
            work()

    transaction.on_commit(search_document_sync, robust=True)


def entry_upsert(*, source: str, entry: Entry) -> None:
    """document_upsert with the fields of an Entry (what a module's rebuild yields)."""
    document_upsert(source=source, **asdict(entry))


def entries_upsert(*, source: str, entries: Iterable[Entry]) -> int:
    """Upsert many entries of one source, a statement per BATCH; how many."""
    entries = iter(entries)
    done = 0
    while batch := list(islice(entries, BATCH)):
        _upsert([_document(source, entry) for entry in batch])
        done += len(batch)
    return done


@transaction.atomic
def documents_rebuild(*, source: Source) -> tuple[int, int]:
    """Rebuild every document of `source` in the active province from its module: what it
    yields is upserted, what it no longer yields is removed. Idempotent; one transaction, so a
    search during the rebuild sees the old documents or the new ones. (upserted, removed)."""
    started = timezone.now()
    upserted = entries_upsert(source=source.name, entries=source.rebuild())
    # Every row upserted above carries indexed_at >= started (auto_now): the rest is stale.
    removed, _rows = Document.objects.filter(source=source.name, indexed_at__lt=started).delete()
    return upserted, removed


def documents_rebuild_all(sources: Iterable[Source]) -> dict[str, tuple[int, int]]:
    """`documents_rebuild` for each source; (upserted, removed) by source name."""
    return {source.name: documents_rebuild(source=source) for source in sources}
