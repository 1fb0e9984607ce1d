"""The Celery application that runs the site's background tasks.

Workers start with ``celery -A shortscience worker -Q <queues>``; settings
come from Django's, under the ``CELERY_`` prefix, and each app's ``tasks``
module is found on its own.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.dev")

app = Celery("shortscience")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
