"""Gunicorn settings for production: ``gunicorn -c gunicorn.conf.py``.

Each value can be changed through the environment variable named beside it.
The WSGI application and the settings module are set here, so the command
needs no other argument.
"""

import multiprocessing
import os

wsgi_app = "shortscience.wsgi:application"
raw_env = [
    "DJANGO_SETTINGS_MODULE="
    + os.environ.get("DJANGO_SETTINGS_MODULE", "shortscience.settings.production")
]

# Address to listen on: GUNICORN_BIND, or 127.0.0.1:$PORT behind a proxy.
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Worker processes: WEB_CONCURRENCY, by default two per CPU plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threads per worker (GUNICORN_THREADS); above 1, gunicorn uses gthread workers.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Seconds a request may take before its worker is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Restart each worker after about this many requests, so slow leaks stay small.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

# The proxy that may set X-Forwarded-Proto and X-Forwarded-For.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Django's request log line (with its request id) replaces the access log;
# set GUNICORN_ACCESS_LOG=- to get gunicorn's as well.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
