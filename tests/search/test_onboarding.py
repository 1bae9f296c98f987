"""A province onboarded by cloning the template schema searches like one migrated: the
generated columns, the fold function and the indexes survive django-tenants' clone."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from provinces.loader import resolve_profile
from search.models import Document
from search.selectors import search
from tenants.services import province_onboard
from tests.search.conftest import pushed

INDEXES = {
    "search_doc_vector",
    "search_doc_title_vector",
    "search_doc_trgm",
    "search_doc_kind_date",
    "search_doc_site_kind",
}


def _new_province(slug: str):
    base = resolve_profile("hagiang")
    profile = base.model_copy(
        update={
            "province": base.province.model_copy(update={"slug": slug, "name": "Tỉnh Thử"}),
            "domains": base.domains.model_copy(
                update={
                    "portal": f"{slug}.gov.vn",
                    "aliases": [],
                    "component_host_pattern": "{label}." + f"{slug}.gov.vn",
                    "alternate_host_patterns": [],
                }
            ),
        }
    )
    return province_onboard(profile=profile, dev_hosts=False, shipped_only=False).province


def _generated_columns(schema: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, generation_expression FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s AND is_generated = 'ALWAYS'",
            [schema, Document._meta.db_table],
        )
        return dict(cursor.fetchall())


def _indexes(schema: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = %s",
            [schema, Document._meta.db_table],
        )
        return dict(cursor.fetchall())


@pytest.mark.parametrize("typed", ["đất đai", "dat dai", "dat daii"])
def test_a_cloned_province_finds_with_and_without_diacritics(tenant_db, typed):
    # given a province onboarded now, its schema cloned from the migrated template
    province = _new_province("timkiem")
    template_columns = _generated_columns("province_template")
    # then its documents table has the same generated columns and indexes as the template
    assert _generated_columns(province.schema_name) == template_columns
    assert set(template_columns) == {"title_folded", "title_vector", "vector"}
    assert "portal_fold" in template_columns["vector"]
    indexes = _indexes(province.schema_name)
    assert set(indexes) >= INDEXES
    assert "gin_trgm_ops" in indexes["search_doc_trgm"]
    # and it finds its own documents, never another province's
    with schema_context("p_hagiang"):
        pushed("Đất đai Hà Giang")
    with schema_context(province.schema_name):
        pushed("Luật Đất đai năm 2024")
        assert [str(hit.title) for hit in search(query=typed).hits] == ["Luật Đất đai năm 2024"]


def test_the_search_plan_uses_the_indexes(tenant_db, in_province):
    with in_province("thainguyen"):
        for number in range(300):
            pushed(f"Tin số {number}", text="Nội dung thường lệ")
        pushed("Đất đai")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(
                "EXPLAIN SELECT id FROM search_document "
                "WHERE vector @@ websearch_to_tsquery('simple', public.portal_fold('đất đai'))"
            )
            full_text = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute(
                "EXPLAIN SELECT id FROM search_document "
                "WHERE public.portal_fold('dat daii') <% title_folded"
            )
            trigram = " ".join(row[0] for row in cursor.fetchall())
    assert "search_doc_vector" in full_text
    assert "search_doc_trgm" in trigram
