"""The look of every page: the profile's colour as CSS custom properties and the EMC monitoring
code where the province has one."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from frontend.profiles import profile_for
from provinces.colours import HEX_COLOUR, MIN_CONTRAST, WHITE, contrast

register = template.Library()

EMC = "emc"
# The navigation band: the brand colour with this share of black.
DARKER = 0.25


def _darker(colour: str, share: float) -> str:
    """`colour` mixed with `share` of black."""
    channels = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c * (1 - share)):02x}" for c in channels)


def brand_colours(colour: str | None) -> dict[str, str] | None:
    """`brand` and `brand_dark` (the navigation band) for a profile's colour, or None when it
    is not `#rrggbb` or white text on it would read below 4.5:1 (the profile schema refuses
    such a colour; a page never trusts it): the stylesheet's own colours apply."""
    colour = (colour or "").strip().lower()
    if not HEX_COLOUR.match(colour) or contrast(colour, WHITE) < MIN_CONTRAST:
        return None
    return {"brand": colour, "brand_dark": _darker(colour, DARKER)}


def theme_css(colours: dict[str, str]) -> str:
    """The stylesheet setting --brand and --brand-dark (frontend/views/look.py serves it)."""
    return f":root {{ --brand: {colours['brand']}; --brand-dark: {colours['brand_dark']}; }}\n"


@register.simple_tag
def theme_style(colour: str | None = None) -> str:
    """`<link>` to the stylesheet of the profile's colour, or nothing. An external stylesheet,
    never an inline `<style>`: the Content-Security-Policy allows none (docs/operators.md)."""
    colours = brand_colours(colour)
    if colours is None:
        return ""
    try:
        href = reverse("frontend:theme_stylesheet", args=[colours["brand"][1:]])
    except NoReverseMatch:  # a host whose pages have no such address: the stylesheet's colours
        return ""
    return format_html('<link rel="stylesheet" href="{}">', href)


def emc_site_code(profile) -> str | None:
    """The province's code in the EMC monitoring system (its `emc` integration's
    `settings.site_code`), or None."""
    if profile is None:
        return None
    for integration in profile.integrations:
        if integration.code == EMC and integration.settings.get("site_code"):
            return integration.settings["site_code"]
    return None


@register.simple_tag(takes_context=True)
def emc_snippet(context) -> str:
    """The EMC monitoring code, only where the profile names the province's site code AND the
    platform is configured with the EMC script (PORTAL_EMC_SCRIPT_URL: production only)."""
    script_url = getattr(settings, "PORTAL_EMC_SCRIPT_URL", "")
    request = context.get("request")
    if not script_url or request is None:
        return ""
    site_code = emc_site_code(profile_for(request))
    if site_code is None:
        return ""
    return format_html(
        '<script src="{}" data-emc-script="{}" data-emc-site="{}" defer></script>',
        static("frontend/emc.js"),
        script_url,
        site_code,
    )
