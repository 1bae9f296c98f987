"""The catalogue as citizens read it (catalog.selectors): the published procedures of the portal
or of one agency's component site, narrowed by field, agency, level and online service, searched
by words with or without diacritics and with a one-letter typo; the counts of each filter's
values; one procedure by its code, and its versions with their effective dates."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import TestCase

from catalog.selectors import (
    FilterError,
    ProcedureFilters,
    procedure_facets,
    procedure_versions,
    procedures_listed,
    public_procedure,
    public_procedures,
)
from editorial.models import Item
from editorial.services import item_transition, item_unpublish, item_update
from organization.models import Agency
from search.selectors import matching_source_ids
from search.services import SearchError
from tests.factories.catalog import procedure_entered, procedure_fields, procedure_published
from tests.factories.editorial import Desk, item_author, run_to_the_end


@pytest.fixture
def thainguyen(province_schema):
    """Thái Nguyên's first component site, a Staff maker, and another agency of the province."""
    site, staff = province_schema("thainguyen")
    other = Agency.objects.exclude(pk=site.agency_id).order_by("pk").first()
    return site, staff, other


def codes(items) -> list[str]:
    return [item.code for item in items]


def test_the_catalogue_lists_only_published_procedures_by_name(thainguyen):
    # given two published procedures, one entered but not published, and a news item
    site, staff, _other = thainguyen
    procedure_published(staff, code="1.000002", title="Đăng ký hộ kinh doanh")
    procedure_published(staff, code="1.000001", title="Cấp giấy phép xây dựng")
    procedure_entered(staff, code="1.000003", title="Cấp phép khai thác nước ngầm")
    Desk(staff, site).publish(title="Tin hoạt động", on_portal=True)
    # when
    items = public_procedures(site=None, filters=ProcedureFilters())
    # then the published procedures, by name, nothing else
    assert codes(items) == ["1.000001", "1.000002"]
    assert procedures_listed(site=None)


def test_each_filter_narrows_the_list_and_the_facets_count_the_values(thainguyen):
    # given procedures of two agencies, two fields, two levels and three online services
    site, staff, other = thainguyen
    procedure_published(staff, code="A.1", title="Cấp giấy phép xây dựng", online_level="level4")
    procedure_published(
        staff, code="A.2", title="Điều chỉnh giấy phép xây dựng", online_level="level3"
    )
    procedure_published(
        staff,
        code="B.1",
        title="Đăng ký khai sinh",
        agency=other,
        field="Hộ tịch",
        level="commune",
    )

    # when / then each filter alone
    def listed(**filters) -> list[str]:
        return sorted(codes(public_procedures(site=None, filters=ProcedureFilters(**filters))))

    assert listed(field="Hộ tịch") == ["B.1"]
    assert listed(agency=other.pk) == ["B.1"]
    assert listed(agency=site.agency_id) == ["A.1", "A.2"]
    assert listed(level="commune") == ["B.1"]
    assert listed(level="province") == ["A.1", "A.2"]
    assert listed(online="none") == ["B.1"]
    assert listed(online="any_online") == ["A.1", "A.2"]
    assert listed(online="level4") == ["A.1"]
    assert listed(online="full") == []
    assert listed(field="Hoạt động xây dựng", online="level3") == ["A.2"]
    # and the facets count the values of the current results, with their labels
    facets = procedure_facets(items=public_procedures(site=None, filters=ProcedureFilters()))
    assert facets.total == 3
    assert [(f.value, f.count) for f in facets.fields] == [
        ("Hoạt động xây dựng", 2),
        ("Hộ tịch", 1),
    ]
    assert [(f.value, f.label, f.count) for f in facets.agencies] == [
        (str(site.agency_id), site.agency.name, 2),
        (str(other.pk), other.name, 1),
    ]
    assert [(f.label, f.count) for f in facets.levels] == [("Cấp tỉnh", 2), ("Cấp xã", 1)]
    assert [(f.value, f.label, f.count) for f in facets.online_levels] == [
        ("level3", "Mức độ 3", 1),
        ("level4", "Mức độ 4", 1),
        ("none", "Không có dịch vụ công trực tuyến", 1),
    ]
    narrowed = procedure_facets(
        items=public_procedures(site=None, filters=ProcedureFilters(level="commune"))
    )
    assert narrowed.total == 1
    assert [(f.value, f.count) for f in narrowed.fields] == [("Hộ tịch", 1)]


def test_a_component_site_lists_its_own_agencys_procedures_wherever_they_were_entered(
    thainguyen,
):
    # given one procedure of the site's agency entered on the portal, one entered on the site,
    # and one of another agency
    site, staff, other = thainguyen
    procedure_published(staff, code="S.1", title="Thủ tục nhập trên Cổng", agency=site.agency)
    procedure_published(staff, code="S.2", title="Thủ tục nhập trên trang thành phần", site=site)
    procedure_published(staff, code="O.1", title="Thủ tục của cơ quan khác", agency=other)
    # when
    on_site = codes(public_procedures(site=site, filters=ProcedureFilters()))
    on_portal = codes(public_procedures(site=None, filters=ProcedureFilters()))
    # then the site lists its agency's two; the portal the province's three
    assert sorted(on_site) == ["S.1", "S.2"]
    assert sorted(on_portal) == ["O.1", "S.1", "S.2"]
    assert public_procedure(code="O.1", site=site) is None
    assert public_procedure(code="O.1", site=None).code == "O.1"


@pytest.mark.parametrize(
    "query",
    [
        "cap giay phep xay dung",  # without diacritics
        "Cấp giấy phép xây dựng",  # with them
        "giay phep xay dunh",  # a one-letter typo
        "GIẤY PHÉP",  # any case
    ],
)
def test_words_find_a_procedure_with_or_without_diacritics_and_with_a_typo(thainguyen, query):
    # given
    _site, staff, _other = thainguyen
    procedure_published(staff, code="1.009994", title="Cấp giấy phép xây dựng")
    procedure_published(
        staff,
        code="1.001234",
        title="Đăng ký kết hôn",
        field="Hộ tịch",
        result="Giấy chứng nhận kết hôn",
        legal_basis="Luật Hộ tịch năm 2014",
    )
    # when
    items = public_procedures(site=None, filters=ProcedureFilters(query=query))
    # then
    assert codes(items) == ["1.009994"]


def test_words_rank_the_best_match_first_and_combine_with_the_filters(thainguyen):
    # given a procedure named by the words and one that only mentions them in its result
    _site, staff, other = thainguyen
    procedure_published(
        staff, code="R.2", title="Thẩm định thiết kế", result="Văn bản thẩm định, giấy phép"
    )
    procedure_published(staff, code="R.1", title="Cấp giấy phép xây dựng")
    procedure_published(staff, code="R.3", title="Cấp giấy phép lái xe", agency=other)
    # when
    found = codes(public_procedures(site=None, filters=ProcedureFilters(query="giấy phép")))
    narrowed = codes(
        public_procedures(site=None, filters=ProcedureFilters(query="giấy phép", agency=other.pk))
    )
    # then the titles that have the words come first, the rest after; filters still apply
    assert set(found[:2]) == {"R.1", "R.3"}
    assert found[2:] == ["R.2"]
    assert narrowed == ["R.3"]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"level": "district"}, "level"),
        ({"online": "level9"}, "online"),
        ({"field": "x" * 201}, "field"),
        ({"field": "nul\x00"}, "field"),
        ({"agency": 0}, "agency"),
        ({"query": "x " * 150}, "query"),  # more than 200 characters
        ({"query": "a b c d e f g h i j k l"}, "query"),  # more than 10 words
        ({"query": "!!!"}, "query"),  # no word to look for
    ],
)
def test_filters_that_cannot_be_read_are_refused(thainguyen, filters, field):
    with pytest.raises(FilterError) as refused:
        list(public_procedures(site=None, filters=ProcedureFilters(**filters)))
    assert refused.value.field == field
    assert refused.value.message


def test_the_search_returns_a_bounded_list_of_ids_of_the_kind_asked(thainguyen):
    # given three procedures and a news item with the same words
    site, staff, _other = thainguyen
    ids = [
        procedure_published(staff, code=f"L.{n}", title=f"Cấp giấy phép số {n}").pk
        for n in range(3)
    ]
    with TestCase.captureOnCommitCallbacks(execute=True):
        Desk(staff, site).publish(title="Cấp giấy phép tin tức", on_portal=True)
    # when
    found = matching_source_ids(
        query="cap giay phep", source="editorial.item", kinds=["procedure"], limit=2
    )
    everything = matching_source_ids(
        query="cap giay phep", source="editorial.item", kinds=["procedure"]
    )
    # then
    assert len(found) == 2
    assert set(found) <= set(ids)
    assert sorted(everything) == sorted(ids)
    with pytest.raises(SearchError):
        matching_source_ids(query="x" * 201, source="editorial.item", kinds=["procedure"])


def test_a_procedure_no_longer_published_is_found_by_its_code_as_gone(thainguyen):
    # given a published procedure taken down (abolished), and one never published
    site, staff, _other = thainguyen
    item = procedure_published(staff, code="G.1", title="Thủ tục đã bãi bỏ")
    procedure_entered(staff, code="G.2", title="Thủ tục chưa công bố")
    publisher = Desk(staff, site).publisher()  # the portal's publishing step
    item_unpublish(item=item, actor=publisher, reason="Bãi bỏ theo Quyết định 99/QĐ-UBND")
    # when
    gone = public_procedure(code="G.1", site=None)
    # then the first is there but not public; the second, and an unknown code, are not
    assert gone is not None
    assert gone.status == Item.Status.UNPUBLISHED
    assert not gone.is_public
    assert public_procedure(code="G.2", site=None) is None
    assert public_procedure(code="KHONG-CO", site=None) is None
    assert public_procedure(code="x" * 61, site=None) is None
    assert codes(public_procedures(site=None, filters=ProcedureFilters())) == []


def test_each_published_version_is_kept_with_its_effective_date_newest_first(thainguyen):
    # given a procedure published in force from 1 March 2026, then a new version from 1 July
    _site, staff, _other = thainguyen
    item = procedure_published(staff, code="V.1", title="Cấp giấy phép xây dựng")
    first = item.published_revision
    author = item_author(staff, on_portal=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        item = item_update(
            item=item,
            actor=author,
            fields=procedure_fields(code="V.1", effective_on="2026-07-01", fees="500.000 đồng"),
        )
        item = item_transition(item=item, actor=author, decision="forward")
        item = run_to_the_end(item, staff=staff, agency=item.agency)
    item.refresh_from_db()
    # when
    versions = procedure_versions(item=item)
    # then the new version first, the earlier one kept with its date
    assert [(revision.pk, effective_on) for revision, effective_on in versions] == [
        (item.published_revision_id, date(2026, 7, 1)),
        (first.pk, date(2026, 3, 1)),
    ]
    assert item.published_revision.fields["fees"] == "500.000 đồng"
