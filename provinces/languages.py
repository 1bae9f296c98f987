"""The languages a province's portal publishes in (the profile's `language` table).

Vietnamese always (`language.primary`); English only where the regulation provides an
English version (Hà Giang Art. 4(1), Thái Nguyên Art. 4(13), 7(1): translated "khi có đủ
điều kiện"). Pure Python: no Django here.
"""

from __future__ import annotations

from provinces.schema import Profile

ENGLISH = "en"


def content_languages(profile: Profile) -> tuple[str, ...]:
    """The languages items may be published in, the primary one first."""
    language = profile.language
    return (language.primary, ENGLISH) if language.english else (language.primary,)


def offers_english(profile: Profile) -> bool:
    return ENGLISH in content_languages(profile)
