"""Requests PostgreSQL could never store nor match: a NUL byte in the address or the query.
Refused at once with a plain 400, before any lookup can turn them into a 500."""

from django.http import HttpResponseBadRequest


class RefuseNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest("Địa chỉ không hợp lệ.", content_type="text/plain")
        return self.get_response(request)
