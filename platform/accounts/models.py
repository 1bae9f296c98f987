"""Users. The table exists in the public schema (ministry operators) and in every province's
schema (that province's staff): an account of one province does not exist in another's."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    full_name = models.CharField(max_length=200, blank=True)
    # Set for every account created with a one-time secret; cleared by the first change.
    must_change_password = models.BooleanField(default=False)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    # When the platform last issued this account a one-time secret (at creation, or re-issued
    # by an administrator after a suspected compromise): API keys issued before it are refused
    # (ADR 0013).
    secret_issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.full_name or self.username


class AuditEntry(models.Model):
    """Who changed an account, a role, a topic or a category, when (PROFILES.md section 7:
    administrators answer for what is done under their account). Never holds a secret.
    Lives in every schema: a province's entries in its own, operators' in the public one."""

    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)  # kept if the account goes
    action = models.CharField(max_length=60)
    target = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "accounts_audit_entry"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.target} by {self.actor_name}"


class RecoveryCode(models.Model):
    """One single-use recovery code of a staff account's second factor (issue 13, OWASP ASVS
    5.0 V6.5): stored only as a hash, shown once when issued, spent by its first use. A new
    set replaces the old one whole."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_recovery_code"
        indexes = [models.Index(fields=["user", "used_at"], name="accounts_recovery_open")]

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"


class SignInAddress(models.Model):
    """An address an account has signed in from (password and second factor passed): failures
    from other addresses never block the account's sign-in from one of these (the lockout rule,
    docs/operators.md)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_addresses")
    address = models.GenericIPAddressField()
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField()

    class Meta:
        db_table = "accounts_sign_in_address"
        constraints = [
            models.UniqueConstraint(fields=["user", "address"], name="accounts_sign_in_address_1")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} from {self.address}"
