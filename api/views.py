"""The API's one base view for "perform a service and answer with the resource"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rest_framework import serializers
from rest_framework.views import APIView

from api.errors import fields_renamed


class ServiceActionView(APIView):
    """One action on one resource: find it (404 when there is none for this caller), validate
    the input, call the service with the resource, the caller as `actor` and the input (its
    field names are the service's keyword arguments), answer with what the service returns.

    A refusal (`core.errors.ServiceError`) rolls back and becomes the API's error body with
    the status of its kind (api.errors); `field_names` renames the fields it names to the
    request's spelling. Subclasses name the input, the service, the keyword the service takes
    the resource by, and how to find the resource and to answer."""

    input_class: type[serializers.Serializer]
    service: Callable[..., Any]
    resource_name: ClassVar[str]
    field_names: ClassVar[dict[str, str]] = {}

    def get_resource(self, **url_kwargs):
        raise NotImplementedError

    def respond(self, result):
        raise NotImplementedError

    def post(self, request, **url_kwargs):
        resource = self.get_resource(**url_kwargs)
        payload = self.input_class(data=request.data)
        payload.is_valid(raise_exception=True)
        with fields_renamed(**self.field_names):
            result = self.service(
                **{self.resource_name: resource}, actor=request.user, **payload.validated_data
            )
        return self.respond(result)
