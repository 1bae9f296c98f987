"""Production: everything secret or host-specific comes from the environment."""

from config.env import env_bool, env_list, env_str
from config.logs import logging_settings
from config.sentry import init_sentry
from config.settings.base import *  # noqa: F403
from config.settings.base import CONTENT_SECURITY_POLICY, LOG_LEVEL, PLATFORM_HOST

DEBUG = False
# One JSON object per line (config.logs), for the log collector; LOG_FORMAT=plain for people.
LOGGING = logging_settings(log_format=env_str("LOG_FORMAT", "json"), level=LOG_LEVEL)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ".gov.vn")
PLATFORM_DEV_HOSTS = env_bool("PLATFORM_DEV_HOSTS", False)
# Behind the nginx of ops/ (one proxy of ours) unless told otherwise.
TRUSTED_PROXIES = int(env_str("TRUSTED_PROXIES", "1"))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The probes of the orchestrator and Prometheus speak plain HTTP to the application's port
# inside the network: they get their answer, not a redirect (which would pass any probe).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Secure cookies everywhere HTTPS is (always in production). `./ops/run --production` serves
# plain http://*.localhost and turns these and SECURE_SSL_REDIRECT off (ADR 0023).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
# Fingerprinted static files (name.<hash>.css): nginx gives them a year, immutable (ADR 0023).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Served over HTTPS (secure cookies): a page never loads anything over plain http, not even an
# old article's image. Off with the secure cookies for the plain-http local stack.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "upgrade-insecure-requests": SESSION_COOKIE_SECURE,
    }
}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "587"))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@" + PLATFORM_HOST)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
init_sentry()
