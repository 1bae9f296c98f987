from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django_tenants.utils import get_public_schema_name

from accounts.models import User
from accounts.services import (
    AccountError,
    operator_create,
    user_issue_secret,
    user_second_factor_reset,
)


class Command(BaseCommand):
    help = (
        "Ministry operators (platform host): create one, issue a new one-time secret, or reset "
        "their second factor. All "
        "are recorded in the platform's audit (shown on the operator console) as done by the "
        "server's command line."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create an operator; prints a one-time password")
        create.add_argument("--username", required=True)
        create.add_argument("--full-name", default="")
        create.add_argument("--email", default="")
        reset = sub.add_parser("reset", help="issue a new one-time password")
        reset.add_argument("--username", required=True)
        otp_reset = sub.add_parser(
            "otp-reset",
            help="remove an operator's authenticator and recovery codes: they enrol again at "
            "the next sign-in",
        )
        otp_reset.add_argument("username")

    def handle(self, *args, **options):
        if connection.schema_name != get_public_schema_name():
            raise CommandError("operators live in the public schema")
        if options["action"] == "otp-reset":
            self._otp_reset(options["username"])
            return
        try:
            if options["action"] == "create":
                issued = operator_create(
                    username=options["username"],
                    full_name=options["full_name"],
                    email=options["email"],
                    actor=None,
                )
            else:
                user = User.objects.filter(username=options["username"]).first()
                if user is None:
                    raise CommandError(f"unknown operator '{options['username']}'")
                issued = user_issue_secret(user=user, actor=None)
        except AccountError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        self.stdout.write(
            f"operator {issued.user.username}\none-time password: {issued.one_time_secret}\n"
            "  (shown once; it must be changed at first login on the platform host)"
        )

    def _otp_reset(self, username: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"unknown operator '{username}'")
        # Recorded in the platform's audit (otp_reset) as done by the server's command line.
        try:
            removed = user_second_factor_reset(user=user, actor=None)
        except AccountError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        self.stdout.write(
            f"operator {username}\n"
            f"  second factor reset ({removed} authenticator(s) and the recovery codes removed);"
            " they enrol again at the next sign-in on the platform host"
        )
