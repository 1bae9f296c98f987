"""Documents for the search tests, pushed through search.services like a module pushes them."""

from __future__ import annotations

import itertools

import pytest

from search.services import document_upsert
from tests.factories.provinces import vn

_ids = itertools.count(1)


def pushed(title: str, /, **fields) -> dict:
    """A document pushed by a test source (a news item on the portal, 1 January 2026, unless
    `fields` say otherwise); returns what was pushed, url included."""
    number = fields.pop("source_id", None) or next(_ids)
    document = {
        "source": "tests.page",
        "source_id": number,
        "kind": "news",
        "title": title,
        "text": "",
        "url": f"/bai-viet/tai-lieu-{number}/",
        "site_id": None,
        "language": "vi",
        "published_at": vn(2026, 1, 1, 9),
        **fields,
    }
    document_upsert(**document)
    return document


@pytest.fixture
def hagiang(province_schema):
    """Inside Hà Giang's schema: (its first component site, a Staff maker)."""
    return province_schema("hagiang")
