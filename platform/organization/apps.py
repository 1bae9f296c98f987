from django.apps import AppConfig


class OrganizationConfig(AppConfig):
    name = "organization"
    verbose_name = "Organization"

    def ready(self) -> None:
        from organization import sites  # noqa: F401  (connects the site-cache invalidation)
