from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Sign-ins, their failures and sign-outs recorded in the host's audit (ADR 0022).
        from accounts import security

        security.connect()
