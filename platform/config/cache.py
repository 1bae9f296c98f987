"""Cache keys: deployment prefix, then the schema of the active province, then the key.

Every key carries the schema name, so one province's entry never answers another's; the
prefix comes first so that one deployment (or the test run) can find and drop its own keys."""

from django.db import connection


def make_key(key: str, key_prefix: str, version: int) -> str:
    return f"{key_prefix}:{connection.schema_name}:{version}:{key}"


def reverse_key(key: str) -> str:
    return key.split(":", 3)[3]
