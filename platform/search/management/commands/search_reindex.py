"""`manage.py search_reindex [--schema SCHEMA]`: rebuild the search documents of one province
(or of every province) from every registered source.

Safe to run at any time and twice: each source is rebuilt in one transaction, what it yields is
upserted and what it no longer yields is removed. Use it after loading data by other means than
the services (a restore, an import), or when a module changes what it shows to search."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_context

from search.registry import sources
from search.services import documents_rebuild_all


class Command(BaseCommand):
    help = "Rebuild the search documents of a province (or of every province) from its modules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schema", help="the province's schema (e.g. p_hagiang); every province without it"
        )

    def handle(self, *args, **options) -> None:
        provinces = get_tenant_model().objects.exclude(
            schema_name__in=[get_public_schema_name(), settings.TENANT_BASE_SCHEMA]
        )
        if options["schema"]:
            provinces = provinces.filter(schema_name=options["schema"])
            if not provinces.exists():
                raise CommandError(f"no province has the schema {options['schema']!r}")
        registered = sources()
        for province in provinces.order_by("schema_name"):
            with schema_context(province.schema_name):
                counts = documents_rebuild_all(registered)
            summary = ", ".join(
                f"{name}: {upserted} indexed, {removed} removed"
                for name, (upserted, removed) in counts.items()
            )
            self.stdout.write(f"{province.schema_name}: {summary or 'no source registered'}")
