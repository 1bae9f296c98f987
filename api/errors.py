"""One error format for the whole API:

{"error": {"code": "validation_error", "message": "…", "fields": {"name": ["…"]}}}
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, serializers, status


class ServiceError(exceptions.APIException):
    """A refusal by a service (typed error with a stable code) turned into a 4xx."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, code: str, message: str, field: str | None = None, status_code=None):
        super().__init__(detail=message, code=code)
        self.error_code = code
        self.field = field
        if status_code:
            self.status_code = status_code


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
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    # Imported here: rest_framework.views reads REST_FRAMEWORK's parser and pagination classes
    # when it loads, and those raise ServiceError, defined above (no import cycle).
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ServiceError):
        fields = getattr(exc, "fields", None) or {}
        if not fields and exc.field:
            fields = {exc.field: [str(exc.detail)]}
        body = {"code": exc.error_code, "message": str(exc.detail), "fields": fields}
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
