"""Onboarding from the profile alone: idempotent, hosts generated and checked."""

import tomllib

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from accounts.models import User
from organization.models import Agency, ComponentSite, Role
from provinces.loader import PROFILES_DIR, resolve_profile
from tenants.models import Domain, Province
from tenants.services import OnboardingError, plan_sites, province_onboard


def _snapshot(province):
    with schema_context(province.schema_name):
        return (
            sorted(Agency.objects.values_list("name", "short_name", "kind")),
            sorted(ComponentSite.objects.values_list("label", "host", "dev_host")),
            sorted(Role.objects.values_list("code", "name", "scope")),
            sorted(User.objects.values_list("username", "password")),
        ), sorted(Domain.objects.filter(tenant=province).values_list("domain", "kind"))


def test_onboarding_twice_changes_nothing(tenant_db):
    province = tenant_db["thainguyen"]
    before = _snapshot(province)
    result = province_onboard(profile=resolve_profile("thainguyen"), dev_hosts=True)
    assert result.created is False
    assert result.changes == []
    assert result.admin_secret is None
    assert _snapshot(province) == before


def test_onboarding_creates_sites_roles_and_admin_from_profile(tenant_db):
    profile = resolve_profile("hagiang")
    with schema_context(tenant_db["hagiang"].schema_name):
        hosts = set(ComponentSite.objects.values_list("host", flat=True))
        roles = set(Role.objects.values_list("code", flat=True))
        admin = User.objects.get(is_superuser=True)
    assert "stttt.hagiang.gov.vn" in hosts
    assert roles == {role.code for role in profile.governance.roles}
    assert admin.must_change_password is True
    domains = set(
        Domain.objects.filter(tenant=tenant_db["hagiang"]).values_list("domain", flat=True)
    )
    assert {"hagiang.gov.vn", "hagiang.localhost", "stttt.hagiang.localhost"} <= domains


def test_component_hosts_follow_the_profile_pattern_without_diacritics(tenant_db):
    for slug in tenant_db:
        profile = resolve_profile(slug)
        for site in plan_sites(profile, dev_hosts=True):
            assert site.host.isascii()
            prefix, suffix = profile.domains.component_host_pattern.split("{label}")
            assert site.host == f"{prefix}{site.label}{suffix}"


def test_colliding_hosts_are_refused_and_nothing_is_stored(tenant_db):
    profile = resolve_profile("hagiang")
    twin = replace_agencies(
        profile,
        [
            profile.agencies[0],
            profile.agencies[0].model_copy(update={"name": profile.agencies[0].name + " 2"}),
        ],
    )
    before = Province.objects.count()
    with pytest.raises(OnboardingError) as caught:
        province_onboard(
            profile=twin.model_copy(
                update={"province": twin.province.model_copy(update={"slug": "hagiangtwin"})}
            ),
            dev_hosts=True,
        )
    assert caught.value.code == "host_collision"
    assert "agencies[1]" in caught.value.message
    assert Province.objects.count() == before


def test_host_of_another_province_is_refused(tenant_db):
    profile = resolve_profile("backan")
    stolen = profile.model_copy(
        update={
            "province": profile.province.model_copy(update={"slug": "backanbis"}),
            "domains": profile.domains.model_copy(update={"portal": "hagiang.gov.vn"}),
        }
    )
    with pytest.raises(OnboardingError) as caught:
        province_onboard(profile=stolen, dev_hosts=False)
    assert caught.value.code == "host_taken"
    assert not Province.objects.filter(slug="backanbis").exists()


def test_label_that_breaks_dns_is_refused(tenant_db):
    profile = resolve_profile("dongnai")
    bad = replace_agencies(
        profile, [profile.agencies[0].model_copy(update={"host_label": "bad_label"})]
    )
    with pytest.raises(OnboardingError) as caught:
        plan_sites(bad, dev_hosts=True)
    assert caught.value.code == "invalid_host"


def test_onboard_command_prints_secret_once_then_reports_unchanged(tenant_db, capsys):
    call_command("onboard_province", "hagiang")
    out = capsys.readouterr().out
    assert "unchanged" in out
    assert "one-time secret" not in out


def test_onboard_command_refuses_invalid_profile(tenant_db, tmp_path):
    from django.core.management.base import CommandError

    text = resolve_profile_text("hagiang").replace('slug = "hagiang"', 'slug = "Bad Slug"')
    path = tmp_path / "2020-01-01.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=r"province\.slug"):
        call_command("onboard_province", str(path))


def replace_agencies(profile, agencies):
    return profile.model_copy(update={"agencies": agencies})


def resolve_profile_text(slug):
    path = sorted((PROFILES_DIR / slug).glob("*.toml"))[-1]
    text = path.read_text(encoding="utf-8")
    tomllib.loads(text)
    return text


def test_a_profile_that_is_not_shipped_is_refused_and_nothing_is_stored(tenant_db):
    # ADR 0002: every module reads the province's rules from provinces/profiles/<slug>/
    from provinces.loader import parse_profile

    text = resolve_profile_text("backan").replace('slug = "backan"', 'slug = "backanmoi"')
    text = text.replace("backan.gov.vn", "backanmoi.gov.vn")
    profile = parse_profile(text)
    with pytest.raises(OnboardingError) as caught:
        province_onboard(profile=profile, dev_hosts=False)
    assert caught.value.code == "profile_not_shipped"
    assert "provinces/profiles/backanmoi/" in caught.value.message
    assert not Province.objects.filter(slug="backanmoi").exists()


def test_the_shipped_text_uploaded_through_the_operator_api_onboards(tenant_db):
    from provinces.loader import parse_profile

    profile = parse_profile(resolve_profile_text("hagiang"))
    assert province_onboard(profile=profile, dev_hosts=True).changes == []
