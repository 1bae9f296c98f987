"""The error pages of every host (400, 403, 404, 410, 429, 500, 503) in the portal's look.

They are rendered without the context processors and without a query: a 500 must show even when
the database is down, and a 404 must not cost more than the page it replaces. What they show of
the site (its name, the search page) comes from what the middleware already loaded: the province
on `request.tenant`, the component site with its agency on `request.component_site`, and the
profile's colour and emblem (files, no query).
Both URLconfs (config.urls_tenant, config.urls_public) name these views as their handlers."""

from __future__ import annotations

import logging
import sys

from django import db
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from frontend.profiles import profile_for
from organization.models import ComponentSite

logger = logging.getLogger(__name__)

# The last resort when even the template cannot be rendered (a broken installation).
BARE_500 = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
    "<title>500 – Lỗi máy chủ</title></head><body><main><h1>500 – Lỗi máy chủ</h1>"
    "<p>Hệ thống gặp sự cố. Hãy thử lại sau ít phút.</p>"
    '<p><a href="/">Về trang chủ</a></p></main></body></html>'
)


def _site_name(request) -> str | None:
    """The name of the portal or component site this host is, from what is in memory."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return None
    if tenant.schema_name == get_public_schema_name():
        return _("Nền tảng Cổng thông tin điện tử các tỉnh")
    site = getattr(request, "component_site", None)
    if site is not None and ComponentSite.agency.is_cached(site):
        return site.agency.name
    return tenant.portal_name or tenant.name


def _look(request) -> dict:
    """The profile's colour and emblem (read from its files, no query); the platform's own when
    the host is unknown or the profile cannot be read."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return {}
    try:
        profile = profile_for(request)
        portal = getattr(profile, "portal", None)
        if portal is None:
            return {}
        return {
            "colour": portal.colour,
            "emblem_url": static(portal.emblem) if portal.emblem else None,
        }
    except Exception:  # an error page never fails for its decoration
        logger.exception("the look of the error page could not be read")
        return {}


def _path(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:  # not on this host's URLconf (the platform host, a part not landed)
        return None


def error_response(request, template: str, *, status: int, **context) -> HttpResponse:
    """`template` (one of the error templates, all extending error_base.html) with the site's
    name and links, as a response of `status`."""
    context = {
        "site_name": _site_name(request),
        "search_url": _path("frontend:search"),
        **_look(request),
        **context,
    }
    return HttpResponse(render_to_string(template, context), status=status)


def bad_request(request, exception=None):
    return error_response(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return error_response(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return error_response(request, "404.html", status=404)


def server_error(request):
    if database_unavailable():
        return service_unavailable(request)
    try:
        return error_response(request, "500.html", status=500)
    except Exception:  # the error page itself failed: never a second traceback to the visitor
        logger.exception("the 500 page could not be rendered")
        return HttpResponse(BARE_500, status=500)


def gone(request, *, notice: str = "") -> HttpResponse:
    """410: the content was withdrawn; `notice` is the withdrawal notice as the item page
    renders it (its title and reason), already escaped by its template."""
    return error_response(request, "410.html", status=410, notice=notice)


def rate_limited(
    request, *, retry_after: int, back_url: str | None = None, back_label: str = ""
) -> HttpResponse:
    """429 for a form of the citizens' pages refused by `core.limits`: how long to wait (also as
    Retry-After, in seconds) and where to go back to."""
    retry_after = max(1, int(retry_after))
    response = error_response(
        request,
        "429.html",
        status=429,
        minutes=-(-retry_after // 60),  # rounded up: never "0 minutes"
        back_url=back_url,
        back_label=back_label,
    )
    response["Retry-After"] = str(retry_after)
    return response


# --- The database unreachable (ADR 0024) ---------------------------------------------------
# A request that meets PostgreSQL down or restarting (its connection refused or cut, a statement
# cancelled) answers 503 with Retry-After, never 500: nothing of it was stored (a write that got
# its 201 or redirect had committed), and the client may send it again. Django calls the 500
# handler inside the `except` of the failed request, so the error in flight says which.
RETRY_AFTER_DATABASE = 5  # seconds: a restart of PostgreSQL takes a few
BARE_503 = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
    "<title>503 – Tạm thời gián đoạn</title></head><body><main>"
    "<h1>503 – Tạm thời gián đoạn</h1>"
    "<p>Hệ thống đang tạm gián đoạn trong giây lát. Hãy thử lại sau ít giây.</p>"
    '<p><a href="/">Về trang chủ</a></p></main></body></html>'
)


def database_unavailable() -> bool:
    """Whether the exception being handled is the database being unreachable, or was raised
    while handling that (a rollback or a second query on the dead connection)."""
    error: BaseException | None = sys.exc_info()[1]
    for _depth in range(5):
        if error is None:
            return False
        if isinstance(error, (db.OperationalError, db.InterfaceError)):
            return True
        error = error.__cause__ or error.__context__
    return False


def service_unavailable(request) -> HttpResponse:
    """503 and Retry-After: the portal's page, or the API's error format under /api/."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        body = {
            "error": {
                "code": "service_unavailable",
                "message": "The service is briefly unavailable; nothing was stored. "
                "Send the request again in a few seconds.",
                "fields": {},
            }
        }
        response = JsonResponse(body, status=503)
    else:
        try:
            response = error_response(request, "503.html", status=503)
        except Exception:  # the error page itself failed: never a second traceback
            logger.exception("the 503 page could not be rendered")
            response = HttpResponse(BARE_503, status=503)
    response["Retry-After"] = str(RETRY_AFTER_DATABASE)
    response["Cache-Control"] = "no-store"
    return response
