from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import AccountError, user_issue_secret, user_second_factor_reset
from organization.selectors import agency_by_reference
from organization.services import OrganizationError, staff_create
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
        otp_reset = sub.add_parser(
            "otp-reset",
            help="remove a staff member's authenticator and recovery codes (a lost phone): "
            "they enrol again at the next sign-in",
        )
        otp_reset.add_argument("--province", required=True)
        otp_reset.add_argument("username")

    def handle(self, *args, **options):
        province = Province.objects.filter(slug=options["province"], is_template=False).first()
        if province is None or province.schema_name == "public":
            raise CommandError(f"unknown province '{options['province']}'")
        if options["action"] == "reset":
            self._reset(province, options["username"])
            return
        if options["action"] == "otp-reset":
            self._otp_reset(province, options["username"])
            return
        if not options["username"] and not options["full_name"]:
            raise CommandError("give --username or --full-name")
        password = self._ask_password() if options["own_password"] else None
        # The same audited service as the administration page, acting as the server's command
        # line (actor None): the audit names it, and the role's scope is checked the same way.
        with schema_context(province.schema_name):
            agency = None
            if options["agency"]:
                agency = agency_by_reference(options["agency"])
                if agency is None:
                    raise CommandError(
                        f"unknown agency '{options['agency']}' in {province.slug} "
                        "(give its name, short name or site label)"
                    )
            try:
                issued = staff_create(
                    actor=None,
                    full_name=options["full_name"],
                    username=options["username"] or "",
                    email=options["email"],
                    username_rule=resolve_profile(province.slug).accounts.username_rule,
                    role_code=options["role"],
                    agency=agency,
                    password=password,
                )
            except (AccountError, OrganizationError) as error:
                raise CommandError(f"{error.code}: {error.message}") from error
        user = issued.user
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

    def _otp_reset(self, province, username):
        with schema_context(province.schema_name), transaction.atomic():
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"unknown user '{username}' in {province.slug}")
            # Audited (otp_reset) as done by the server's command line.
            try:
                removed = user_second_factor_reset(user=user, actor=None)
            except AccountError as error:
                raise CommandError(f"{error.code}: {error.message}") from error
        self.stdout.write(
            f"{province.name}: {username}\n"
            f"  second factor reset ({removed} authenticator(s) and the recovery codes removed);"
            " they enrol again at the next sign-in"
        )

    def _reset(self, province, username):
        with schema_context(province.schema_name), transaction.atomic():
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"unknown user '{username}' in {province.slug}")
            # The user's API keys issued before now stop working (ADR 0013); audited as done
            # by the server's command line.
            try:
                issued = user_issue_secret(user=user, actor=None)
            except AccountError as error:
                raise CommandError(f"{error.code}: {error.message}") from error
        self.stdout.write(
            f"{province.name}: {username}\none-time password: {issued.one_time_secret}\n"
            "  (shown once; it must be changed at first login)"
        )
