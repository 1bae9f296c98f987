from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django_tenants.utils import get_public_schema_name

from accounts.models import User
from accounts.services import AccountError, operator_create, user_issue_secret


class Command(BaseCommand):
    help = (
        "Ministry operators (platform host): create one, or issue a new one-time secret. Both "
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

    def handle(self, *args, **options):
        if connection.schema_name != get_public_schema_name():
            raise CommandError("operators live in the public schema")
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
