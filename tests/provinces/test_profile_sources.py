"""Sourcing is honest (ADR 0005): where a profile value is the platform's reading of an
article rather than its words, its source says so and names the ADR that records the reading.
Checked against the seed texts (/work/shared/seeds): pure Python, no Django."""

from __future__ import annotations

import re

import pytest

from provinces.loader import PROFILES_DIR, load_profile
from provinces.schema import PLATFORM_DEFAULT, source_problem

SLUGS = ("backan", "dongnai", "hagiang", "thainguyen", "thuathienhue")
READING = "platform reading, ADR 0005"


def _profile(slug: str):
    return load_profile(sorted((PROFILES_DIR / slug).glob("*.toml"))[-1])


def _step(workflow, code):
    return next(step for step in workflow.steps if step.code == code)


def test_ha_giang_publishing_roles_are_marked_as_the_platforms_reading():
    # QĐ 19/2015 Art. 12(4) only says the board divides its own work; Art. 15(2) names its
    # head. Who edits and who publishes is the platform's reading.
    governance = _profile("hagiang").governance
    portal, site = governance.workflows.portal, governance.workflows.component_site
    assert (
        governance.role("board_editor").source
        == f"QĐ 19/2015 Art. 12(4) (members editing: {READING})"
    )
    assert (
        governance.role("board_head").source
        == f"QĐ 19/2015 Art. 15(2) (the head publishing: {READING})"
    )
    assert _step(portal, "edit").source == f"QĐ 19/2015 Art. 12(4) ({READING})"
    assert _step(portal, "publish").source == f"QĐ 19/2015 Art. 12(4), 15(2) ({READING})"
    assert _step(site, "publish").source == f"QĐ 19/2015 Art. 6(3), 8(2) ({READING})"
    # the focal point's submission is the text's own words (Art. 6(2), 10)
    assert _step(portal, "submit").source == "QĐ 19/2015 Art. 6(2), 10"


def test_thai_nguyen_portal_approver_step_is_marked_as_the_platforms_reading():
    # Art. 17(2) names the access level "kiểm duyệt"; Art. 6(3) the editor-in-chief's approval.
    portal = _profile("thainguyen").governance.workflows.portal
    assert _step(portal, "approve").source == (
        f"QĐ 40/2012 Art. 16(1)(c), 17(2) (a step before the editor-in-chief: {READING})"
    )
    assert _step(portal, "publish").source == "QĐ 40/2012 Art. 6(3), 16(2)"


def test_readings_of_deadline_words_name_their_adr():
    # "cập nhật kịp thời" (Hà Giang Art. 8(4)) is not "ngay": reading it as immediately is ours.
    assert _profile("hagiang").sla("procedure_change").source == (
        f"QĐ 19/2015 Art. 8(4) (“kịp thời” read as immediately: {READING})"
    )
    # "chậm nhất vào ngày 30 hàng tháng" (Thái Nguyên Art. 10(2)) read as 30 days after the period
    assert _profile("thainguyen").sla("statistics").source.endswith(f": {READING})")
    # Bắc Kạn Art. 4(3) only says "theo quy định của pháp luật": which law is our reading
    assert _profile("backan").sla("general").source.endswith(READING)
    # Thái Nguyên Art. 8(3) "tin hoạt động tiêu biểu" read as news marked featured
    for quota in _profile("thainguyen").quotas:
        assert quota.source == "QĐ 40/2012 Art. 8(3)"
        assert quota.source_of("item_kinds").endswith(f": {READING})")


@pytest.mark.parametrize("slug", SLUGS)
def test_a_source_that_says_reading_names_the_adr_and_every_source_is_accepted(slug):
    profile = _profile(slug)
    sources = [
        *(role.source for role in profile.governance.roles),
        *(body.source for body in profile.governance.bodies),
        *(
            source
            for workflow in profile.governance.workflows.values()
            for source in (workflow.source, *(step.source for step in workflow.steps))
        ),
        *(sla.source for sla in profile.update_slas),
        *(quota.source for quota in profile.quotas),
        *(source for quota in profile.quotas for source in quota.field_sources.values()),
    ]
    for source in sources:
        assert source_problem(source) is None, source
        if "reading" in source and source != PLATFORM_DEFAULT:
            assert re.search(r"ADR \d{4}", source), source
