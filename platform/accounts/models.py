"""Users. The table exists in the public schema (ministry operators) and in every province's
schema (that province's staff): an account of one province does not exist in another's."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    full_name = models.CharField(max_length=200, blank=True)
    # Set for every account created with a one-time secret; cleared by the first change.
    must_change_password = models.BooleanField(default=False)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.full_name or self.username
