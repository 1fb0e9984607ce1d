"""Settings shared by every environment.

This is the one module that reads the process environment. With nothing set,
the site runs on SQLite with local memory caching and e-mail printed to the
console, so a newcomer needs no server.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable such as ``DEBUG=1`` or ``DEBUG=false``."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(
        f"{name}={value!r} is not a boolean; use 1/0, true/false or yes/no"
    )


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable into a list of non-empty items."""
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "papers",
    "summaries",
    "comments",
    "demos",
    "search",
]

MIDDLEWARE = [
    "shortscience.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "shortscience.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, so that its error pages show who is signed in,
    # and before any view reads the path or the query string.
    "shortscience.middleware.RejectNullCharactersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shortscience.urls"
WSGI_APPLICATION = "shortscience.wsgi.application"
ASGI_APPLICATION = "shortscience.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shortscience.drafts.drafts",
            ],
        },
    },
]

# DATABASE_URL selects the database, for example
# postgres://postgres@127.0.0.1:5432/shortscience. Without it, SQLite.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A write lock is taken at the start of each transaction, and writers wait
    # up to 20 s for it, so that concurrent votes queue instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# CACHE_URL, or else REDIS_URL, selects Redis (redis://127.0.0.1:6379/0);
# without either, each process caches in its own memory. A Redis outage
# makes every read a miss instead of an error.
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "shortscience"),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Seconds an anonymous visitor's page stays cached (shortscience.pagecache);
# writes make it stale at once, so this bounds only the age of relative
# times such as "3 minutes ago". 0 turns page caching off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))

AUTH_USER_MODEL = "accounts.User"
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")

# LOG_FORMAT=json writes one JSON object per line (production's default);
# "text" writes key=value lines. Every record carries the request id.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "shortscience.logconfig.RequestIdFilter"},
    },
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s "
            "request_id=%(request_id)s %(message)s"
        },
        "json": {"()": "shortscience.logconfig.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # The BibTeX import reports each syntax error with its line itself;
        # the library's own warnings about the same errors would repeat them.
        "bibtexparser": {"level": "ERROR"},
        # pylatexenc logs each tolerated LaTeX error, such as a macro missing
        # an argument, while decoding titles; the import keeps the text.
        "pylatexenc": {"level": "ERROR"},
        # One line per request from RequestIdMiddleware; WARNING hides them.
        "shortscience.requests": {
            "level": os.environ.get("REQUEST_LOG_LEVEL", "INFO"),
        },
        # Django logs 4xx and 5xx responses itself; the request line has them.
        "django.request": {"level": "ERROR"},
    },
}

# Sent with every page by ContentSecurityPolicyMiddleware. No page has inline
# script or style: scripts and styles come from static files, and rendered
# Markdown carries classes, never style attributes. Summary images may come
# from any https host.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "https:", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Summary and comment limits, enforced by the forms and the services.
SUMMARY_MAX_BYTES = 100 * 1024
COMMENT_MAX_BYTES = 20 * 1024
FORMULA_MAX_BYTES = 10 * 1024
FORMULAS_MAX = 1000

# The real ShortScience front page (BibTeX and Markdown) that tests, imports
# and benchmarks read; it is not part of the repository.
SHARED_DATA_DIR = Path(
    os.environ.get("SHORTSCIENCE_SHARED_DATA", BASE_DIR.parent / "shared")
)
FRONTPAGE_DATA_DIR = SHARED_DATA_DIR / "data" / "shortscience-frontpage"

# Celery runs the demo notebooks. CELERY_BROKER_URL selects the broker, for
# example redis://127.0.0.1:6379/0. Without it, kombu's filesystem transport
# keeps messages in folders under var/broker, so `make run` needs no server.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "") or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    _BROKER_DIR = BASE_DIR / "var" / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "control_folder": str(_BROKER_DIR / "control"),
        "processed_folder": str(_BROKER_DIR / "processed"),
    }
    for _folder in ("queue", "control", "processed"):
        (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
# Tasks write their results to the database themselves.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A message is acknowledged after its task ends, and put back on the queue
# when the process running it dies, so a run is never lost silently.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Limits for tasks that do not set their own; a demo run sets limits from
# its notebook's whole-run timeout.
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"demos.sweep_stale_runs": {"queue": "default"}}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "demos-sweep-stale-runs": {
        "task": "demos.sweep_stale_runs",
        "schedule": 300.0,
        "options": {"queue": "default"},
    },
}

# Demo notebooks. Runs go to the queue of the notebook's resource class;
# DEMOS_QUEUE_PREFIX keeps test runs apart from the real queues on a shared
# broker.
DEMOS_QUEUE_PREFIX = os.environ.get("DEMOS_QUEUE_PREFIX", "")
DEMOS_QUEUES = {
    "cpu": f"{DEMOS_QUEUE_PREFIX}demos-cpu",
    "gpu": f"{DEMOS_QUEUE_PREFIX}demos-gpu",
}
DEMOS_NOTEBOOK_MAX_BYTES = 2 * 1024 * 1024
# Output kept per cell while a notebook runs and in total per run; more is
# dropped and the cut is marked on the page.
DEMOS_CELL_OUTPUT_MAX_BYTES = 4 * 1024 * 1024
DEMOS_RUN_OUTPUT_MAX_BYTES = 32 * 1024 * 1024
# Characters of text shown per stream, error or text/plain output.
DEMOS_TEXT_OUTPUT_MAX_CHARS = 20_000
# Seconds a kernel gets to start and to stop after an interrupt.
DEMOS_KERNEL_STARTUP_TIMEOUT = 60
DEMOS_INTERRUPT_GRACE = 3
# Kernels run with the worker's own Python; MPLCONFIGDIR keeps matplotlib's
# font cache between runs.
DEMOS_CACHE_DIR = Path(os.environ.get("DEMOS_CACHE_DIR", BASE_DIR / "var" / "demos"))
# The user that notebook kernels run as, for a worker running as root; empty
# runs them as the worker's own user. A worker that is not root fails every
# run while this is set, rather than run notebooks as itself.
DEMOS_KERNEL_USER = os.environ.get("DEMOS_KERNEL_USER", "")

# The REST API under /api/v1/ (shortscience/api/).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "shortscience.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "shortscience.api.permissions.ReadOnlyOrAuthenticated"
    ],
    "DEFAULT_PAGINATION_CLASS": "shortscience.api.pagination.KeysetPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "shortscience.api.throttling.AnonRateThrottle",
        "shortscience.api.throttling.UserRateThrottle",
        "shortscience.api.throttling.WriteRateThrottle",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["shortscience.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "shortscience.api.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Requests per client: anonymous callers by address, members by account.
API_THROTTLE_RATES = {
    "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
    "user": os.environ.get("API_THROTTLE_USER", "600/minute"),
    "write": os.environ.get("API_THROTTLE_WRITE", "60/minute"),
}
# How many reverse proxies in front of the site append the client's address
# to X-Forwarded-For. With 0 the header is ignored and REMOTE_ADDR is the
# client, since a client can send any X-Forwarded-For it likes.
API_TRUSTED_PROXY_COUNT = int(os.environ.get("API_TRUSTED_PROXY_COUNT", "0"))
SPECTACULAR_SETTINGS = {
    "TITLE": "ShortScience API",
    "DESCRIPTION": (
        "Papers addressed by BibTeX key, Markdown summaries with rendered HTML "
        "and MathML, votes, threaded comments, and demo notebooks with their "
        "runs. Reads are open; writes need "
        "an API token from /settings/tokens/, sent as "
        "`Authorization: Bearer <token>`."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "VoteValueEnum": "summaries.models.Vote.VALUE_CHOICES",
        "DemoRunStatusEnum": "demos.models.DemoRun.Status",
        "DemoCellStatusEnum": "demos.api.CELL_STATUSES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "shortscience.api.schema.add_error_responses",
    ],
}
