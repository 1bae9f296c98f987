"""Tìm kiếm (`/tim-kiem/`): the site-wide search of a province's portal and of each component
site, over what the modules publish (search.selectors; docs/adr/0017-site-wide-search.md).

On the portal it covers the portal's documents and every component site's, each result naming
its site and linking to that site's host; on a component site, that site's own. The page is
not cached (every query differs) and asks search engines not to index it; its reads are two
or three queries: the kinds to filter by, the results, the sites the results belong to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from frontend.http_cache import shared_page
from frontend.links import component_site_url
from organization.selectors import component_site_list
from search import selectors
from search.services import SearchError

# Query-string names: the page's addresses are Vietnamese like every citizen page.
QUERY, KIND, DATE_FROM, DATE_TO, PAGE = "q", "loai", "tu_ngay", "den_ngay", "trang"
FIELD_IDS = {
    QUERY: "search-q",
    KIND: "search-kinds",
    DATE_FROM: "search-from",
    DATE_TO: "search-to",
    PAGE: "search-q",
}
FIELD_LABELS = {
    QUERY: _("Từ khoá"),
    KIND: _("Loại nội dung"),
    DATE_FROM: _("Từ ngày"),
    DATE_TO: _("Đến ngày"),
    PAGE: _("Trang"),
}
MAX_RAW = 1000  # characters of any one parameter read at all; the selector's limits are lower


@dataclass
class Shown:
    """A result as the page shows it: the hit, where it links, the site it belongs to."""

    hit: selectors.Hit
    url: str
    site_name: str


class BadInput(Exception):
    def __init__(self, field: str, message):
        super().__init__(message)
        self.field, self.message = field, message


def _date(request, name: str) -> date | None:
    raw = (request.GET.get(name) or "").strip()[:MAX_RAW]
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadInput(name, _("Ngày không hợp lệ (ngày/tháng/năm).")) from None


def _page(request) -> int:
    raw = (request.GET.get(PAGE) or "1").strip()[:MAX_RAW]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        raise BadInput(PAGE, _("Số trang không hợp lệ."))
    return int(raw)


def _shown(request, hits: list[selectors.Hit], component_site) -> list[Shown]:
    """On a component site every hit is its own (relative links). On the portal, a component
    site's hit links to that site's host; one query for the sites of the page's hits."""
    if component_site is not None:
        return [Shown(hit, hit.url, component_site.agency.name) for hit in hits]
    ids = {hit.site_id for hit in hits if hit.site_id is not None}
    sites = (
        {site.pk: site for site in component_site_list().filter(pk__in=ids, is_active=True)}
        if ids
        else {}
    )
    shown = []
    for hit in hits:
        if hit.site_id is None:
            shown.append(Shown(hit, hit.url, ""))
        elif hit.site_id in sites:  # a site closed since keeps no public pages
            site = sites[hit.site_id]
            base = component_site_url(request, site).rstrip("/")
            shown.append(Shown(hit, base + hit.url, site.agency.name))
    return shown


@require_GET
@shared_page
def search(request):
    component_site = getattr(request, "component_site", None)
    site_id = component_site.pk if component_site is not None else None
    query = (request.GET.get(QUERY) or "")[:MAX_RAW]
    chosen_kinds = [kind[:MAX_RAW] for kind in request.GET.getlist(KIND)[:50]]
    kinds = selectors.kinds_present(site_id=site_id)
    context = {
        "query": query.strip(),
        "kinds": kinds,
        "chosen_kinds": chosen_kinds,
        "date_from": (request.GET.get(DATE_FROM) or "")[:10],
        "date_to": (request.GET.get(DATE_TO) or "")[:10],
        "field_ids": FIELD_IDS,
        "filtered": bool(chosen_kinds or request.GET.get(DATE_FROM) or request.GET.get(DATE_TO)),
        "results": None,
        "errors": [],
    }
    status = 200
    try:
        date_from, date_to = _date(request, DATE_FROM), _date(request, DATE_TO)
        number = _page(request)
        if query.strip():
            results = selectors.search(
                query=query,
                site_id=site_id,
                kinds=chosen_kinds,
                date_from=date_from,
                date_to=date_to,
                page=number,
            )
            context["results"] = results
            context["shown"] = _shown(request, results.hits, component_site)
            context["first_number"] = (number - 1) * selectors.PAGE_SIZE + 1
    except BadInput as error:
        context["errors"] = [(error.field, FIELD_LABELS[error.field], error.message)]
        status = 400
    except SearchError as error:
        field = error.field if error.field in FIELD_LABELS else QUERY
        context["errors"] = [(field, FIELD_LABELS[field], error.message)]
        status = 400
    filters = request.GET.copy()
    filters.pop(PAGE, None)
    context["filter_query"] = filters.urlencode()
    unfiltered = request.GET.copy()
    for name in (KIND, DATE_FROM, DATE_TO, PAGE):
        unfiltered.pop(name, None)
    context["unfiltered_query"] = unfiltered.urlencode()
    return render(request, "frontend/search/results.html", context, status=status)
