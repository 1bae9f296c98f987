"""The portal's required sections as citizens reach them, and the main menu built from them
(ADR 0016).

A section of the profile (`required_sections`) is filled by published items (of some kinds, or
filed in its category), by a static page, or by one of the platform's own pages. A section has
content when that content is published, or, for a built-in page, when the page exists (and,
for the legal documents and the drafts, when one is published). A section without content is
never shown to citizens: it is not in the menu, its address is a 404, and the staff dashboard
lists it as a compliance gap."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from catalog.selectors import procedures_listed
from core.profiles import current_profile
from editorial.dashboard import PublishedContent, published_content
from editorial.selectors import site_categories
from frontend.public_cache import cached
from provinces.schema import Profile, Section

# The platform's own pages a section may stand for, by their URL names. A name that does not
# resolve (a page not built yet: the procedures catalogue, the corrections page) leaves the
# section without content.
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


def url_or_none(name: str, **kwargs) -> str | None:
    """The path of a named page, or None when the page does not exist (yet)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class SectionState:
    section: Section
    url: str | None  # where a citizen reads it; None: no published content (a compliance gap)

    @property
    def has_content(self) -> bool:
        return self.url is not None


def section_url(section: Section, content: PublishedContent) -> str | None:
    """Where citizens read `section`, or None while it has no published content."""
    fills = section.content
    if fills.form == "builtin":
        builtin = fills.builtin or ""
        kind = BUILTIN_KINDS.get(builtin)
        if kind is not None and kind not in content.kinds:
            return None
        return url_or_none(BUILTIN_URLS[builtin])
    if fills.form == "page":
        published = fills.page in content.pages
    else:
        published = bool(set(fills.kinds) & content.kinds) or fills.category in content.categories
    return url_or_none("frontend:section", slug=section.slug) if published else None


def site_content(request, site=None) -> PublishedContent:
    """What a site publishes (site=None: the portal), read once per host, language and
    published-content version: the menu, the section pages and the dashboard share it."""
    part = cached(
        request,
        "published",
        ("site", site.pk if site is not None else None),
        lambda: {"content": published_content(site=site)},
    )
    return part["content"] if part is not None else published_content(site=site)


def section_states(profile: Profile, content: PublishedContent) -> list[SectionState]:
    """Every required section of the portal with where citizens read it (None: a gap)."""
    hidden = set() if profile.public_services.catalogue_published else {"procedures"}
    return [
        SectionState(
            section,
            None if section.content.builtin in hidden else section_url(section, content),
        )
        for section in profile.required_sections
    ]


def _entry(label: str, url: str | None) -> list[dict[str, str]]:
    return [{"label": label, "url": url}] if url else []


def portal_menu(profile: Profile, content: PublishedContent) -> list[dict[str, str]]:
    """The portal's main navigation: home, the sections with content in the profile's order,
    then the platform's pages no section stands for (news, Q&A, contacts, search)."""
    states = section_states(profile, content)
    shown = [state for state in states if state.has_content]
    builtins = {state.section.content.builtin for state in states}
    listed_kinds = {kind for state in shown for kind in state.section.content.kinds}
    menu = [{"label": _("Trang chủ"), "url": reverse("frontend:home")}]
    menu += [{"label": state.section.title, "url": state.url or ""} for state in shown]
    if "news" not in listed_kinds and "news" in content.kinds:
        menu += _entry(_("Tin tức"), url_or_none("frontend:item_list"))
    for builtin, label in (
        ("qa", _("Hỏi – Đáp")),
        ("contacts", _("Liên hệ")),
        ("search", _("Tìm kiếm")),
    ):
        if builtin not in builtins:
            menu += _entry(label, url_or_none(BUILTIN_URLS[builtin]))
    return menu


def component_site_menu(site, content: PublishedContent) -> list[dict[str, str]]:
    """A component site's navigation: home, its news, its categories that have published items,
    its Q&A and contacts."""
    news = url_or_none("frontend:item_list")
    menu = [{"label": _("Trang chủ"), "url": reverse("frontend:home")}]
    menu += _entry(_("Tin tức"), news)
    if news:
        menu += [
            {"label": category.name, "url": f"{news}?chuyen-muc={category.slug}"}
            for category in site_categories(site=site)
            if category.slug in content.categories
        ]
    menu += _entry(_("Thủ tục hành chính"), component_site_procedures_url(site))
    menu += _entry(_("Hỏi – Đáp"), url_or_none(BUILTIN_URLS["qa"]))
    menu += _entry(_("Liên hệ"), url_or_none(BUILTIN_URLS["contacts"]))
    return menu


def component_site_procedures_url(site) -> str | None:
    """The catalogue on a component site: offered when its agency has a published procedure and
    the profile publishes the catalogue (public_services.catalogue_published)."""
    url = url_or_none(BUILTIN_URLS["procedures"])
    if url is None or not current_profile().public_services.catalogue_published:
        return None
    return url if procedures_listed(site=site) else None


def mark_current(menu: list[dict[str, str]], *, path: str, full_path: str) -> list[dict]:
    """The menu with `current` set on the entry of the page being read: its exact address, or
    the deepest entry whose address the page's starts with (a question under /hoi-dap/)."""
    exact = next((entry["url"] for entry in menu if entry["url"] == full_path), None)
    if exact is None:
        within = [
            entry["url"]
            for entry in menu
            if "?" not in entry["url"] and entry["url"] != "/" and path.startswith(entry["url"])
        ]
        exact = max(within, key=len) if within else None
    if exact is None and path == "/":
        exact = "/"
    return [{**entry, "current": entry["url"] == exact} for entry in menu]
