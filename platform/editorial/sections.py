"""Which of the profile's required sections have content (ADR 0016): the one rule the citizens'
menu, the staff dashboard's section gaps and the compliance figures (reports.compliance) read.

A section is filled by published items (of some kinds, or filed in its category), by a static
page, or by one of the platform's own pages. It has content when that content is published,
or, for a built-in page, when the page exists (and, for the legal documents, the drafts and
the procedures, when one is published). A section without content is a compliance gap.

The pages are the province's own (its URLconf, `settings.ROOT_URLCONF`): a caller outside a
province's request (a worker, the platform host's console) passes `urlconf` so that the
answer does not depend on the host it runs for."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from editorial.dashboard import PublishedContent
from provinces.schema import Profile, Section

# The platform's own pages a section may stand for, by their URL names. A name that does not
# resolve (a page not built yet) leaves the section without content.
BUILTIN_URLS: dict[str, str] = {
    "legal_documents": "frontend:documents",
    "drafts": "frontend:drafts",
    "qa": "frontend:qa_list",
    "contacts": "frontend:contacts",
    "procedures": "frontend:procedures",
    "english": "frontend:en_home",
    "search": "frontend:search",
    "corrections": "frontend:corrections",
}
# A built-in page that lists one kind of item has content only when one is published.
BUILTIN_KINDS: dict[str, str] = {
    "legal_documents": "legal_document",
    "drafts": "draft_document",
    "procedures": "procedure",
}


def url_or_none(name: str, *, urlconf: str | None = None, **kwargs) -> str | None:
    """The path of a named page, or None when the page does not exist (yet)."""
    try:
        return reverse(name, kwargs=kwargs or None, urlconf=urlconf)
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class SectionState:
    section: Section
    url: str | None  # where a citizen reads it; None: no published content (a compliance gap)

    @property
    def has_content(self) -> bool:
        return self.url is not None


def section_url(
    section: Section, content: PublishedContent, *, urlconf: str | None = None
) -> str | None:
    """Where citizens read `section`, or None while it has no published content."""
    fills = section.content
    if fills.form == "builtin":
        builtin = fills.builtin or ""
        kind = BUILTIN_KINDS.get(builtin)
        if kind is not None and kind not in content.kinds:
            return None
        return url_or_none(BUILTIN_URLS[builtin], urlconf=urlconf)
    if fills.form == "page":
        published = fills.page in content.pages
    else:
        published = bool(set(fills.kinds) & content.kinds) or fills.category in content.categories
    if not published:
        return None
    return url_or_none("frontend:section", urlconf=urlconf, slug=section.slug)


def section_states(
    profile: Profile, content: PublishedContent, *, urlconf: str | None = None
) -> list[SectionState]:
    """Every required section of the portal with where citizens read it (None: a gap). The
    catalogue is a gap while the profile does not publish it (public_services)."""
    hidden = set() if profile.public_services.catalogue_published else {"procedures"}
    return [
        SectionState(
            section,
            None
            if section.content.builtin in hidden
            else section_url(section, content, urlconf=urlconf),
        )
        for section in profile.required_sections
    ]
