"""Catalogue tests: a province's schema entered for the whole test (tests/conftest.py's
province_schema), with someone who may import procedures there."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.profiles import current_profile


@dataclass
class Desk:
    site: object  # the province's first component site
    agency: object  # its agency
    staff: object  # tests.factories.organization.Staff
    importer: object  # holds the first step's role of the portal workflow


@pytest.fixture
def catalogue_desk(province_schema):
    """Enter a province (`catalogue_desk("thainguyen")`) and make an importer there."""

    def enter(slug: str) -> Desk:
        site, staff = province_schema(slug)
        role = current_profile().governance.workflows.portal.steps[0].role
        return Desk(site=site, agency=site.agency, staff=staff, importer=staff.holding(role))

    return enter
