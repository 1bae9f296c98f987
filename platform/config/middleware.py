"""Middleware of every request.

Requests PostgreSQL could never store nor match: a NUL byte in the address, the query or
anywhere in a JSON document. Refused at once with a plain 400, before any lookup can turn
them into a 500 (the check itself, shared with the API parser and the modules, is in
config.bounds).

Security headers of every response: the Content-Security-Policy (django-csp, with the
run-time additions below) and the Permissions-Policy (docs/operations.md "Security
headers")."""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponseBadRequest

from config.bounds import NUL

# The Reporting API group the policy's report-to names (Reporting-Endpoints header).
CSP_REPORT_GROUP = "csp"


class RefuseNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or any(
            NUL in key or any(NUL in value for value in values)
            for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest("Địa chỉ không hợp lệ.", content_type="text/plain")
        return self.get_response(request)


# Powerful browser features no page of the portals uses: denied to every page and to anything
# it could embed, so that an injected script or a compromised third-party script (the EMC code)
# cannot ask citizens for their camera, position or payment details. Only names Chromium
# knows: an unknown one is a console error on every page. Chromium on Linux knows neither
# bluetooth nor web-share (tests/browser/test_csp_browser.py), but Chrome on Windows, macOS and
# Android has both: kept.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "otp-credentials",
        "payment",
        "picture-in-picture",
        "publickey-credentials-create",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "web-share",
        "window-management",
        "xr-spatial-tracking",
    )
)


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` on every response (docs/operations.md "Security headers")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def _origin(url: str) -> str | None:
    """`https://host[:port]` of an absolute http(s) URL, or None."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's header from settings.CONTENT_SECURITY_POLICY, plus what the environment
    adds at run time: the origin of the government's EMC monitoring script (its script, the
    page views it sends and its pixel) when PORTAL_EMC_SCRIPT_URL is set, and the violation
    report endpoint (report-uri, and report-to through Reporting-Endpoints) when
    PORTAL_CSP_REPORT_URI is set. A nonce appears only on a page that asked for one
    (`request.csp_nonce`): citizens' cached pages never do (docs/operators.md)."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        update: dict = {}
        emc_origin = _origin(getattr(settings, "PORTAL_EMC_SCRIPT_URL", ""))
        if emc_origin:
            for directive in ("script-src", "connect-src", "img-src"):
                update[directive] = [emc_origin]
        report_uri = getattr(settings, "PORTAL_CSP_REPORT_URI", "")
        if report_uri:
            update["report-uri"] = [report_uri]
            update["report-to"] = [CSP_REPORT_GROUP]
        if update:
            for directive, sources in (parts.update or {}).items():
                existing = update.get(directive, [])
                sources = [sources] if isinstance(sources, str) else list(sources)
                update[directive] = [*sources, *existing]
            parts.update = update
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        report_uri = getattr(settings, "PORTAL_CSP_REPORT_URI", "")
        if report_uri and "Content-Security-Policy" in response:
            response.headers.setdefault("Reporting-Endpoints", f'{CSP_REPORT_GROUP}="{report_uri}"')
        return response
