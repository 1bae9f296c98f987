"""Helpers for the tests of the REST API: JSON requests, the one error body (api.errors) and a
province seen through its API with staff keys."""

from __future__ import annotations

from django_tenants.utils import schema_context

from editorial.models import Item
from editorial.services import item_create, item_transition
from organization.models import ComponentSite
from tests.conftest import host_client
from tests.factories.integrations import api_key
from tests.factories.organization import Staff


def post_json(client, path: str, body):
    """POST `body` as JSON (a dict or list is encoded; a str is sent as it is)."""
    return client.post(path, body, content_type="application/json")


def patch_json(client, path: str, body):
    """PATCH `body` as JSON (a dict or list is encoded; a str is sent as it is)."""
    return client.patch(path, body, content_type="application/json")


def error_of(response, status: int | None = None) -> dict:
    """The `error` of an error answer, which holds exactly code, message and fields (and the
    answer has that status, when one is given)."""
    if status is not None:
        assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


NEWS = {
    "kind": "news",
    "title": "Khai mạc Hội chợ xúc tiến thương mại",
    "summary": "Sáng nay, hội chợ khai mạc.",
    "body": "<p>Hội chợ có 200 gian hàng.</p>",
    "fields": {"event_at": "2026-11-24T09:00:00+07:00"},
}


class Newsroom:
    """A seed province seen through its API: the first component site's host, the portal's
    host, and staff holding a role there, each with an API key."""

    def __init__(self, province):
        self.province = province
        with self.inside():
            site = ComponentSite.objects.select_related("agency").order_by("pk").first()
            self.site_label, self.site_host = site.label, site.dev_host
            self._staff = Staff(site.agency)
        self.portal_host = f"{province.slug}.localhost"

    def inside(self):
        return schema_context(self.province.schema_name)

    def key(self, role: str, *, scopes=("read", "write")) -> str:
        with self.inside():
            user = self._staff.holding(role)
            return api_key(user, scopes=scopes)

    def client(self, key: str | None = None, *, portal: bool = False):
        host = self.portal_host if portal else self.site_host
        headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"} if key else {}
        return host_client(host, **headers)

    def items(self) -> int:
        with self.inside():
            return Item.objects.count()

    def published_item(self, *, title: str, author_role: str, publisher_role: str) -> int:
        """An item published on the component site through the services (test set-up)."""
        with self.inside():
            site = ComponentSite.objects.order_by("pk").first()
            author = self._staff.holding(author_role)
            item = item_create(actor=author, kind="news", title=title, site=site)
            item = item_transition(item=item, actor=author, decision="forward")
            item_transition(
                item=item, actor=self._staff.holding(publisher_role), decision="forward"
            )
            return item.pk
