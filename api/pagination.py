"""Cursor pagination whose cursor is checked before it reaches the database.

A cursor is the client's text (base64 of `o=…&r=…&p=…`): DRF decodes it and filters on the
position as is, so `p='` on an integer ordering or `p=0` on a date ordering raised in the
database layer (a 500). Here a cursor that is not one this API could have issued is a 400
`invalid_cursor`, with nothing queried."""

from __future__ import annotations

from base64 import b64decode
from binascii import Error as Base64Error
from datetime import date, datetime
from urllib import parse

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import Cursor
from rest_framework.pagination import CursorPagination as BaseCursorPagination

from core.errors import ServiceError
from editorial.content import MAX_YEAR, MIN_YEAR

MAX_CURSOR_LENGTH = 1000
BIGINT = 2**63


def invalid_cursor() -> ServiceError:
    return ServiceError(
        "invalid_cursor",
        _("Con trỏ phân trang không hợp lệ: dùng đường dẫn next/previous của trang trước."),
        field="cursor",
    )


def _ordering_field(queryset, name: str):
    name = name.lstrip("-")
    annotation = queryset.query.annotations.get(name)
    if annotation is not None:
        return annotation.output_field
    if name == "pk":
        return queryset.model._meta.pk
    return queryset.model._meta.get_field(name)


def _plausible(value) -> bool:
    if isinstance(value, datetime):
        return timezone.is_aware(value) and MIN_YEAR <= value.year <= MAX_YEAR
    if isinstance(value, date):
        return MIN_YEAR <= value.year <= MAX_YEAR
    if isinstance(value, int):
        return -BIGINT <= value < BIGINT
    return True


class CursorPagination(BaseCursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"

    def paginate_queryset(self, queryset, request, view=None):
        self._queryset = queryset
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            if len(encoded) > MAX_CURSOR_LENGTH:
                raise ValueError("cursor too long")
            querystring = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
            tokens = parse.parse_qs(querystring, keep_blank_values=True, strict_parsing=False)
            offset = int(tokens.get("o", ["0"])[0])
            if offset < 0:
                raise ValueError("negative offset")
            offset = min(offset, self.offset_cutoff)
            reverse = tokens.get("r", ["0"])[0]
            if reverse not in ("0", "1"):
                raise ValueError("reverse is 0 or 1")
            position = tokens.get("p", [None])[0]
        except (TypeError, ValueError, Base64Error) as error:
            raise invalid_cursor() from error
        if position is not None:
            self._check_position(position)
        return Cursor(offset=offset, reverse=reverse == "1", position=position)

    def _check_position(self, position: str) -> None:
        """The position must read as a value of the first ordering field (as DRF wrote it)."""
        queryset = getattr(self, "_queryset", None)
        if "\x00" in position:
            raise invalid_cursor()
        if queryset is None:
            return
        try:
            field = _ordering_field(queryset, self.ordering[0])
        except FieldDoesNotExist:
            return
        try:
            value = field.to_python(position)
        except (ValidationError, ValueError, TypeError, OverflowError) as error:
            raise invalid_cursor() from error
        if not _plausible(value):
            raise invalid_cursor()
