"""Local development: ./ops/run."""

from config.env import env_bool
from config.sentry import init_sentry
from config.settings.base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
init_sentry(environment="development")
WHITENOISE_USE_FINDERS = True
# ./ops/run serves with DEBUG off (DJANGO_DEBUG=0: the error pages visitors see); a static file
# edited while it runs is still served fresh.
WHITENOISE_AUTOREFRESH = True
