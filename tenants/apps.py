from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Provinces (tenants)"

    def ready(self) -> None:
        from tenants import hosts  # noqa: F401  (connects the host-cache invalidation)
