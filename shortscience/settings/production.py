"""Settings for a deployment: a secret from the environment and HTTPS only.

Serve with ``gunicorn -c gunicorn.conf.py`` behind a proxy that terminates
TLS and sets ``X-Forwarded-Proto``; run ``manage.py collectstatic`` first.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING, SECRET_KEY, env_bool

# Django's deploy check (security.W009) flags the same weak keys, but only
# as a warning that `manage.py check --deploy` prints.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
KEY_GENERATION_COMMAND = 'python -c "import secrets; print(secrets.token_urlsafe(50))"'


def secret_key_problem(key: str) -> str | None:
    """Return why ``key`` is too weak to sign sessions and tokens, or None."""
    if not key:
        return "SECRET_KEY is not set"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return (
            f"SECRET_KEY is {len(key)} characters long, shorter than "
            f"{SECRET_KEY_MIN_LENGTH} characters"
        )
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return (
            f"SECRET_KEY has fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} "
            "distinct characters"
        )
    if key.startswith("django-insecure-"):
        return (
            "SECRET_KEY starts with django-insecure-, the prefix of the keys "
            "that startproject generates for development"
        )
    return None


_problem = secret_key_problem(SECRET_KEY)
if _problem is not None:
    raise ImproperlyConfigured(
        f"{_problem}. Set it in the environment to a long random value, for "
        f"example the output of: {KEY_GENERATION_COMMAND}"
    )

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers probe the health endpoint over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# JSON log lines unless LOG_FORMAT says otherwise.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
