"""WSGI entry point, used by gunicorn: ``gunicorn shortscience.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.production")

application = get_wsgi_application()
