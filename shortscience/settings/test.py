"""Settings for the test suite: fast password hashing and in-memory e-mail."""

import os

from .base import *  # noqa: F403

SECRET_KEY = "test-only-secret-key"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Threads in the concurrency tests open their own connections; persistent
# ones would outlive the test and keep its database from being dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's shared in-memory database, so that threads in the
    # concurrency tests wait for the write lock instead of failing at once.
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}  # noqa: F405

# Tests reach no broker, except the Celery worker that the worker tests start
# themselves, which TEST_CELERY_BROKER_URL points at Redis.
CELERY_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "memory://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
# Rates no test reaches by accident; the throttling tests set their own.
API_THROTTLE_RATES = {
    "anon": "100000/minute",
    "user": "100000/minute",
    "write": "100000/minute",
}

# Factories write rows without the services that make cached pages stale, so
# page caching is off except in the tests that turn it on.
PAGE_CACHE_SECONDS = 0
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":  # noqa: F405
    # Each pytest-xdist worker keeps its own keys in a shared Redis.
    CACHES["default"]["KEY_PREFIX"] = "test-" + os.environ.get(  # noqa: F405
        "PYTEST_XDIST_WORKER", "main"
    )
