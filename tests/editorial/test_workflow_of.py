"""`editorial.selectors.workflow_of`: the workflow of a site under the profile in force, for
callers outside the module (the demo seed, commands), which read no rules of their own."""

from __future__ import annotations

from core.profiles import current_profile
from editorial import rules
from editorial.selectors import workflow_of


def test_the_workflow_of_a_site_is_the_profiles_for_the_portal_or_for_component_sites(
    province_schema,
):
    site, _staff = province_schema("thuathienhue")
    profile = current_profile()
    assert workflow_of(site=None) == rules.workflow_for(profile, on_portal=True)
    assert workflow_of(site=site) == rules.workflow_for(profile, on_portal=False)
    assert workflow_of(site=site).key != workflow_of(site=None).key
