from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from accounts.services import (
    AccountError,
    user_create_with_password,
    user_create_with_secret,
    username_from_full_name,
)
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
        create.add_argument(
            "--own-password",
            action="store_true",
            help="the staff member types their own first password here (twice, not shown) "
            "instead of receiving a one-time secret; whether it must be changed at the first "
            "sign-in is the profile's accounts.force_first_password_change (ADR 0013)",
        )
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
        password = self._ask_password() if options["own_password"] else None
        try:
            with schema_context(province.schema_name):
                from django.db import transaction

                with transaction.atomic():
                    if password is not None:
                        user = user_create_with_password(
                            username=username,
                            password=password,
                            full_name=options["full_name"],
                            email=options["email"],
                        )
                    else:
                        issued = user_create_with_secret(
                            username=username,
                            full_name=options["full_name"],
                            email=options["email"],
                        )
                        user = issued.user
                    role_assign(user=user, role_code=options["role"], agency_name=options["agency"])
        except (AccountError, OrganizationError) as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        if password is not None:
            rule = (
                "must change it at the first sign-in"
                if user.must_change_password
                else "keeps it (the profile does not require a change at the first sign-in)"
            )
            self.stdout.write(
                f"{province.name}: {user.username} ({options['role']})\n"
                f"  password typed by the staff member; the account {rule}"
            )
            return
        self.stdout.write(
            f"{province.name}: {issued.user.username} ({options['role']})\n"
            f"one-time password: {issued.one_time_secret}\n"
            "  (shown once; it must be changed at first login)"
        )

    def _ask_password(self) -> str:
        """Typed by the staff member themselves, twice, never echoed nor printed."""
        import getpass

        first = getpass.getpass("Password chosen by the staff member: ")
        if getpass.getpass("The same password again: ") != first:
            raise CommandError("the two passwords differ; nothing was created")
        return first

    def _reset(self, province, username):
        from django.db import transaction

        from accounts.models import User
        from accounts.services import audit_record, command_line_name, user_reset_secret

        with schema_context(province.schema_name), transaction.atomic():
            user = User.objects.select_for_update().filter(username=username).first()
            if user is None:
                raise CommandError(f"unknown user '{username}' in {province.slug}")
            # The user's API keys issued before now stop working (ADR 0013).
            issued = user_reset_secret(user=user)
            audit_record(
                actor=None,
                actor_name=command_line_name(),
                action="user_secret_issued",
                target=username,
                via="command",
            )
        self.stdout.write(
            f"{province.name}: {username}\none-time password: {issued.one_time_secret}\n"
            "  (shown once; it must be changed at first login)"
        )
