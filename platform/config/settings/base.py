"""Settings shared by every environment. Values come from the environment (see .env.example)."""

from __future__ import annotations

from pathlib import Path

from csp.constants import NONCE, NONE, SELF

from config.env import (
    backup_storage_from_env,
    database_from_url,
    env_bool,
    env_list,
    env_str,
    media_storage_from_env,
)
from config.logs import logging_settings

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = BASE_DIR / "var"

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ".localhost,localhost,127.0.0.1")

# The host of the operator console and operator API (the public schema).
PLATFORM_HOST = env_str("PLATFORM_HOST", "platform.localhost")
# Also answer on <slug>.localhost and <site>.<slug>.localhost (development and tests).
PLATFORM_DEV_HOSTS = env_bool("PLATFORM_DEV_HOSTS", True)

# --- Tenancy (django-tenants): see docs/adr/0001-tenancy.md -------------------------------
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "provinces",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    # Staff second factor (TOTP) in both kinds of schema: operators and province staff.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "integrations",
    "backups",
    "api",
    "frontend",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "core",
    "accounts",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "integrations",
    "organization",
    "editorial",
    "catalog",
    "qa",
    "search",
    "reports",
    "royalties",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Province"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# New provinces are cloned from this migrated template schema instead of replaying every
# migration (django-tenants' clone); migrate_schemas keeps the template current.
TENANT_BASE_SCHEMA = "province_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
# Set search_path once per request, not before every query.
TENANT_LIMIT_SET_CALLS = True

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
    )
}
# django-tenants' backend built on django-prometheus' (connections, queries, errors; ADR 0026).
ORIGINAL_BACKEND = "django_prometheus.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        # Redis down: a miss, not an error; short timeouts and a 5 s pause after a failure
        # (config.cache, ADR 0024).
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "socket_connect_timeout": 0.25,
            "socket_timeout": 1.0,
            "RETRY_AFTER": 5,
            "WARN_EVERY": 60,
        },
        # Every key carries the schema name: one province's cache never answers another's.
        "KEY_FUNCTION": "config.cache.make_key",
        "REVERSE_KEY_FUNCTION": "config.cache.reverse_key",
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "portal"),
        "TIMEOUT": 300,
    },
}

MIDDLEWARE = [
    # Outermost: django-prometheus times the whole stack (ADR 0026).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # First of ours: every line of a request, a refused one too, carries its id (config.logs).
    "config.logs.RequestIdMiddleware",
    # /metrics on any host for the bearer of METRICS_TOKEN; every other request counted under
    # its province (config.metrics).
    "config.metrics.MetricsMiddleware",
    "config.middleware.RefuseNulBytesMiddleware",
    "tenants.middleware.ProvinceMiddleware",
    # Right after the host's province is known: the request's lines name it.
    "config.logs.RequestProvinceMiddleware",
    # A redirected host (a merged province's, a renamed agency's) answers here with its 301 or
    # its moved page (tenants/redirects.py, ADR 0032): no session, sign-in, page cache or
    # page-view count below runs for it; nginx's copy for the count gets a 204.
    "tenants.middleware.HostRedirectMiddleware",
    # A province frozen during its merge refuses every change with 503 (ADR 0032); its pages
    # are read as before. Before any view, session or form: nothing is written in its schema.
    "tenants.middleware.FrozenProvinceMiddleware",
    # nginx's copies of citizens' pages it served from its cache, counted (ADR 0028).
    "reports.middleware.PageViewMirrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response, static files too.
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above the session and CSRF middleware: sees their cookies; shared or personal (ADR 0021).
    "frontend.http_cache.CacheControlMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Vietnamese unless the visitor chose English with the switch (not the browser's guess).
    "frontend.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed the second factor (ADR 0022).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff sessions end 12 h after sign-in and after 30 idle minutes (ADR 0022).
    "accounts.middleware.StaffSessionLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "organization.middleware.ComponentSiteMiddleware",
    "accounts.middleware.ForcePasswordChangeMiddleware",
    # After the password change: a session without its second factor only enrols or gives it.
    "accounts.middleware.SecondFactorMiddleware",
    # Citizens' page views, a Redis counter per day, site and kind of page (ADR 0028).
    "reports.middleware.PageViewMiddleware",
    # Last of all: django-prometheus counts responses by view and status (keep it last).
    "config.metrics.PrometheusAfterMiddleware",
]

# Citizens' page views counted by the platform (reports.middleware, ADR 0028); off: nothing
# counted (the overhead benchmark, ops/bench/pageviews.py).
PAGE_VIEWS_COUNTED = True

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.site",
            ],
        },
    }
]

WSGI_APPLICATION = "config.wsgi.application"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # `hagiang2026!`, `Matkhau@2025`, twelve spaces (issue 13): accounts/passwords.py.
    {"NAME": "accounts.passwords.ProvinceDerivedPasswordValidator"},
]
# Argon2id first (OWASP ASVS 5.0 V6): new and changed passwords are stored with it. Django's
# PBKDF2 hashers stay listed so that the accounts stored before still sign in; Django rehashes
# such a password with Argon2 at its next successful sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
LOGIN_URL = "frontend:login"
LOGIN_REDIRECT_URL = "frontend:staff_home"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "frontend" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Uploads: MEDIA_ROOT/<schema>/ on disk, or an S3-compatible bucket under
# <MEDIA_S3_PREFIX>/<schema>/ when MEDIA_S3_BUCKET is set (ADR 0025); never linked directly.
STORAGES = {
    "default": media_storage_from_env(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"

# --- Backups (ADR 0020) -------------------------------------------------------------------
# Archives go to the storage alias "backups": a local directory by default, S3-compatible
# object storage when BACKUP_S3_BUCKET is set (kept away from the database host).
BACKUP_ROOT = Path(env_str("BACKUP_ROOT", str(VAR_DIR / "backups")))
STORAGES["backups"] = backup_storage_from_env(str(BACKUP_ROOT))
# Verification restores an archive into this database (created when missing; the database
# role needs CREATEDB, or create it beforehand), never into the platform's own.
BACKUP_SCRATCH_DATABASE = env_str("BACKUP_SCRATCH_DATABASE", "")  # default: <name>_scratch
# pg_dump / pg_restore of the server's major version (or newer): found in this directory when
# set, else beside the embedded server, in /usr/lib/postgresql/<major>/bin, then on PATH.
PG_BIN_DIR = env_str("PG_BIN_DIR", "")
# pg_dump and pg_restore run this much nicer than the worker (0-19): on a host shared with the
# web workers, pages keep the CPU first.
BACKUP_NICENESS = max(0, min(19, int(env_str("BACKUP_NICENESS", "10"))))

# Request bodies (JSON, form fields) up to 5 MB: a 1,000,000-character article body in UTF-8
# fits; larger bodies get a 413 in the API's error format. Files are limited per module.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
# A staff session lasts at most 12 hours from its sign-in and ends after 30 minutes without a
# request (accounts.middleware.StaffSessionLimitMiddleware); its cookie is dropped when the
# browser closes (ADR 0022, "Sessions and lockout").
SESSION_COOKIE_AGE = 12 * 3600
STAFF_SESSION_IDLE_SECONDS = 30 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp; docs/operators.md "Content-Security-Policy"): scripts,
# styles, images and fonts from the portal's own host only; no inline script or style, no
# frames, no plugins, forms posted to the portal itself. A page that needs an inline script
# (never a cached citizens' page) gives it `request.csp_nonce`. config.middleware adds the EMC
# script's origin (PORTAL_EMC_SCRIPT_URL) and the report endpoint at run time.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# Where browsers report violations (report-uri and report-to): empty = no reports.
PORTAL_CSP_REPORT_URI = env_str("CSP_REPORT_URI", "")

# --- API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bounded in size, depth and NUL bytes (api.parsers); every view parses through it.
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Applied to every view (api.throttling, counted by core.limits): anonymous per client
    # address, users per user, each within the host's province; views with their own
    # throttle_classes replace them.
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonRateThrottle",
        "api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Provincial portals API",
    "DESCRIPTION": "REST API of the provincial web portals platform. Every province answers "
    "on its own host; an API key is valid only on the hosts of the province that issued it.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No validator badge: it would send the schema to validator.swagger.io (and the CSP
    # allows images from the portal's own host only).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}

# --- Metrics (config.metrics, ADR 0026) ------------------------------------------------------
# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; empty: no endpoint (404).
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# --- Celery ----------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
# No result backend: tasks report through the database. Set one to read results (checks).
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers a message no worker acknowledged (a worker killed mid-task) after the
# visibility timeout: longer than the longest task (a province's backup, hours at worst), else
# a task still running would be handed to a second worker (ADR 0024).
CELERY_VISIBILITY_TIMEOUT = int(env_str("CELERY_VISIBILITY_TIMEOUT", str(6 * 3600)))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # A broker that does not answer fails a publication within a second (tenants.outbox keeps
    # the task and sends it later) instead of holding a request.
    "socket_connect_timeout": 1,
    # A worker killed while it held the lock of the redelivery scan (kombu's default: 5
    # minutes) delays every redelivery that long; the scan itself takes milliseconds.
    "unacked_mutex_expire": 60,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}  # the one place for periodic tasks: config/celery.py adds them

# Every line names its province and request id (config.logs): the human line here, one JSON
# object per line in production (LOG_FORMAT=json is its default).
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = logging_settings(log_format=env_str("LOG_FORMAT", "plain"), level=LOG_LEVEL)

SENTRY_DSN = env_str("SENTRY_DSN", "")

# How many of our own reverse proxies stand in front of gunicorn (config.client): 0 here,
# 1 behind the nginx of ops/; every per-address limit reads the client's address through it.
TRUSTED_PROXIES = int(env_str("TRUSTED_PROXIES", "0"))

# Citizens' submissions accepted per client address and hour (bot protection, no third party),
# on the web form and the API together, across every province (core.limits "qa.submission").
QA_SUBMISSIONS_PER_HOUR = int(env_str("QA_SUBMISSIONS_PER_HOUR", "5"))
# Extra words that send a submission to moderation (comma-separated, matched without accents).
QA_SUSPECT_WORDS = env_str("QA_SUSPECT_WORDS", "")

# The government's EMC monitoring script (Hệ thống giám sát, đo lường mức độ cung cấp và sử
# dụng dịch vụ Chính phủ số): empty = off. Set in production only; a page carries it only when
# its province's profile has an `emc` integration with a `site_code`. The one third-party
# request citizens' pages may make (docs/operators.md).
PORTAL_EMC_SCRIPT_URL = env_str("PORTAL_EMC_SCRIPT_URL", "")

# The national public-service portal's page for one procedure, by its national code: the link a
# procedure page offers when the procedure can be done online (catalog, ADR 0019). A format
# string with {code}; empty = no link. The default searches the national portal's procedure
# database by code; check it against the portal operator's documentation before go-live.
PUBLIC_SERVICE_PORTAL_URL = env_str(
    "PUBLIC_SERVICE_PORTAL_URL",
    "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh.html?keyword={code}",
)
