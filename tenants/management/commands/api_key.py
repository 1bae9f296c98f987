from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import User
from integrations.models import ApiKey
from integrations.services import ApiKeyError, api_key_create, api_key_revoke
from tenants.models import Province


class Command(BaseCommand):
    help = "Issue or revoke API keys of a province's integration clients (or of operators)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a key; it is printed once")
        create.add_argument("--province", required=True, help="province slug, or 'platform'")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="")
        create.add_argument("--scopes", nargs="+", default=["read"])
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
            if options["action"] == "revoke":
                key = ApiKey.objects.filter(prefix=options["prefix"]).first()
                if key is None:
                    raise CommandError(f"no key with prefix {options['prefix']}")
                api_key_revoke(api_key=key)
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
                )
            except ApiKeyError as error:
                raise CommandError(f"{error.code}: {error.message}") from error
        self.stdout.write(
            f"API key for {user.username} ({', '.join(issued.api_key.scopes)}):\n{issued.key}\n"
            "  (shown once; send it as the header 'Authorization: Api-Key <key>')"
        )
