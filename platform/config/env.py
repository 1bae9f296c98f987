"""Reading settings from the environment: the only place that parses URLs and switches."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit


class ImproperlyConfiguredEnv(RuntimeError):
    pass


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfiguredEnv(f"environment variable {name} is required")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """postgres://user:pass@host:port/name?… → a DATABASES entry for django-tenants."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfiguredEnv("DATABASE_URL must be a postgres:// URL")
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = options.pop("host", None) or unquote(parts.hostname or "")
    return {
        "ENGINE": "django_tenants.postgresql_backend",
        "NAME": unquote(parts.path.lstrip("/")) or "portal",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
    }


def _s3_options(env: Mapping[str, str], prefix: str, location: str) -> dict:
    """What every S3-compatible store of the platform reads from `<prefix>_S3_*`: bucket,
    endpoint (MinIO, Ceph, a provider's), region, key pair and the key prefix."""
    return {
        "bucket_name": env.get(f"{prefix}_S3_BUCKET", ""),
        "endpoint_url": env.get(f"{prefix}_S3_ENDPOINT_URL") or None,
        "region_name": env.get(f"{prefix}_S3_REGION") or None,
        "access_key": env.get(f"{prefix}_S3_ACCESS_KEY_ID") or None,
        "secret_key": env.get(f"{prefix}_S3_SECRET_ACCESS_KEY") or None,
        "location": env.get(f"{prefix}_S3_PREFIX", location).strip("/"),
        "file_overwrite": False,
    }


def backup_storage_from_env(backup_root: str, environ: Mapping[str, str] | None = None) -> dict:
    """The STORAGES["backups"] entry (ADR 0020): S3-compatible object storage when
    BACKUP_S3_BUCKET is set, else the directory `backup_root` (owner only)."""
    env = os.environ if environ is None else environ
    if not env.get("BACKUP_S3_BUCKET", ""):
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": backup_root,
                "directory_permissions_mode": 0o700,
                "file_permissions_mode": 0o600,
            },
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3_options(env, "BACKUP", "backups"),
            "default_acl": "private",
            # Archives hold citizens' questions and staff accounts: encrypted at rest where the
            # store supports it ("AES256", or "aws:kms" with BACKUP_S3_KMS_KEY_ID).
            "object_parameters": {
                key: value
                for key, value in (
                    ("ServerSideEncryption", env.get("BACKUP_S3_SERVER_SIDE_ENCRYPTION", "")),
                    ("SSEKMSKeyId", env.get("BACKUP_S3_KMS_KEY_ID", "")),
                )
                if value
            },
        },
    }


def media_storage_from_env(environ: Mapping[str, str] | None = None) -> dict:
    """The STORAGES["default"] entry (ADR 0025): every province's uploads under
    `<MEDIA_S3_PREFIX>/<schema>/` of MEDIA_S3_BUCKET when it is set, else under
    MEDIA_ROOT/<schema>/ (django-tenants' layout). Objects are private and never linked: the
    views that check publication and province stream them."""
    env = os.environ if environ is None else environ
    if not env.get("MEDIA_S3_BUCKET", ""):
        return {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"}
    return {
        "BACKEND": "config.storage.TenantS3Storage",
        "OPTIONS": {
            **_s3_options(env, "MEDIA", "media"),
            "default_acl": None,  # the bucket's own policy: private, no public-read objects
            "querystring_auth": True,  # a URL, should one ever be made, is signed and expires
            "querystring_expire": 60,
            # A download read from the store spills to a temporary file past 1 MiB instead of
            # holding a whole attachment in the worker's memory.
            "max_memory_size": 1024 * 1024,
        },
    }
