"""One error format for the whole API, and the one place a refusal's kind becomes a status:

{"error": {"code": "validation_error", "message": "…", "fields": {"name": ["…"]}}}

Services (and the API's own parsers, pagination and views) refuse with `core.errors.
ServiceError`; `exception_handler` answers it with the status of its kind (`STATUS_OF_KIND`).
DRF's own exceptions (validation, authentication, permission, throttling) keep their statuses.
"""

from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, serializers, status

from core.errors import ErrorKind, ServiceError

STATUS_OF_KIND = {
    ErrorKind.INVALID: status.HTTP_400_BAD_REQUEST,
    ErrorKind.FORBIDDEN: status.HTTP_403_FORBIDDEN,
    ErrorKind.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    ErrorKind.CONFLICT: status.HTTP_409_CONFLICT,
    ErrorKind.GONE: status.HTTP_410_GONE,
    ErrorKind.TOO_LARGE: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    ErrorKind.TOO_MANY: status.HTTP_429_TOO_MANY_REQUESTS,
}


def http_status(error: ServiceError) -> int:
    """The HTTP status that answers a refusal (the API's, and the web pages' too)."""
    return STATUS_OF_KIND[error.kind]


class _Refusal(exceptions.APIException):
    """A ServiceError on its way through DRF's handler (headers, rollback), never raised."""

    def __init__(self, error: ServiceError):
        super().__init__(detail=str(error.message), code=error.code)
        self.status_code = http_status(error)
        self.error = error


def _flatten(detail) -> dict:
    if isinstance(detail, dict):
        return {
            key: [str(item) for item in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    return {}


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        exc = ServiceError(
            "request_too_large",
            f"The request body exceeds {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
            kind=ErrorKind.TOO_LARGE,
        )
    if isinstance(exc, ServiceError):
        exc = _Refusal(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    # Imported here: rest_framework.views reads REST_FRAMEWORK's parser and pagination classes
    # when it loads, and those import this module (no import cycle).
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, _Refusal):
        error = exc.error
        body = {"code": error.code, "message": str(error.message), "fields": error.field_errors()}
    elif isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        if isinstance(exc.detail, list):
            fields = {"non_field_errors": [str(item) for item in exc.detail]}
        body = {
            "code": "validation_error",
            "message": "The request has invalid fields.",
            "fields": fields,
        }
    else:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        code = codes if isinstance(codes, str) else "error"
        body = {"code": code, "message": str(getattr(exc, "detail", exc)), "fields": {}}
    response.data = {"error": body}
    return response


class ErrorBody(serializers.Serializer):
    code = serializers.CharField(help_text="stable, machine-readable error code")
    message = serializers.CharField(help_text="what is wrong, for a person")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="field path → messages",
    )


class ErrorOutput(serializers.Serializer):
    error = ErrorBody()


@contextmanager
def fields_renamed(**renamed: str):
    """A refusal whose field names are the service's keyword arguments, re-raised with the
    names the request spells them by (`deadline_kind` → `kind`)."""
    try:
        yield
    except ServiceError as error:
        if not renamed:
            raise
        field = renamed.get(error.field, error.field) if error.field else None
        fields = {renamed.get(name, name): messages for name, messages in error.fields.items()}
        raise type(error)(
            error.code, error.message, field, kind=error.kind, fields=fields
        ) from error
