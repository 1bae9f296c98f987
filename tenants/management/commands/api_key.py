from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import User
from integrations.selectors import api_key_list, api_key_status
from integrations.services import (
    DEFAULT_LIFETIME_DAYS,
    VIA_COMMAND,
    ApiKeyError,
    api_key_create,
    api_key_revoke,
)
from tenants.models import Province


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"


class Command(BaseCommand):
    help = (
        "Issue, list or revoke API keys of a province's integration clients (or of operators). "
        "Issues and revocations go through the audited services (ADR 0013)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a key; it is printed once")
        create.add_argument("--province", required=True, help="province slug, or 'platform'")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="")
        create.add_argument(
            "--scopes",
            nargs="+",
            default=["read"],
            help="read, write (items, Q&A), catalogue (procedures); operator on 'platform'",
        )
        create.add_argument(
            "--expires-in-days",
            type=int,
            default=DEFAULT_LIFETIME_DAYS,
            help=f"validity in days (default {DEFAULT_LIFETIME_DAYS})",
        )
        listing = sub.add_parser("list", help="every key: who, scopes, dates and status")
        listing.add_argument("--province", required=True, help="province slug, or 'platform'")
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("--province", required=True)
        revoke.add_argument("--prefix", required=True)

    def _schema(self, slug: str) -> str:
        if slug == "platform":
            return get_public_schema_name()
        province = Province.objects.filter(slug=slug, is_template=False).first()
        if province is None:
            raise CommandError(f"unknown province '{slug}'")
        return province.schema_name

    def handle(self, *args, **options):
        with schema_context(self._schema(options["province"])):
            if options["action"] == "list":
                self._list()
                return
            if options["action"] == "revoke":
                key = api_key_list().filter(prefix=options["prefix"]).first()
                if key is None:
                    raise CommandError(f"no key with prefix {options['prefix']}")
                try:
                    api_key_revoke(api_key=key, via=VIA_COMMAND)
                except ApiKeyError as error:
                    raise CommandError(f"{error.code}: {error.message}") from error
                self.stdout.write(f"revoked {key.prefix}")
                return
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"unknown user '{options['user']}' in {options['province']}")
            try:
                issued = api_key_create(
                    user=user,
                    name=options["name"] or f"{user.username} key",
                    scopes=options["scopes"],
                    expires_in_days=options["expires_in_days"],
                    via=VIA_COMMAND,
                )
            except ApiKeyError as error:
                raise CommandError(f"{error.code}: {error.message}") from error
        self.stdout.write(
            f"API key for {user.username} ({', '.join(issued.api_key.scopes)}), "
            f"expires {_when(issued.api_key.expires_at)}:\n{issued.key}\n"
            "  (shown once; send it as the header 'Authorization: Api-Key <key>')"
        )

    def _list(self):
        now = timezone.now()
        self.stdout.write("prefix        user  scopes  created  last-used  expires  status  name")
        for key in api_key_list():
            self.stdout.write(
                "  ".join(
                    [
                        key.prefix,
                        key.user.username,
                        ",".join(key.scopes),
                        _when(key.created_at),
                        _when(key.last_used_at),
                        _when(key.expires_at),
                        api_key_status(key, now=now),
                        key.name,
                    ]
                )
            )
