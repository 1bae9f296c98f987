"""Reads of a province's organization shared by api/ and frontend/."""

from django.db.models import QuerySet

from organization.models import Agency, ComponentSite, RoleAssignment


def component_site_list() -> QuerySet[ComponentSite]:
    return ComponentSite.objects.select_related("agency").filter(is_active=True)


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).select_related("site")


def role_assignment_list(*, user) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.filter(user=user)
        .select_related("role", "agency")
        .order_by("role__code", "agency__name")
    )
