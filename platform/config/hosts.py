"""The platform's hosts as a request sees them: development hosts (`*.localhost`, which browsers
resolve to loopback) and absolute links to another host of the platform that keep the request's
scheme and port. The web pages and the API build their cross-host links with these."""

from __future__ import annotations

from django.http.request import split_domain_port

DEV_SUFFIX = "localhost"


def is_development_request(request) -> bool:
    domain, _ = split_domain_port(request.get_host())
    return domain == DEV_SUFFIX or domain.endswith("." + DEV_SUFFIX)


def host_url(request, host: str) -> str:
    """`scheme://host[:port]/` for another host of the platform, with this request's port."""
    _, port = split_domain_port(request.get_host())
    netloc = f"{host}:{port}" if port else host
    return f"{request.scheme}://{netloc}/"
