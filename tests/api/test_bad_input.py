"""Bad input never reaches a 500: every input the API parses is bounded (JSON depth, NUL bytes,
pagination cursors, dates, an uploaded profile's nesting) and a refusal is a 400 in the API's
error format, with nothing stored."""

from __future__ import annotations

import itertools
import json

import pytest
from django_tenants.utils import schema_context

from accounts.services import user_create_with_secret
from editorial.content import ContentError, clean_fields
from editorial.models import Item
from editorial.services import item_create, item_transition
from organization.models import ComponentSite
from qa.models import Question
from qa.services import topic_ensure
from tests.conftest import host_client
from tests.factories.api import error_of, post_json
from tests.factories.integrations import api_key
from tests.factories.organization import Staff
from tests.factories.qa import submitted

_addresses = itertools.count(1)
YEAR_ONE = "0001-01-01T00:00:00+07:00"
DEEP_JSON = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


class Desk:
    """A seed province through its API: staff keys on the first component site's host."""

    def __init__(self, province):
        self.province = province
        with self.inside():
            self.site = ComponentSite.objects.select_related("agency").order_by("pk").first()
            self.staff = Staff(self.site.agency)
            self.topic = topic_ensure(name="Đất đai", agency=self.site.agency)

    def inside(self):
        return schema_context(self.province.schema_name)

    def key(self, role: str) -> str:
        with self.inside():
            return api_key(self.staff.holding(role, agency=self.site.agency))

    def client(self, key: str | None = None):
        headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"} if key else {}
        return host_client(
            self.site.dev_host, REMOTE_ADDR=f"203.0.113.{next(_addresses)}", **headers
        )

    def question(self) -> int:
        with self.inside():
            return submitted(self.topic).pk

    def item(self, *, published: bool = False) -> int:
        with self.inside():
            author = self.staff.holding("updater")
            item = item_create(actor=author, kind="news", title="Tin", site=self.site)
            item = item_transition(item=item, actor=author, decision="forward")
            if published:
                item_transition(item=item, actor=self.staff.holding("approver"), decision="forward")
            return item.pk


@pytest.fixture
def desk(tenant_db):
    return Desk(tenant_db["thainguyen"])


# --- JSON bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/qa/questions/", "/api/v1/qa/export/"])
@pytest.mark.parametrize("raw", [DEEP_JSON, DEEP_OBJECT], ids=["array", "object"])
def test_json_nested_1000_deep_is_a_400_without_signing_in(desk, path, raw):
    before = _questions(desk)
    error = error_of(post_json(desk.client(), path, raw), 400)
    assert error["code"] == "parse_error"
    assert _questions(desk) == before


def test_json_depth_is_bounded_on_every_api_view(desk):
    # an editorial write, signed in with a key: the same parser refuses it
    key = desk.key("updater")
    body = json.dumps({"kind": "news", "title": "Tin", "fields": {"x": [[[[[[[[]]]]]]]]}})
    deep = body.replace("[[[[[[[[]]]]]]]]", "[" * 200 + "]" * 200)
    assert (
        error_of(post_json(desk.client(key), "/api/v1/items/", deep), 400)["code"] == "parse_error"
    )
    # and a procedure's, with a catalogue key
    with desk.inside():
        catalogue = api_key(desk.staff.holding("updater"), scopes=["catalogue"])
    deep = deep.replace('"kind": "news", "title"', '"name"')
    response = post_json(desk.client(catalogue), "/api/v1/procedures/", deep)
    assert error_of(response, 400)["code"] == "parse_error"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{}", "application/json; charset=bogus"),
        (b"\xff\xfe{", "application/json"),
        (b'{"a": NaN}', "application/json"),
        (b"--x\r\n", "multipart/form-data; boundary=x"),
        (b"--x\r\n", "multipart/form-data"),
    ],
    ids=["unknown-charset", "not-utf8", "nan", "cut-multipart", "no-boundary"],
)
def test_a_body_that_cannot_be_read_is_a_400(desk, body, content_type):
    response = desk.client().generic(
        "POST", "/api/v1/qa/questions/", body, content_type=content_type
    )
    assert error_of(response, 400)["code"] in {"parse_error", "validation_error"}


def _questions(desk) -> int:
    with desk.inside():
        return Question.objects.count()


@pytest.mark.parametrize(
    "fields",
    [
        {"location": "Hội\u0000trường", "event_at": "2026-11-24T09:00:00+07:00"},
        {"event_at": "2026-11-24T09:00:00+07:00", "x\u0000": 1},
        {"event_at": "2026-11-24T09:00:00+07:00", "entries": [{"a": ["\u0000"]}]},
    ],
    ids=["value", "key", "nested"],
)
def test_a_nul_byte_inside_an_items_fields_is_a_400_and_nothing_is_stored(desk, fields):
    key = desk.key("updater")
    with desk.inside():
        before = Item.objects.count()
    body = json.dumps({"kind": "event", "title": "Hội nghị", "fields": fields})
    error = error_of(post_json(desk.client(key), "/api/v1/items/", body), 400)
    assert error["code"] == "nul_byte"
    assert any(name.startswith("fields") for name in error["fields"]), error
    with desk.inside():
        assert Item.objects.count() == before


def test_clean_fields_refuses_a_nul_byte_for_every_caller():
    # the web forms call the same function: the check is in the module, not only the API
    with pytest.raises(ContentError) as refused:
        clean_fields("event", {"event_at": "2026-11-24T09:00:00+07:00", "location": "a\x00b"})
    assert refused.value.code == "invalid_fields"
    assert "fields.location" in refused.value.fields


# --- pagination cursors ---------------------------------------------------------------------


PAGED = [("/api/v1/items/", False), ("/api/v1/qa/answered/", False), ("/api/v1/qa/inbox/", True)]
# Ordered by a text (the procedure's name): any position reads as one, so not in the date test.
PAGED_BY_TEXT = [("/api/v1/procedures/", False)]


@pytest.mark.parametrize(
    "cursor",
    ["cD0n", "cD0xOTAwLTAxLTAxIDAwOjAwOjAw", "!!!", "cj1hYmM=", "cD0lMDA=", "w6k="],
    ids=["quote", "naive-date", "not-base64", "bad-reverse", "nul", "not-ascii"],
)
@pytest.mark.parametrize(("path", "staff"), PAGED)
def test_a_crafted_cursor_is_a_400(desk, path, staff, cursor):
    client = desk.client(desk.key("agency_head") if staff else None)
    error = error_of(client.get(path, {"cursor": cursor}), 400)
    assert error["code"] == "invalid_cursor"
    assert "cursor" in error["fields"]


@pytest.mark.parametrize(
    "cursor",
    ["!!!", "cj1hYmM=", "cD0lMDA=", "w6k="],
    ids=["not-base64", "bad-reverse", "nul", "not-ascii"],
)
@pytest.mark.parametrize(("path", "staff"), PAGED_BY_TEXT)
def test_a_crafted_cursor_on_a_text_ordering_is_a_400(desk, path, staff, cursor):
    error = error_of(desk.client().get(path, {"cursor": cursor}), 400)
    assert error["code"] == "invalid_cursor"


@pytest.mark.parametrize(("path", "staff"), PAGED[1:])
def test_a_number_where_the_ordering_is_a_date_is_a_400(desk, path, staff):
    client = desk.client(desk.key("agency_head") if staff else None)
    assert error_of(client.get(path, {"cursor": "cD0w"}), 400)["code"] == "invalid_cursor"  # p=0


@pytest.mark.parametrize(("path", "staff"), PAGED + PAGED_BY_TEXT)
def test_a_huge_offset_is_capped_not_an_error(desk, path, staff):
    client = desk.client(desk.key("agency_head") if staff else None)
    response = client.get(path, {"cursor": "bz05OTk5OTk5OQ=="})  # o=99999999
    assert response.status_code == 200, response.content


def test_a_real_cursor_still_pages(desk):
    with desk.inside():
        for _ in range(3):
            desk.question()
    client = desk.client(desk.key("agency_head"))
    first = client.get("/api/v1/qa/inbox/", {"page_size": 2})
    assert first.status_code == 200, first.content
    following = client.get(first.json()["next"])
    assert following.status_code == 200, following.content
    assert len(first.json()["results"]) + len(following.json()["results"]) >= 3


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("when", [YEAR_ONE, "9999-12-31T23:59:59+07:00", "1899-12-31T12:00:00Z"])
def test_dates_out_of_range_are_a_400_on_item_schedules(desk, when):
    approver = desk.client(desk.key("approver"))
    waiting = desk.item()
    published = desk.item(published=True)

    schedule = post_json(
        approver,
        f"/api/v1/items/{waiting}/transitions/",
        json.dumps({"decision": "forward", "publish_at": when}),
    )
    assert "publish_at" in error_of(schedule, 400)["fields"]
    unpublish = post_json(
        approver, f"/api/v1/items/{published}/unpublish-schedule/", json.dumps({"at": when})
    )
    assert "at" in error_of(unpublish, 400)["fields"]
    with desk.inside():
        assert Item.objects.get(pk=waiting).publish_at is None
        assert Item.objects.get(pk=published).unpublish_at is None


@pytest.mark.parametrize("when", [YEAR_ONE, "9999-12-31T23:59:59+07:00"])
def test_dates_out_of_range_are_a_400_on_appointments_and_progress_notices(desk, when):
    head = desk.client(desk.key("agency_head"))
    question = desk.question()

    appointment = post_json(
        head, f"/api/v1/qa/questions/{question}/appointment/", json.dumps({"at": when})
    )
    assert "at" in error_of(appointment, 400)["fields"]
    progress = post_json(
        head,
        f"/api/v1/qa/questions/{question}/progress/",
        json.dumps({"new_due": when, "text": "Đang xác minh."}),
    )
    assert "new_due" in error_of(progress, 400)["fields"]
    with desk.inside():
        stored = Question.objects.get(pk=question)
        assert (stored.appointment_at, stored.progress_due_at) == (None, None)


# --- the operator's profile upload ------------------------------------------------------------


@pytest.fixture
def operator_client(tenant_db):
    issued = user_create_with_secret(username="operator_bad_input", full_name="Vận hành")
    issued.user.must_change_password = False
    issued.user.save()
    key = api_key(issued.user, name="console", scopes=["operator"])
    return host_client("platform.localhost", HTTP_AUTHORIZATION=f"Api-Key {key}")


@pytest.mark.parametrize(
    "toml",
    [
        "a = " + "[" * 1000 + "]" * 1000,
        "a = " + "{b = " * 1000 + "1" + "}" * 1000,
        "a = " + "[" * 60 + "]" * 60,
    ],
    ids=["arrays", "inline-tables", "sixty-deep"],
)
def test_a_deeply_nested_profile_toml_is_a_400(operator_client, toml):
    response = post_json(
        operator_client, "/api/v1/operator/provinces/", json.dumps({"profile_toml": toml})
    )
    error = error_of(response, 400)
    assert error["code"] == "invalid_profile"
    assert "profile_toml" in error["fields"]


def test_the_toml_depth_scan_ignores_brackets_in_strings_and_comments():
    from api.v1.operator import toml_nesting

    assert toml_nesting("a = \"[[[[{{{\"  # [[[[[[\nb = '[[['\n[c.d]\nx = [{y = 1}]") == 2
    assert toml_nesting('s = """\n[[[[\n"""\n[[t]]') == 2
    assert toml_nesting('e = "\\"[[["') == 0


# --- the same inputs through the staff's HTML form ----------------------------------------------


@pytest.mark.parametrize(
    "entries", ["[" * 1000 + "]" * 1000, '[{"day": "\\u0000"}]'], ids=["deep", "nul"]
)
def test_the_staff_item_forms_json_list_refuses_deep_or_nul_json_with_a_400(desk, entries):
    from frontend.editorial_forms import FIELD_PREFIX

    with desk.inside():
        author = desk.staff.holding("updater")
        before = Item.objects.count()
    client = host_client(desk.site.dev_host)
    with desk.inside():
        client.force_login(author)
    response = client.post(
        f"/staff/items/new/?kind=leader_schedule&site={desk.site.label}",
        {"title": "Lịch công tác", "language": "vi", FIELD_PREFIX + "entries": entries},
    )
    assert response.status_code == 400
    with desk.inside():
        assert Item.objects.count() == before


def test_every_date_a_client_sends_is_bounded():
    """Input serializers (named …Input) take dates only through the bounded fields."""
    import importlib
    import inspect
    import pkgutil

    from rest_framework import serializers

    import api.v1
    from api.fields import BoundedDateField, BoundedDateTimeField

    unbounded = []
    for module_info in pkgutil.iter_modules(api.v1.__path__):
        module = importlib.import_module(f"api.v1.{module_info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not (issubclass(cls, serializers.Serializer) and name.endswith("Input")):
                continue
            for field_name, field in cls().fields.items():
                if isinstance(field, serializers.DateTimeField | serializers.DateField) and (
                    not isinstance(field, BoundedDateTimeField | BoundedDateField)
                ):
                    unbounded.append(f"{module.__name__}.{name}.{field_name}")
    assert unbounded == []
