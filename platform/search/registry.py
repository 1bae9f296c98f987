"""The sources that feed search, registered by their own modules so that search imports none.

Each module that publishes something citizens can find calls `register` from its
AppConfig.ready() with its source name, the kinds it pushes and a `rebuild` callable that yields
an `Entry` for everything of it that is public now (in the active province schema);
`search_reindex` rebuilds a province's documents from every registered source. Between
rebuilds the module pushes each change itself (search.services.document_upsert/remove)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from core.errors import Message


@dataclass(frozen=True)
class Entry:
    """One document as its module sees it: the arguments of search.services.document_upsert."""

    source_id: int
    kind: str
    kind_label: Message  # the kind's name in Vietnamese (a lazy msgid is welcome)
    title: str
    text: str
    url: str
    site_id: int | None
    language: str
    published_at: datetime | None
    topic: str = ""


Rebuild = Callable[[], Iterable[Entry]]


@dataclass(frozen=True)
class Source:
    name: str
    rebuild: Rebuild
    kinds: Mapping[str, Message]  # code → the Vietnamese name citizens read


_SOURCES: dict[str, Source] = {}


def register(source: str, rebuild: Rebuild, *, kinds: Mapping[str, Message]) -> None:
    """Declare a source ("editorial.item"), the kinds it pushes (code → Vietnamese name) and
    how to rebuild its documents. Registering a source again replaces it (a reloaded app)."""
    _SOURCES[source] = Source(name=source, rebuild=rebuild, kinds=dict(kinds))


def sources() -> list[Source]:
    return [_SOURCES[name] for name in sorted(_SOURCES)]


def known_kinds() -> dict[str, Message]:
    """Every kind some source pushes, code → name: a filter asking for another is a mistake."""
    return {code: label for source in sources() for code, label in source.kinds.items()}
