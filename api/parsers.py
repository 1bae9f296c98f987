"""The one JSON parser of the API (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]): a body is bounded
in size (DATA_UPLOAD_MAX_MEMORY_SIZE), in nesting depth and may hold no NUL byte, so that no
JSON document can reach a 500 (a RecursionError in the decoder or a serializer, or PostgreSQL
refusing "\\u0000" in text and jsonb). See docs/adr/0012-bounded-input-and-api-fuzzing.md."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from config.bounds import MAX_JSON_DEPTH, json_depth, nul_byte_path
from core.errors import ServiceError


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(body) > limit:
            raise RequestDataTooBig("Request body exceeded DATA_UPLOAD_MAX_MEMORY_SIZE.")
        try:
            data = json.loads(body.decode(encoding), parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
            raise exceptions.ParseError(
                _(
                    "Dữ liệu JSON không hợp lệ hoặc lồng quá sâu "
                    "(tối đa %(depth)d cấp mảng/đối tượng)."
                )
                % {"depth": MAX_JSON_DEPTH}
            ) from error
        if json_depth(data) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                _("Dữ liệu JSON lồng quá sâu (tối đa %(depth)d cấp mảng/đối tượng).")
                % {"depth": MAX_JSON_DEPTH}
            )
        path = nul_byte_path(data)
        if path is not None:
            raise ServiceError(
                "nul_byte",
                _("Dữ liệu không được chứa ký tự NUL (\\u0000)."),
                field=path or "non_field_errors",
            )
        return data
