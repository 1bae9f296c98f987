"""English versions exist only where the province's regulation provides them
(`language.english`: Hà Giang Art. 4(1), Thái Nguyên Art. 4(13), 7(1)); Bắc Kạn, Đồng Nai and
Huế publish in Vietnamese only."""

from __future__ import annotations

import pytest

from editorial.models import Item
from editorial.services import EditorialError, item_create
from tests.factories.editorial import item_author


def test_an_english_version_is_refused_where_the_regulation_provides_none(province_schema):
    # given a Vietnamese item on a Bắc Kạn component site (language.english = false)
    site, staff = province_schema("backan")
    author = item_author(staff)
    original = item_create(actor=author, kind="news", site=site, title="Lễ hội Lồng tồng")
    # when its English version is entered
    with pytest.raises(EditorialError) as refused:
        item_create(
            actor=author,
            kind="news",
            site=site,
            title="Long Tong festival",
            language="en",
            translation_of=original,
        )
    # then it is refused on the language field, and nothing is stored
    assert refused.value.code == "language_not_offered"
    assert refused.value.field == "language"
    assert "tiếng Anh" in refused.value.message
    assert not Item.objects.filter(language="en").exists()


def test_an_english_version_is_accepted_where_the_regulation_provides_one(province_schema):
    site, staff = province_schema("thainguyen")
    author = item_author(staff)
    original = item_create(actor=author, kind="news", site=site, title="Lễ hội Đền Đuổm")
    translation = item_create(
        actor=author,
        kind="news",
        site=site,
        title="Duom Temple festival",
        language="en",
        translation_of=original,
    )
    assert translation.language == "en"
    assert translation.translation_of == original
