"""Production settings for serving benchmarks over plain HTTP on 127.0.0.1."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)

from shortscience.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# The static files are served from the source folders, without collectstatic.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
