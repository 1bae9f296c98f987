"""Public schema: the provinces (tenants) and the host names that reach them."""

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

SCHEMA_PREFIX = "p_"


def schema_name_for(slug: str) -> str:
    """The schema of the province `slug`."""
    return f"{SCHEMA_PREFIX}{slug}"


def slug_for_schema(schema_name: str) -> str:
    """The province's slug from its schema's name (the inverse of schema_name_for)."""
    return schema_name.removeprefix(SCHEMA_PREFIX)


class Province(TenantMixin):
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    portal_name = models.CharField(max_length=200, blank=True)
    # The profile version applied at the last onboarding (provinces/profiles/<slug>/<date>.toml).
    profile_effective_from = models.DateField(null=True, blank=True)
    # The migrated schema that new provinces are cloned from; never served.
    is_template = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Schemas are created explicitly by tenants.services.province_onboard (cloned).
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Domain(DomainMixin):
    class Kind(models.TextChoices):
        PORTAL = "portal", "Cổng thông tin"
        COMPONENT = "component", "Trang thành phần"
        PLATFORM = "platform", "Nền tảng"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PORTAL)
    is_development = models.BooleanField(default=False)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
