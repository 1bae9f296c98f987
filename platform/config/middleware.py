"""Requests PostgreSQL could never store nor match: a NUL byte in the address, the query or
anywhere in a JSON document. Refused at once with a plain 400, before any lookup can turn
them into a 500; `nul_byte_path` is the one check the API parser and the modules share."""

from __future__ import annotations

from django.http import HttpResponseBadRequest

NUL = "\x00"


def nul_byte_path(value: object, prefix: str = "") -> str | None:
    """The dotted path of the first string (or key) holding a NUL byte in a JSON-like value,
    `prefix` itself for a bare string, or None. Iterative: any depth, no recursion."""
    pending: list[tuple[str, object]] = [(prefix, value)]
    while pending:
        path, current = pending.pop()
        if isinstance(current, str):
            if NUL in current:
                return path
        elif isinstance(current, dict):
            for key, child in current.items():
                name = str(key)
                if NUL in name:
                    return ".".join(filter(None, [path, name.replace(NUL, "\\u0000")]))
                pending.append((".".join(filter(None, [path, name])), child))
        elif isinstance(current, list | tuple):
            pending.extend(
                (".".join(filter(None, [path, str(index)])), child)
                for index, child in enumerate(current)
            )
    return None


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
