"""A province's agencies, their component sites and the staff roles of its workflow.
Every table here lives in the province's own schema."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Sở, ban, ngành")
        DISTRICT = "district", _("UBND cấp huyện")
        COMMUNE = "commune", _("UBND cấp xã")
        SECTOR = "sector", _("Cơ quan ngành dọc")
        OTHER = "other", _("Khác")

    name = models.CharField(max_length=255, unique=True)
    short_name = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    source = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The agency's public contact, shown on the contacts pages (Decree 42/2022 Art. 4; Art. 7:
    # in English too where the portal has an English version). Written only through
    # organization.services.agency_contacts_update.
    address = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    website = models.URLField(max_length=300, blank=True)
    english_name = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class ComponentSite(models.Model):
    """An agency's component site ("trang thông tin điện tử thành phần")."""

    agency = models.OneToOneField(Agency, on_delete=models.PROTECT, related_name="site")
    label = models.SlugField(max_length=63)
    host = models.CharField(max_length=253, unique=True)
    dev_host = models.CharField(max_length=253, unique=True, null=True, blank=True)
    # Other production names of the site from the profile's alternate host patterns.
    alternate_hosts = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["host"]
        constraints = [models.UniqueConstraint(fields=["label"], name="site_label_unique")]

    def __str__(self) -> str:
        return self.host

    @property
    def name(self) -> str:
        return self.agency.name


class Leader(models.Model):
    """A leader of an agency as citizens read it on the contacts pages: who, in what office,
    and how to reach them (the information about an agency Decree 42/2022 Art. 4 has portals
    publish). Written only through organization.services (leader_add, leader_update…)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="leaders")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    phone = models.CharField(max_length=50, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.title} {self.name}"


class Role(models.Model):
    """A role of the province's editorial workflow, as its profile names it."""

    class Scope(models.TextChoices):
        PORTAL = "portal", _("Cổng tỉnh")
        AGENCY = "agency", _("Cơ quan")

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="role_assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "agency"], name="role_assignment_unique_in_agency"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(agency__isnull=True),
                name="role_assignment_unique_portal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.role}"


class Delegation(models.Model):
    """A recorded grant of a workflow role from its holder to a named person for a period
    ("hoặc cán bộ được uỷ quyền", Huế Art. 19; Thái Nguyên Art. 14(3)). Revocable."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_received"
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="delegations")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="delegations"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="delegation_period_valid"
            ),
            models.CheckConstraint(
                condition=~Q(delegator=models.F("delegate")), name="delegation_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} ({self.role.code})"
