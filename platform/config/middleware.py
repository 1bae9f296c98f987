"""Requests PostgreSQL could never store nor match: a NUL byte in the address, the query or
anywhere in a JSON document. Refused at once with a plain 400, before any lookup can turn
them into a 500 (the check itself, shared with the API parser and the modules, is in
config.bounds)."""

from __future__ import annotations

from django.http import HttpResponseBadRequest

from config.bounds import NUL


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
