from django.core.management.base import BaseCommand, CommandError

from provinces.loader import ProfileError, resolve_profile
from tenants.profile_store import seed_shipped
from tenants.services import OnboardingError, platform_tenant_ensure, province_onboard


class Command(BaseCommand):
    help = "Onboard a province from its rule profile (slug or path to a profile file). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("profile", help="profile slug (e.g. hagiang) or path to a .toml file")
        parser.add_argument(
            "--no-dev-hosts",
            action="store_true",
            help="do not add <slug>.localhost development host names",
        )

    def handle(self, *args, **options):
        # The shipped files first: the store answers for them (ADR 0031).
        seed_shipped()
        try:
            profile = resolve_profile(options["profile"])
        except ProfileError as error:
            raise CommandError(f"profile refused, nothing onboarded:\n{error}") from error
        platform_tenant_ensure()
        try:
            result = province_onboard(
                profile=profile, dev_hosts=False if options["no_dev_hosts"] else None
            )
        except OnboardingError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        province = result.province
        verb = "created" if result.created else ("updated" if result.changed else "unchanged")
        self.stdout.write(
            f"{province.name} ({province.slug}, schema {province.schema_name}): {verb}"
        )
        for change in result.changes:
            self.stdout.write(f"  - {change}")
        if result.admin_secret:
            self.stdout.write(
                f"administrator: {result.admin_username}  one-time secret: {result.admin_secret}\n"
                "  (shown once; it must be changed at first login)"
            )
