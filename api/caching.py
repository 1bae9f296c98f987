"""Responses that carry a citizen's personal data (an asker's name, e-mail, phone, address, the
text of their question, or the tracking code that unlocks them) are never stored by a browser
or a shared cache: `Cache-Control: no-store, private` (with Django's other never-cache
headers), on success and on error alike."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStore:
    """Mix into an APIView before its base: every response of the view is marked no-store."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        add_never_cache_headers(response)
        return response
