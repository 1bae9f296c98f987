"""The profile's colour as a stylesheet of its own (frontend/templatetags/look.py links it).

A stylesheet rather than an inline `<style>`: the Content-Security-Policy allows styles from
the portal's own host only (no 'unsafe-inline', no per-page hash that a cached page would have
to keep in step with its header). The address names the colour itself, so the response never
changes: every browser and cache keeps it a year, and a new colour is a new address."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from frontend.templatetags.look import brand_colours, theme_css

YEAR = 365 * 24 * 3600


@require_safe
def theme_stylesheet(request, colour: str):
    """`:root { --brand; --brand-dark }` for `#<colour>`; 404 for a colour the portal would
    never use (not six hex digits, or white text on it below 4.5:1)."""
    colours = brand_colours(f"#{colour}")
    if colours is None:
        raise Http404
    response = HttpResponse(theme_css(colours), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response
