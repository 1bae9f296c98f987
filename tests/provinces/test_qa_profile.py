"""The Q&A part of the profile: who answers, what the pipeline receives (ADR 0007)."""

import pytest

from provinces.loader import ProfileError, parse_profile, resolve_profile, shipped_profile_paths


@pytest.mark.parametrize(
    ("slug", "intake"),
    [
        ("thainguyen", ["question"]),
        ("dongnai", ["question", "feedback"]),  # Đồng Nai Art. 2(3)(c)
        ("thuathienhue", ["question", "complaint"]),  # Huế Art. 13(1)
        ("hagiang", ["question"]),
        ("backan", ["question"]),
    ],
)
def test_intake_and_answer_role_per_province(slug, intake):
    profile = resolve_profile(slug)
    assert profile.qa.intake == intake
    role = profile.governance.role(profile.qa.answer_role)
    assert role is not None
    assert role.scope == "agency"


def _text(slug: str) -> str:
    path = next(p for p in shipped_profile_paths() if p.parent.name == slug)
    return path.read_text(encoding="utf-8")


def test_answer_role_must_be_an_agency_role():
    text = _text("thainguyen").replace('answer_role = "agency_head"', 'answer_role = "approver2"')
    with pytest.raises(ProfileError) as caught:
        parse_profile(text)
    assert any(path == "qa.answer_role" for path, _ in caught.value.errors)


def test_intake_must_include_questions():
    text = _text("thainguyen").replace('intake = ["question"]', 'intake = ["feedback"]')
    with pytest.raises(ProfileError) as caught:
        parse_profile(text)
    assert any(path == "qa.intake" for path, _ in caught.value.errors)
