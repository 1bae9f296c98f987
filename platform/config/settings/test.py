"""pytest: real PostgreSQL and Redis (ops/test starts embedded ones when none are given)."""

from config.settings.base import *  # noqa: F403
from config.settings.base import CACHES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES["default"]["KEY_PREFIX"] = "portal-test"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
PLATFORM_DEV_HOSTS = True
STATIC_ROOT = None  # served by the finders; collectstatic is not part of the tests
WHITENOISE_USE_FINDERS = True
