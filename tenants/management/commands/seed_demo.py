"""Onboard the five seed provinces with demo agencies, component sites and staff, publish demo
content in each (tenants.demo), and print the URLs and log-ins. Idempotent: the one-time
secrets of demo accounts are kept in var/demo-logins/<database>-<port>.json (mode 600) so that
running ./ops/run again can print them again."""

import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import operator_create
from core.errors import ServiceError
from organization.models import Agency
from provinces.loader import ProfileError, resolve_profile, shipped_profile_paths
from tenants.demo.content import DemoError, content_ensure
from tenants.demo.paperwork import paperwork_ensure
from tenants.demo.staff import staff_ensure
from tenants.profile_store import seed_shipped
from tenants.services import OnboardingError, platform_tenant_ensure, province_onboard

OPERATOR_USERNAME = "vanhanh"


class Command(BaseCommand):
    help = (
        "Onboard the shipped provinces with demo agencies, sites, staff and content (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, **options):
        # One file per database, so that switching DATABASE_URL never prints stale secrets.
        database = settings.DATABASES["default"]
        store_path = (
            Path(settings.VAR_DIR) / "demo-logins" / f"{database['NAME']}-{database['PORT']}.json"
        )
        store = json.loads(store_path.read_text()) if store_path.exists() else {}
        port = options["port"]
        platform_tenant_ensure()
        # The shipped files first: the store answers for them (ADR 0031).
        seed_shipped()
        self._operator(store)
        slugs = sorted({path.parent.name for path in shipped_profile_paths()})
        lines = []
        for slug in slugs:
            try:
                profile = resolve_profile(slug)
                result = province_onboard(profile=profile, dev_hosts=True)
            except (ProfileError, OnboardingError) as error:
                raise CommandError(f"{slug}: {error}") from error
            if result.admin_secret:
                store[f"{slug}:{result.admin_username}"] = result.admin_secret
            with schema_context(result.province.schema_name):
                self._staff(slug, profile, store)
                # Kept before the content: a refused demo item must not lose the new log-ins.
                self._save(store_path, store)
                self._content(slug, profile)
                self._paperwork(slug)
                sites = list(
                    Agency.objects.filter(site__isnull=False).values_list(
                        "site__dev_host", flat=True
                    )
                )
            lines.append((profile, sites))
        self._save(store_path, store)
        self._print(lines, store, port, store_path)

    @staticmethod
    def _save(store_path, store):
        store_path.parent.mkdir(parents=True, exist_ok=True)
        store_path.write_text(json.dumps(store, ensure_ascii=False, indent=1))
        store_path.chmod(0o600)

    def _operator(self, store):
        if not User.objects.filter(username=OPERATOR_USERNAME).exists():
            issued = operator_create(
                username=OPERATOR_USERNAME, full_name="Cán bộ vận hành (bộ)", actor=None
            )
            store[f"platform:{OPERATOR_USERNAME}"] = issued.one_time_secret

    @staticmethod
    @transaction.atomic
    def _staff(slug, profile, store):
        """One demo account per workflow role (tenants.demo.staff)."""
        for username, secret in staff_ensure(profile=profile).items():
            store[f"{slug}:{username}"] = secret

    def _content(self, slug, profile):
        """The demo content, through the province's own workflow (tenants.demo.content)."""
        started = time.monotonic()
        try:
            seeded = content_ensure(profile=profile)
        except (DemoError, ServiceError) as error:
            details = error.field_errors() if isinstance(error, ServiceError) else ""
            raise CommandError(f"{slug}: demo content: {error} {details or ''}") from error
        # Progress on stderr: stdout is the list of URLs and log-ins ./ops/run prints again.
        self.stderr.write(
            f"{slug}: demo content, {seeded.total} new "
            f"({sum(seeded.items.values())} items, {seeded.questions} questions) "
            f"in {time.monotonic() - started:.1f} s"
        )
        for gap in seeded.gaps:
            self.stderr.write(f"{slug}: section left empty: {gap}")

    def _paperwork(self, slug):
        """Last month's reports and a few royalties (tenants.demo.paperwork)."""
        try:
            done = paperwork_ensure()
        except ServiceError as error:
            raise CommandError(f"{slug}: demo reports: {error} {error.field_errors()}") from error
        self.stderr.write(
            f"{slug}: demo paperwork, {done.reports} reports of last month, "
            f"{done.royalties} new royalties"
        )

    def _print(self, lines, store, port, store_path):
        out = self.stdout.write
        out("")
        out(f"Operator console: http://platform.localhost:{port}/")
        for key, secret in sorted(store.items()):
            if key.startswith("platform:"):
                out(f"  {key.split(':', 1)[1]} / {secret}")
        for profile, sites in lines:
            slug = profile.province.slug
            out(f"{profile.province.portal_name}: http://{slug}.localhost:{port}/")
            for host in sorted(filter(None, sites)):
                out(f"  component site: http://{host}:{port}/")
            out(f"  staff sign-in: http://{slug}.localhost:{port}/staff/login/")
            for key, secret in sorted(store.items()):
                if key.startswith(f"{slug}:"):
                    out(f"    {key.split(':', 1)[1]} / {secret}")
        out("Every account must change its one-time password at first sign-in;")
        out(f"the first passwords stay listed in {store_path}.")
        out("Operators, administrators and every approver or publisher then enrol an")
        out("authenticator app (any TOTP app: scan the QR code or type the key shown) and give")
        out("its 6-digit code at each sign-in; a lost one: manage.py staff otp-reset (docs/")
        out("staff-guide.md, 'Xác thực hai lớp').")
