"""API responses carrying a citizen's personal data are never cached: `Cache-Control` has
`no-store` and `private`, on every Q&A endpoint that returns an asker's contact details, the
text they wrote, or the tracking code that unlocks them; the public archive stays cacheable."""

from __future__ import annotations

import pytest
from django.urls import URLPattern
from django_tenants.utils import schema_context

from api.caching import NoStore
from api.permissions import IsProvinceStaff
from api.v1 import urls_qa
from organization.models import ComponentSite
from qa.services import answer_draft, topic_ensure
from tests.conftest import host_client
from tests.factories.api import post_json
from tests.factories.integrations import api_key
from tests.factories.organization import Staff
from tests.factories.qa import submitted

ASKER = {"name": "Trần Thị Riêng", "email": "rieng@example.vn", "phone": "0912 000 111"}


class Desk:
    def __init__(self, province):
        self.schema = province.schema_name
        with schema_context(self.schema):
            site = ComponentSite.objects.select_related("agency").order_by("pk").first()
            self.topic = topic_ensure(name="Đất đai", agency=site.agency)
            self.head = Staff(site.agency).holding("agency_head")
            self.key = api_key(self.head)
            self.question = submitted(self.topic, **ASKER)
            self.answer = answer_draft(question=self.question, author=self.head, text="Dự thảo.")
        self.staff = host_client("thainguyen.localhost", HTTP_AUTHORIZATION=f"Api-Key {self.key}")
        self.public = host_client("thainguyen.localhost", REMOTE_ADDR="192.0.2.77")


@pytest.fixture
def desk(tenant_db):
    return Desk(tenant_db["thainguyen"])


def _no_store(response) -> None:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= directives, (response.status_code, directives)


def test_staff_reads_of_a_question_are_no_store(desk):
    q = f"/api/v1/qa/questions/{desk.question.pk}/"
    detail = desk.staff.get(q)
    assert detail.status_code == 200, detail.content
    assert detail.json()["contact"]["email"] == ASKER["email"]  # what makes it personal
    _no_store(detail)
    _no_store(desk.staff.get(q + "events/"))
    inbox = desk.staff.get("/api/v1/qa/inbox/")
    assert inbox.status_code == 200
    _no_store(inbox)


def test_staff_actions_answering_with_the_question_are_no_store(desk):
    q = f"/api/v1/qa/questions/{desk.question.pk}/"
    _no_store(post_json(desk.staff, q + "answers/", {"text": "Trả lời", "submit": False}))
    _no_store(post_json(desk.staff, q + f"answers/{desk.answer.pk}/return/", {"comment": "Sửa"}))
    _no_store(post_json(desk.staff, q + "kind/", {"kind": "competence", "reason": "x"}))
    _no_store(post_json(desk.staff, q + "return/", {"reason": "Ngoài phạm vi"}))
    refused = post_json(desk.staff, q + "answer/", {"channel": "fax", "publish": False})
    assert refused.status_code == 400
    _no_store(refused)  # an error of such a view too


def test_the_askers_export_submission_and_tracking_are_no_store(desk):
    export = post_json(
        desk.public,
        "/api/v1/qa/export/",
        {"tracking_code": desk.question.tracking_code, "email": ASKER["email"]},
    )
    assert export.status_code == 200, export.content
    assert export.json()["phone"] == ASKER["phone"]
    _no_store(export)
    submitted = post_json(
        desk.public,
        "/api/v1/qa/questions/",
        {"topic": desk.topic.slug, "title": "T", "text": "Hỏi", "consent": True, **ASKER},
    )
    assert submitted.status_code == 201, submitted.content
    _no_store(submitted)
    _no_store(desk.public.get(f"/api/v1/qa/track/{desk.question.tracking_code}/"))


def test_the_public_archive_stays_cacheable(desk):
    response = desk.public.get("/api/v1/qa/answered/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_every_staff_qa_view_is_no_store():
    # a new staff endpoint cannot forget it
    for pattern in urls_qa.urlpatterns:
        assert isinstance(pattern, URLPattern)
        view = pattern.callback.view_class
        if IsProvinceStaff in view.permission_classes:
            assert issubclass(view, NoStore), view.__name__
