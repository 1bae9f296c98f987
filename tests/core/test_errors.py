"""One error base for every module, one translator to HTTP, one web helper (ADR 0015)."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from accounts.services import AccountError
from api.errors import STATUS_OF_KIND, http_status
from api.views import ServiceActionView
from core.errors import ErrorKind, ServiceError
from editorial.content import ContentError
from editorial.services import EditorialError
from frontend.errors import add_service_error
from integrations.services import ApiKeyError, ApiKeyRefused
from organization.services import OrganizationError
from qa.services import QaError
from tenants.services import OnboardingError

ROOT = Path(__file__).resolve().parents[2]
MODULE_ERRORS = [
    AccountError,
    OrganizationError,
    ApiKeyError,
    ApiKeyRefused,
    QaError,
    ContentError,
    EditorialError,
    OnboardingError,
]
# Where the modules define their refusals (every exception class there must be a ServiceError).
SERVICE_MODULES = [
    "core.uploads",
    "accounts.services",
    "organization.services",
    "integrations.services",
    "editorial.content",
    "editorial.services",
    "qa.services",
    "tenants.services",
]


# --- one base -------------------------------------------------------------------------------


@pytest.mark.parametrize("error_class", MODULE_ERRORS, ids=lambda cls: cls.__name__)
def test_every_module_error_is_a_service_error(error_class):
    # given: a refusal of the module, as its services raise it
    error = error_class("some_code", "Thông báo.", "title", kind=ErrorKind.CONFLICT)
    # then: it is a ServiceError with the same vocabulary
    assert isinstance(error, ServiceError)
    assert (error.code, error.message, error.field, error.kind) == (
        "some_code",
        "Thông báo.",
        "title",
        ErrorKind.CONFLICT,
    )


@pytest.mark.parametrize("module_name", SERVICE_MODULES)
def test_no_module_defines_an_error_outside_the_base(module_name):
    module = importlib.import_module(module_name)
    defined_here = [
        cls
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module_name and issubclass(cls, Exception)
    ]
    assert defined_here, f"{module_name} defines no error class"
    assert [cls for cls in defined_here if not issubclass(cls, ServiceError)] == []


def test_a_refusal_is_invalid_unless_it_says_otherwise():
    assert QaError("required", "Hãy nhập nội dung.", "text").kind is ErrorKind.INVALID


def test_field_errors_are_the_fields_else_the_message_on_its_field():
    several = ContentError(
        "invalid_fields", "Một số trường không hợp lệ.", fields={"fields.a": ["sai"]}
    )
    one = ContentError("title_required", "Tiêu đề không được để trống.", "title")
    none = ContentError("closed", "Đã hết thời hạn góp ý.")
    assert several.field_errors() == {"fields.a": ["sai"]}
    assert one.field_errors() == {"title": ["Tiêu đề không được để trống."]}
    assert none.field_errors() == {}


def test_a_lazily_translated_message_is_read_in_the_active_language():
    error = ServiceError("not_allowed", gettext_lazy("Bạn không có quyền."))
    with translation.override("vi"):
        assert str(error) == "Bạn không có quyền."


# --- one translator to HTTP -----------------------------------------------------------------


def test_every_kind_has_its_status_in_the_one_table():
    assert STATUS_OF_KIND == {
        ErrorKind.INVALID: 400,
        ErrorKind.FORBIDDEN: 403,
        ErrorKind.NOT_FOUND: 404,
        ErrorKind.CONFLICT: 409,
        ErrorKind.GONE: 410,
        ErrorKind.TOO_LARGE: 413,
        ErrorKind.TOO_MANY: 429,
    }
    assert set(STATUS_OF_KIND) == set(ErrorKind)


def test_no_other_layer_maps_a_refusal_to_a_status():
    # The statuses a kind stands for are written in api/errors.py and nowhere else: no table of
    # codes to statuses, no status carried by an error.
    pattern = re.compile(r"HTTP_(403|404|409|410|413|429)_|status_code=(403|404|409|410|413)\b")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("api", "frontend", "platform", "tenants")
        for path in (ROOT / folder).rglob("*.py")
        if path != ROOT / "api" / "errors.py" and pattern.search(path.read_text())
    ]
    assert offenders == []


def _raising(error: ServiceError):
    class Refusing(APIView):
        authentication_classes: list = []
        permission_classes = [AllowAny]
        throttle_classes: list = []

        def post(self, request):
            raise error

    return Refusing.as_view()


@pytest.mark.parametrize("error_class", MODULE_ERRORS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("kind", list(ErrorKind), ids=str)
def test_a_module_error_raised_in_a_view_becomes_the_standard_body(error_class, kind):
    # given: a view whose service refuses
    view = _raising(error_class("some_code", "Không được.", "title", kind=kind))
    # when
    response = view(APIRequestFactory().post("/", {}, format="json"))
    # then: the status of its kind and the API's one error body
    assert response.status_code == STATUS_OF_KIND[kind]
    body = {"code": "some_code", "message": "Không được.", "fields": {"title": ["Không được."]}}
    assert response.data == {"error": body}


def test_the_error_body_lists_several_fields():
    error = ContentError(
        "invalid_fields",
        "Một số trường không hợp lệ.",
        fields={"fields.event_at": ["Thiếu ngày."], "fields.location": ["Quá dài."]},
    )
    response = _raising(error)(APIRequestFactory().post("/", {}, format="json"))
    assert response.status_code == 400
    assert response.data["error"]["fields"] == {
        "fields.event_at": ["Thiếu ngày."],
        "fields.location": ["Quá dài."],
    }


class _RenameInput(serializers.Serializer):
    kind = serializers.CharField()


class _Thing:
    pk = 7


def _refuse_kind(*, thing, actor, kind):
    raise QaError("unknown_kind", f"Không có loại '{kind}'.", "deadline_kind")


class _ActionView(ServiceActionView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []
    input_class = _RenameInput
    service = staticmethod(_refuse_kind)
    resource_name = "thing"
    field_names = {"deadline_kind": "kind"}

    def get_resource(self, *, pk: int):
        return _Thing()

    def respond(self, result):
        return Response({"ok": True})


def test_the_base_action_view_names_the_fields_as_the_request_does():
    response = _ActionView.as_view()(
        APIRequestFactory().post("/", {"kind": "urgent"}, format="json"), pk=7
    )
    assert response.status_code == 400
    assert response.data == {
        "error": {
            "code": "unknown_kind",
            "message": "Không có loại 'urgent'.",
            "fields": {"kind": ["Không có loại 'urgent'."]},
        }
    }


# --- the web pages: the same errors, the same way -------------------------------------------


class _Form(forms.Form):
    title = forms.CharField(required=False)
    new_password1 = forms.CharField(required=False)


def _bound() -> _Form:
    form = _Form(data={})
    form.is_valid()
    return form


def test_a_refusal_goes_on_the_field_it_names_or_on_the_form():
    form = _bound()
    add_service_error(form, QaError("required", "Hãy nhập tiêu đề.", "title"))
    add_service_error(form, QaError("closed", "Đã đóng."))
    assert form.errors == {"title": ["Hãy nhập tiêu đề."], "__all__": ["Đã đóng."]}


def test_the_page_names_the_service_fields_its_own_way():
    form = _bound()
    error = AccountError("same_password", "Mật khẩu mới phải khác.", field="new_password")
    add_service_error(form, error, field_map={"new_password": "new_password1"})
    assert form.errors == {"new_password1": ["Mật khẩu mới phải khác."]}


def test_a_refusal_is_shown_in_the_language_of_the_page_from_the_service_message():
    # The service marks its message (ADR 0015, Translations); no page keeps a rewording.
    error = EditorialError("closed", gettext_lazy("Đã hết thời hạn góp ý."))
    with translation.override("vi"):
        vietnamese = _bound()
        add_service_error(vietnamese, error)
    with translation.override("en"):
        english = _bound()
        add_service_error(english, error)
    assert vietnamese.errors == {"__all__": ["Đã hết thời hạn góp ý."]}
    assert english.errors == {"__all__": ["The comment period has ended."]}


def test_a_web_page_answers_with_the_status_of_the_kind():
    assert http_status(QaError("not_open", "Đã đóng.", kind=ErrorKind.CONFLICT)) == 409
    assert http_status(QaError("not_allowed", "Không được.", kind=ErrorKind.FORBIDDEN)) == 403
