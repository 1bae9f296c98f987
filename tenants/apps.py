from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Provinces (tenants)"

    def ready(self) -> None:
        from tenants import (
            hosts,  # noqa: F401  (connects the host-cache invalidation)
            merge_tasks,  # noqa: F401  (registers the merge's run with the workers)
            profile_store,
            redirects,  # noqa: F401  (connects the redirect-cache invalidation)
        )

        # Every module reads the approved version in force from the store (ADR 0031).
        profile_store.register()
        # The shipped files are seeded wherever the public schema is migrated.
        post_migrate.connect(
            profile_store.seed_after_migrate, sender=self, dispatch_uid="profile_store_seed"
        )
