import pytest

from qa.services import topic_ensure


@pytest.fixture
def qa_province(province_schema):
    """Enter a province's schema with one topic routed to its first agency."""

    def enter(slug: str):
        site, staff = province_schema(slug)
        topic = topic_ensure(name="Đất đai", agency=site.agency)
        return site, staff, topic

    return enter
