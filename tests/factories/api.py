"""Helpers for the tests of the REST API: JSON requests and the one error body (api.errors)."""

from __future__ import annotations


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
