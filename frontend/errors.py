"""The web pages' one way of showing a service's refusal (`core.errors.ServiceError`).

A refusal goes on the form: each field it names gets its messages, the rest goes on the form
itself; the page's status is the API's for the same kind (`api.errors.http_status`). The message is
the service's own, marked for translation where it is written (ADR 0015, Translations): a page
keeps no rewording of its own.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from api.errors import http_status
from core.errors import ServiceError

__all__ = ["add_service_error", "http_status", "service_message"]

KIND_FIELDS = "fields."  # a content kind's own fields: "fields.<name>[.<index>.<column>]"


def service_message(error: ServiceError) -> str:
    """The refusal's text, in the page's language."""
    return str(error.message)


def add_service_error(
    form: forms.Form,
    error: ServiceError,
    *,
    field_map: Mapping[str, str] | None = None,
    kind_field_prefix: str | None = None,
) -> None:
    """Put a service's refusal on the form: the messages of each field it names on that field
    (`field_map`: the service's name → the form's), and its own message on the field it
    blames, or on the form when the form has no such field or several fields were named."""
    field_map = field_map or {}
    message = service_message(error)
    placed = False
    for path, messages in error.fields.items():
        name = field_map.get(path, path)
        texts = [str(text) for text in messages]
        if kind_field_prefix is not None and path.startswith(KIND_FIELDS):
            head, _dot, rest = path.removeprefix(KIND_FIELDS).partition(".")
            name = kind_field_prefix + head
            if rest:  # an element of a list: say which one, counting from 1
                index, _dot, column = rest.partition(".")
                if index.isdigit():
                    texts = [
                        f"#{int(index) + 1} {column}: {text}" if column else text for text in texts
                    ]
        if name in form.fields:
            for text in texts:
                form.add_error(name, text)
            placed = True
    if not placed:
        name = field_map.get(error.field or "", error.field)
        form.add_error(name if name in form.fields else None, message)
    elif error.code != "invalid_fields":
        form.add_error(None, message)
