"""One base for every refusal a service makes (ADR 0015).

A service refuses with a `ServiceError` (or its module's subclass): a stable `code` for
programs, a `message` for people (Vietnamese, marked for translation where the service writes
it), the `field` to blame when one is, `fields` when several are, and a `kind` saying what
sort of refusal it is. The kind is all a layer needs to choose its answer: the API derives the
HTTP status from it in one place (`api.errors`), the web pages put the message on the form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from django.utils.functional import Promise

Message = str | Promise  # a text, or a lazily translated one (gettext_lazy)


class ErrorKind(StrEnum):
    """What sort of refusal: not an HTTP status, but each layer maps it to its own answer."""

    INVALID = "invalid"  # the input is wrong: fix it and try again
    FORBIDDEN = "forbidden"  # this person may not do this
    NOT_FOUND = "not_found"  # no such thing (for this person)
    CONFLICT = "conflict"  # the thing's current state forbids it, whatever the input
    GONE = "gone"  # it existed and was taken down for good
    TOO_LARGE = "too_large"  # the input is over a size limit
    TOO_MANY = "too_many"  # rate limited: wait and try again


class ServiceError(Exception):
    """A refusal by a service: nothing was stored (its transaction rolled back)."""

    kind: ErrorKind = ErrorKind.INVALID

    def __init__(
        self,
        code: str,
        message: Message,
        field: str | None = None,
        *,
        kind: ErrorKind | None = None,
        fields: Mapping[str, Sequence[Message]] | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        if kind is not None:
            self.kind = ErrorKind(kind)
        # Several fields to blame at once (field path → messages); a single one is `field`.
        self.fields: dict[str, list[Message]] = {
            path: list(messages) for path, messages in (fields or {}).items()
        }

    def field_errors(self) -> dict[str, list[str]]:
        """Field path → messages: `fields`, else the message on `field`, else nothing."""
        if self.fields:
            return {path: [str(m) for m in messages] for path, messages in self.fields.items()}
        if self.field:
            return {self.field: [str(self.message)]}
        return {}

    def __str__(self) -> str:
        return str(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, kind={self.kind.value!r})"
