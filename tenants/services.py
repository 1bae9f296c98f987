"""Onboarding a province from its rule profile: idempotent, as a service.

Used by `manage.py onboard_province`, the operator API and `seed_demo`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from config.hosts import DEV_SUFFIX
from core.errors import ServiceError
from provinces.loader import shipped_version
from provinces.naming import HostNameError, component_host, is_valid_hostname
from provinces.schema import Profile
from tenants.hosts import host_cache_forget
from tenants.models import Domain, Province, schema_name_for
from tenants.profile_store import approved_profile

logger = logging.getLogger(__name__)

TEMPLATE_SLUG = "_template"
ADMIN_USERNAME = "quantri"


class OnboardingError(ServiceError):
    """A refused onboarding: code, message and the field (of the profile) to blame."""


@dataclass(frozen=True)
class PlannedSite:
    agency_name: str
    short_name: str
    kind: str
    source: str
    label: str
    host: str
    dev_host: str | None
    # Other production names of the same site (Huế Art. 3: so<unit>.thuathienhue.gov.vn or
    # s<unit>.hue.gov.vn), from the profile's alternate_host_patterns.
    alternate_hosts: tuple[str, ...] = ()


@dataclass
class OnboardingResult:
    province: Province
    created: bool
    changes: list[str] = field(default_factory=list)
    admin_username: str | None = None
    admin_secret: str | None = None  # printed once; None when the administrator existed

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def dev_host_for(slug: str, label: str | None = None) -> str:
    return f"{label}.{slug}.{DEV_SUFFIX}" if label else f"{slug}.{DEV_SUFFIX}"


def plan_sites(profile: Profile, *, dev_hosts: bool) -> list[PlannedSite]:
    """The component sites of a profile with their host names; refuses collisions and host
    names that break DNS rules."""
    slug = profile.province.slug
    planned: list[PlannedSite] = []
    seen: dict[str, str] = {}
    portal_hosts = {profile.domains.portal, *profile.domains.aliases}
    if dev_hosts:
        portal_hosts.add(dev_host_for(slug))
    for index, agency in enumerate(profile.agencies):
        if not agency.component_site:
            continue
        where = f"agencies[{index}]"
        try:
            label = profile.agency_label(agency)
            host = component_host(profile.domains.component_host_pattern, label)
            alternates = tuple(
                component_host(pattern, label)
                for pattern in profile.domains.alternate_host_patterns
            )
            # The development host keeps the production host's first label ("sotttt" for
            # Huế's "so{label}" pattern), so the two stay recognisably the same site.
            dev_host = dev_host_for(slug, host.split(".", 1)[0]) if dev_hosts else None
            if dev_host is not None and not is_valid_hostname(dev_host):
                raise HostNameError(f"'{dev_host}' is not a valid host name")
        except HostNameError as error:
            raise OnboardingError("invalid_host", f"{where}: {error}", field=where) from error
        for candidate in filter(None, (host, *alternates, dev_host)):
            if candidate in seen or candidate in portal_hosts:
                other = seen.get(candidate, "the portal")
                raise OnboardingError(
                    "host_collision",
                    f"{where}: host '{candidate}' of '{agency.name}' collides with {other}",
                    field=where,
                )
            seen[candidate] = f"'{agency.name}'"
        planned.append(
            PlannedSite(
                agency_name=agency.name,
                short_name=agency.short_name or "",
                kind=agency.kind,
                source=agency.source,
                label=label,
                host=host,
                dev_host=dev_host,
                alternate_hosts=alternates,
            )
        )
    return planned


def _check_hosts_free(hosts: list[str], *, schema_name: str) -> None:
    taken = (
        Domain.objects.filter(domain__in=hosts)
        .exclude(tenant__schema_name=schema_name)
        .select_related("tenant")
    )
    for domain in taken:
        raise OnboardingError(
            "host_taken",
            f"host '{domain.domain}' already belongs to '{domain.tenant.name}'",
            field="domains",
        )


def template_schema_ensure() -> Province:
    """The migrated template schema that provinces are cloned from (django-tenants' clone).

    It is a tenant row with no domain, so `migrate_schemas` keeps it current."""
    template, _ = Province.objects.get_or_create(
        schema_name=settings.TENANT_BASE_SCHEMA,
        defaults={"slug": TEMPLATE_SLUG, "name": "Template", "is_template": True},
    )
    if not schema_exists(template.schema_name):
        template.create_schema(check_if_exists=True, verbosity=0)
    return template


def platform_tenant_ensure() -> Province:
    """The public schema's tenant row and the platform host (operator console and API)."""
    public = get_public_schema_name()
    platform, _ = Province.objects.get_or_create(
        schema_name=public, defaults={"slug": "platform", "name": "Nền tảng cổng tỉnh"}
    )
    for host in {settings.PLATFORM_HOST, "platform.localhost"}:
        Domain.objects.get_or_create(
            domain=host,
            defaults={"tenant": platform, "is_primary": True, "kind": Domain.Kind.PLATFORM},
        )
    return platform


def _check_shipped(profile: Profile) -> None:
    """A province runs on an approved version of its profile (ADR 0031): one kept in the
    profile store (a shipped file seeded there, or an operator's upload approved by a second
    operator), or a file shipped under provinces/profiles/<slug>/ (ADR 0002). Any other
    profile (an upload not approved, a file elsewhere) can be validated, never onboarded."""
    # Compared composed with the same national baseline version (ADR 0009).
    if approved_profile(profile) == profile or shipped_version(profile) == profile:
        return
    raise OnboardingError(
        "profile_not_shipped",
        f"this profile is neither an approved version in the profile store nor the shipped "
        f"version provinces/profiles/{profile.province.slug}/"
        f"{profile.effective_from.isoformat()}.toml: submit it for approval by a second "
        "operator, then onboard by slug",
        field="profile",
    )


def province_onboard(
    *, profile: Profile, dev_hosts: bool | None = None, shipped_only: bool = True
) -> OnboardingResult:
    """Create or bring up to date a province from its profile. Running it again with the same
    profile changes nothing; the administrator's one-time secret is issued only once.
    `shipped_only=False` is for benchmarks of synthetic provinces only."""
    # django-tenants' database wrapper adds schema_name; the package ships no type information.
    if connection.schema_name != get_public_schema_name():  # type: ignore[attr-defined]
        raise OnboardingError("wrong_schema", "onboarding runs on the platform (public) schema")
    dev_hosts = settings.PLATFORM_DEV_HOSTS if dev_hosts is None else dev_hosts
    slug = profile.province.slug
    schema_name = schema_name_for(slug)
    sites = plan_sites(profile, dev_hosts=dev_hosts)

    # The portal's own host and its aliases (e.g. dongnai.gov.vn beside www.dongnai.gov.vn).
    portal_domains = [(profile.domains.portal, False)]
    portal_domains += [(alias, False) for alias in profile.domains.aliases]
    if dev_hosts:
        portal_domains.append((dev_host_for(slug), True))
    site_domains = [(s.host, False) for s in sites]
    site_domains += [(alternate, False) for s in sites for alternate in s.alternate_hosts]
    site_domains += [(s.dev_host, True) for s in sites if s.dev_host]
    _check_hosts_free([h for h, _ in portal_domains + site_domains], schema_name=schema_name)
    if shipped_only:
        _check_shipped(profile)

    template_schema_ensure()
    result = OnboardingResult(province=None, created=False)  # type: ignore[arg-type]
    with transaction.atomic():
        province, created = Province.objects.select_for_update().get_or_create(
            slug=slug,
            defaults={
                "schema_name": schema_name,
                "name": profile.province.name,
                "portal_name": profile.province.portal_name,
                "profile_effective_from": profile.effective_from,
            },
        )
        result.province, result.created = province, created
        if created:
            result.changes.append(f"province {slug} created")
        else:
            updates = {
                "name": profile.province.name,
                "portal_name": profile.province.portal_name,
                "profile_effective_from": profile.effective_from,
            }
            changed = [k for k, v in updates.items() if getattr(province, k) != v]
            if changed:
                for key in changed:
                    setattr(province, key, updates[key])
                province.save(update_fields=changed)
                result.changes.append(f"province fields updated: {', '.join(changed)}")

    if not schema_exists(province.schema_name):
        province.create_schema(check_if_exists=True, verbosity=0)
        result.changes.append(f"schema {province.schema_name} cloned from template")

    with transaction.atomic():
        for index, (host, is_dev) in enumerate(portal_domains):
            _domain_ensure(result, province, host, Domain.Kind.PORTAL, is_dev, primary=index == 0)
        for host, is_dev in site_domains:
            _domain_ensure(result, province, host, Domain.Kind.COMPONENT, is_dev, primary=False)

    with schema_context(province.schema_name):
        _province_schema_ensure(result, profile, sites)

    host_cache_forget(*(h for h, _ in portal_domains + site_domains))
    logger.info("onboarded province %s: %s", slug, "; ".join(result.changes) or "no changes")
    return result


def _domain_ensure(result, province, host, kind, is_dev, *, primary) -> None:
    _, created = Domain.objects.get_or_create(
        domain=host,
        defaults={
            "tenant": province,
            "kind": kind,
            "is_development": is_dev,
            "is_primary": primary,
        },
    )
    if created:
        result.changes.append(f"domain {host} added")


def _province_schema_ensure(result: OnboardingResult, profile: Profile, sites) -> None:
    from accounts.models import User
    from accounts.services import user_create_with_secret
    from editorial.selectors import site_categories
    from editorial.services import category_create
    from organization.services import agency_ensure, role_ensure

    with transaction.atomic():
        for role in profile.governance.roles:
            if role_ensure(code=role.code, name=role.name, scope=role.scope, source=role.source):
                result.changes.append(f"role {role.code} saved")
        for site in sites:
            if agency_ensure(
                name=site.agency_name,
                short_name=site.short_name,
                kind=site.kind,
                source=site.source,
                label=site.label,
                host=site.host,
                dev_host=site.dev_host,
                alternate_hosts=list(site.alternate_hosts),
            ):
                result.changes.append(f"agency {site.label} saved")
        for agency in profile.agencies:
            if not agency.component_site and agency_ensure(
                name=agency.name,
                short_name=agency.short_name or "",
                kind=agency.kind,
                source=agency.source,
            ):
                result.changes.append(f"agency {agency.name} saved")
        # The portal categories the required sections are filled from, named after the
        # section's title (ADR 0016). One already there (by its address) is left as it is:
        # staff may have renamed it, and a newer profile's title adds, never renames.
        existing = {category.slug for category in site_categories(site=None)}
        for section in profile.required_sections:
            slug = section.content.category
            if slug is not None and slug not in existing:
                category = category_create(name=section.title, site=None, position=None)
                existing.add(category.slug)
                result.changes.append(f"category {category.slug} created")
        if not User.objects.filter(is_superuser=True).exists():
            issued = user_create_with_secret(
                username=ADMIN_USERNAME,
                full_name=f"Quản trị {profile.province.portal_name}",
                is_superuser=True,
            )
            result.admin_username = issued.user.username
            result.admin_secret = issued.one_time_secret
            result.changes.append(f"administrator {issued.user.username} created")
