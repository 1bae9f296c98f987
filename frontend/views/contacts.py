"""Contacts pages for citizens (/lien-he/; /en/contacts/ and /en/organisation/ in English where
the portal has an English version).

On the portal: the managing body of the portal and the mailbox for content, then every
agency grouped by kind with its address, phone, e-mail, website, leaders and component site, and
the contact directories the portal published (items of kind `contact_directory`). On a component
site: that agency's contact and leaders, its own directories, and a link to the portal's page.
Decree 42/2022 Art. 4 (the organisation and its contacts), Art. 7 (in English too).

Two queries read the agencies and their leaders, one the directories, whatever their number."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from editorial.models import Kind
from editorial.selectors import public_item_list
from frontend.context_processors import SiteContext
from frontend.links import component_site_url, item_path
from frontend.page_cache import public_page
from frontend.profiles import english_offered
from organization.models import Agency
from organization.selectors import agency_contacts

MAX_DIRECTORIES = 5  # the latest directories shown in full; older ones are on their own pages
MAX_DIRECTORY_ROWS = 300  # rows of one directory on this page; the item's page has them all


def agency_rows(request, agencies, *, english: bool = False) -> list[dict]:
    """What the pages show of each agency: its names, contact, active leaders and site."""
    rows = []
    for agency in agencies:
        site = getattr(agency, "site", None)
        rows.append(
            {
                "pk": agency.pk,
                "name": agency.name,
                # In English, the agency's English name where it has one, else its own name
                # (marked lang="vi" on the page).
                "display_name": (agency.english_name or agency.name) if english else agency.name,
                "english_name": agency.english_name,
                "name_language": "en" if english and agency.english_name else "vi",
                "kind": agency.kind,
                "address": agency.address,
                "phone": agency.phone,
                "email": agency.email,
                "website": agency.website,
                "leaders": agency.public_leaders,
                "site_url": (
                    component_site_url(request, site)
                    if site is not None and site.is_active
                    else None
                ),
            }
        )
    return rows


def kind_groups(rows: list[dict]) -> list[dict]:
    """The agencies under their kind's label ("Sở, ban, ngành", "UBND cấp huyện"…), in the
    order of the kinds."""
    groups: dict[str, list[dict]] = {kind: [] for kind in Agency.Kind.values}
    for row in rows:
        groups.setdefault(row["kind"], []).append(row)
    return [
        {
            "kind": kind,
            "label": Agency.Kind(kind).label if kind in Agency.Kind.values else kind,
            "agencies": members,
        }
        for kind, members in groups.items()
        if members
    ]


def _directory_rows(fields: dict) -> list[dict]:
    contacts = fields.get("contacts") if isinstance(fields, dict) else None
    if not isinstance(contacts, list):
        return []
    return [
        {
            column: str(entry.get(column) or "")
            for column in ("name", "title", "unit", "phone", "email")
        }
        for entry in contacts
        if isinstance(entry, dict)
    ]


def contact_directories(site) -> list[dict]:
    """The site's published contact directories, newest first, each as a table (at most
    MAX_DIRECTORY_ROWS rows here, with a link to the whole directory)."""
    items = public_item_list(site=site, kinds=[Kind.CONTACT_DIRECTORY])[:MAX_DIRECTORIES]
    directories = []
    for item in items:
        rows = _directory_rows(item.published_revision.fields)
        directories.append(
            {
                "title": item.published_revision.title,
                "url": item_path(item),
                "published_at": item.published_at,
                "rows": rows[:MAX_DIRECTORY_ROWS],
                "more": max(len(rows) - MAX_DIRECTORY_ROWS, 0),
            }
        )
    return directories


def contacts_context(request, *, english: bool = False) -> dict:
    """Everything the contacts page shows, for the portal or a component site."""
    context = SiteContext(request)
    own = request.component_site
    agencies = list(agency_contacts(agency_id=own.agency_id if own is not None else None))
    rows = agency_rows(request, agencies, english=english)
    portal_contacts = None
    if own is not None and context.portal_url:
        name = "frontend:en_contacts" if english else "frontend:contacts"
        portal_contacts = context.portal_url.rstrip("/") + reverse(name)
    return {
        # The profile's [portal] table (the managing body, its address, phone, e-mail, the
        # person responsible), once the site context provides it.
        "managing_body": getattr(context, "managing_body", None) if own is None else None,
        "mailbox": context.submission_mailbox if own is None else None,
        "agency": rows[0] if own is not None and rows else None,
        "groups": kind_groups(rows) if own is None else [],
        "portal_contacts": portal_contacts,
    }


@public_page
def contacts(request):
    context = contacts_context(request)
    context["directories"] = contact_directories(request.component_site)
    context["english_contacts"] = (
        reverse("frontend:en_contacts") if english_offered(request) else None
    )
    return render(request, "frontend/contacts/contacts.html", context)
