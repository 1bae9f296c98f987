from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from accounts.services import AccountError, user_create_with_secret, username_from_full_name
from organization.services import OrganizationError, role_assign
from provinces.loader import resolve_profile
from tenants.models import Province


class Command(BaseCommand):
    help = (
        "Manage a province's staff accounts. `staff create` and `staff reset` print a one-time "
        "password."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a staff account with a role")
        create.add_argument("--province", required=True)
        create.add_argument("--username", help="defaults to the profile's account naming rule")
        create.add_argument("--full-name", default="")
        create.add_argument("--email", default="")
        create.add_argument("--role", required=True, help="a role code of the province's profile")
        create.add_argument("--agency", help="agency name, short name or site label")
        reset = sub.add_parser(
            "reset", help="issue a new one-time password (e.g. a lost administrator's)"
        )
        reset.add_argument("--province", required=True)
        reset.add_argument("--username", required=True)

    def handle(self, *args, **options):
        province = Province.objects.filter(slug=options["province"], is_template=False).first()
        if province is None or province.schema_name == "public":
            raise CommandError(f"unknown province '{options['province']}'")
        if options["action"] == "reset":
            self._reset(province, options["username"])
            return
        username = options["username"]
        if not username:
            if not options["full_name"]:
                raise CommandError("give --username or --full-name")
            rule = resolve_profile(province.slug).accounts.username_rule
            username = username_from_full_name(options["full_name"], rule=rule)
        try:
            with schema_context(province.schema_name):
                from django.db import transaction

                with transaction.atomic():
                    issued = user_create_with_secret(
                        username=username, full_name=options["full_name"], email=options["email"]
                    )
                    role_assign(
                        user=issued.user, role_code=options["role"], agency_name=options["agency"]
                    )
        except (AccountError, OrganizationError) as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        self.stdout.write(
            f"{province.name}: {issued.user.username} ({options['role']})\n"
            f"one-time password: {issued.one_time_secret}\n"
            "  (shown once; it must be changed at first login)"
        )

    def _reset(self, province, username):
        from accounts.models import User
        from accounts.services import user_reset_secret

        with schema_context(province.schema_name):
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"unknown user '{username}' in {province.slug}")
            issued = user_reset_secret(user=user)
        self.stdout.write(
            f"{province.name}: {username}\none-time password: {issued.one_time_secret}\n"
            "  (shown once; it must be changed at first login)"
        )
