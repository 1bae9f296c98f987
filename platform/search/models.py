"""What citizens can find on a province's portal and component sites: one row per published
thing, pushed by the module that owns it (search.services), never read back from it.

The row is a projection: the module's own tables stay the truth, and `search_reindex` rebuilds
every row from them. The two generated columns are computed by PostgreSQL from the stored text
with `public.portal_fold` (core.db.Folded: unaccent, lower case, "/" as a space), so a word
typed with or without diacritics meets the same lexemes (docs/adr/0017-site-wide-search.md)."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q

from core.db import Folded


def _weighted(field: str, weight: str) -> SearchVector:
    return SearchVector(Folded(field), config="simple", weight=weight)


class Document(models.Model):
    # Who pushed it and which of its rows it is ("editorial.item", 42).
    source = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    # A code for filters ("news", "qa_question") and its label as the module wrote it, in
    # Vietnamese (the pages translate it like any other msgid): search imports no module.
    kind = models.CharField(max_length=40)
    kind_label = models.CharField(max_length=200)
    # The component site the document belongs to (organization.ComponentSite's id), or null
    # for the province portal. Not a foreign key: the projection never holds a site back, and
    # the page resolves the site's name and host when it shows a result.
    site_id = models.BigIntegerField(null=True, blank=True)
    language = models.CharField(max_length=5, default="vi")
    title = models.CharField(max_length=500)
    text = models.TextField(blank=True)  # plain text, no markup
    url = models.CharField(max_length=500)  # the path on its own site's host
    topic = models.CharField(max_length=200, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    title_folded = models.GeneratedField(
        expression=Folded("title"), output_field=models.TextField(), db_persist=True
    )
    # The title's words alone: "title matches first" reads this small vector, not the big one.
    title_vector = models.GeneratedField(
        expression=_weighted("title", "A"), output_field=SearchVectorField(), db_persist=True
    )
    vector = models.GeneratedField(
        expression=_weighted("title", "A") + _weighted("topic", "B") + _weighted("text", "C"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="search_doc_source"),
            models.CheckConstraint(condition=Q(url__startswith="/"), name="search_doc_url_path"),
        ]
        indexes = [
            GinIndex(fields=["vector"], name="search_doc_vector"),
            GinIndex(fields=["title_vector"], name="search_doc_title_vector"),
            GinIndex(fields=["title_folded"], opclasses=["gin_trgm_ops"], name="search_doc_trgm"),
            models.Index(fields=["kind", "-published_at"], name="search_doc_kind_date"),
            models.Index(fields=["site_id", "kind", "-published_at"], name="search_doc_site_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.source_id}: {self.title}"
