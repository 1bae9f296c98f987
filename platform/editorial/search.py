"""What a published item looks like to search, and keeping its document current.

The services call `item_changed` (and `category_changed`) in the transaction that publishes,
corrects, unpublishes or withdraws; the document follows on commit, from the item as it is
then: public → upserted, anything else → removed. `rebuild` yields every public item for
`search_reindex`. Registered with search from EditorialConfig.ready()."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from editorial.models import Item, Kind
from editorial.urls_public import item_path, procedure_path
from search.registry import Entry
from search.services import after_commit, document_remove, entries_upsert, entry_upsert
from search.text import plain_text

SOURCE = "editorial.item"
# What the public reads of a kind's fields, in this order, before the summary and the body: a
# document's number, type, issuer, signer and field, a draft's drafting body, a place, a
# spokesperson, a notice's reference; the entries of a schedule and of a contact directory.
# Never a code (a document's status) nor what only times the publication (TIMING_FIELDS).
PUBLIC_FIELDS = (
    "number", "document_type", "issuing_body", "signer", "field", "drafting_body", "location",
    "spokesperson", "reference", "code", "subjects", "result",
)  # fmt: skip
PUBLIC_ENTRY_FIELDS = {
    "entries": ("leader", "activity", "place"),
    "contacts": ("name", "title", "unit"),
}


def _field_text(fields: dict) -> str:
    values = [fields.get(name) for name in PUBLIC_FIELDS]
    for name, keys in PUBLIC_ENTRY_FIELDS.items():
        for entry in fields.get(name) or ():
            if isinstance(entry, dict):
                values += [entry.get(key) for key in keys]
    return " ".join(value for value in values if isinstance(value, str) and value)


def item_entry(item: Item) -> Entry | None:
    """The item's document, or None when citizens may not read it (not published, withdrawn)."""
    revision = item.published_revision
    if not item.is_public or revision is None:
        return None
    text = " ".join(
        part
        for part in (_field_text(revision.fields), revision.summary, plain_text(revision.body))
        if part
    )
    return Entry(
        source_id=item.pk,
        kind=item.kind,
        kind_label=Kind(item.kind).label if item.kind in Kind.values else item.kind,
        title=revision.title,
        text=text,
        url=procedure_path(item.code)
        if item.kind == Kind.PROCEDURE and item.code
        else item_path(item.slug, item.language),
        site_id=item.site_id,
        language=item.language,
        published_at=item.first_published_at or item.published_at,
        topic=item.category.name if item.category_id and item.category else "",
    )


def _public_items():
    return Item.objects.select_related("published_revision", "category").filter(
        status=Item.Status.PUBLISHED, published_revision__isnull=False
    )


def item_sync(item_pk: int) -> None:
    """The item's document as the item is now."""
    item = Item.objects.select_related("published_revision", "category").filter(pk=item_pk).first()
    entry = item_entry(item) if item is not None else None
    if entry is None:
        document_remove(source=SOURCE, source_id=item_pk)
    else:
        entry_upsert(source=SOURCE, entry=entry)


def item_changed(item_pk: int) -> None:
    """On commit of the caller's transaction, bring the item's document up to date. A failure
    is logged, never reported as the publication's (search_reindex repairs it)."""
    after_commit(partial(item_sync, item_pk))


def category_sync(category_pk: int) -> None:
    items = _public_items().filter(category_id=category_pk).iterator(chunk_size=500)
    entries_upsert(source=SOURCE, entries=filter(None, map(item_entry, items)))


def category_changed(category_pk: int) -> None:
    """A renamed category: the topic of its public items' documents, on commit."""
    after_commit(partial(category_sync, category_pk))


def rebuild() -> Iterator[Entry]:
    for item in _public_items().iterator(chunk_size=500):
        entry = item_entry(item)
        if entry is not None:
            yield entry


def register() -> None:
    """Declare editorial's items to search (EditorialConfig.ready)."""
    from search import registry

    registry.register(SOURCE, rebuild, kinds=dict(Kind.choices))
