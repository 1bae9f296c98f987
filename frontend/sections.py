"""The portal's required sections as citizens reach them, and the main menu built from them
(ADR 0016).

A section of the profile (`required_sections`) is filled by published items (of some kinds, or
filed in its category), by a static page, or by one of the platform's own pages. A section has
content when that content is published, or, for a built-in page, when the page exists (and,
for the legal documents and the drafts, when one is published). A section without content is
never shown to citizens: it is not in the menu, its address is a 404, and the staff dashboard
lists it as a compliance gap. That rule is editorial.sections' (the compliance figures read it
too); this module builds the menus on it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.selectors import procedures_listed
from core.profiles import current_profile
from editorial.dashboard import PublishedContent, published_content
from editorial.sections import (
    BUILTIN_URLS,
    SectionState,
    section_states,
    section_url,
    url_or_none,
)
from editorial.selectors import site_categories
from frontend.public_cache import cached
from provinces.schema import Profile

# Which sections have content is decided by editorial.sections (one rule for the menu, the
# dashboard and the compliance figures); its names are used from here by the pages.
__all__ = [
    "BUILTIN_URLS",
    "SectionState",
    "component_site_menu",
    "mark_current",
    "portal_menu",
    "section_states",
    "section_url",
    "site_content",
    "url_or_none",
]


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
