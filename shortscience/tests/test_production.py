"""Security headers, request ids, logging, the health endpoint and settings."""

import json
import logging
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from shortscience import health as health_module
from shortscience.logconfig import JsonFormatter, RequestIdFilter, request_id
from shortscience.markup import render_markdown
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


@pytest.fixture
def summary():
    return SummaryFactory(source="| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n$x^2$")


def page_urls(summary):
    return [
        reverse("home"),
        summary.paper.get_absolute_url(),
        summary.get_absolute_url(),
        reverse("papers:search") + "?q=a",
        reverse("api:docs"),
    ]


def test_csp_header_on_pages(client, summary):
    for url in page_urls(summary):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy, url
        assert "style-src 'self'" in policy, url
        assert "unsafe-inline" not in policy, url
        assert "object-src 'none'" in policy, url


def test_pages_have_no_inline_script_or_style(client, summary):
    for url in page_urls(summary):
        text = client.get(url).text
        assert not INLINE_SCRIPT.search(text), url
        assert not EVENT_ATTRIBUTE.search(text), url
        assert not STYLE.search(text), url


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=str)
def test_template_has_no_inline_script(path):
    text = path.read_text(encoding="utf-8")

    assert not INLINE_SCRIPT.search(text)
    assert not EVENT_ATTRIBUTE.search(text)
    assert not STYLE.search(text)


def test_table_alignment_uses_classes():
    html = render_markdown("| a | b |\n|:-:|--:|\n| 1 | 2 |")

    assert "style=" not in html
    assert '<th class="align-center">a</th>' in html
    assert '<td class="align-right">2</td>' in html


def test_response_has_new_request_id(client):
    first = client.get(reverse("health"))["X-Request-ID"]
    second = client.get(reverse("health"))["X-Request-ID"]

    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_valid_incoming_request_id_kept(client):
    response = client.get(reverse("health"), headers={"X-Request-ID": "abc-123"})

    assert response["X-Request-ID"] == "abc-123"


def test_forged_request_id_replaced(client):
    forged = "x\nlevel=ERROR message=forged"

    response = client.get(reverse("health"), headers={"X-Request-ID": forged})

    assert response["X-Request-ID"] != forged


class Recorder(logging.Handler):
    def __init__(self):
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_request_log_carries_request_id(client):
    recorder = Recorder()
    logger = logging.getLogger("shortscience.requests")
    logger.addHandler(recorder)
    try:
        response = client.get(reverse("health"), headers={"X-Request-ID": "req-7"})
    finally:
        logger.removeHandler(recorder)

    (record,) = recorder.records
    assert record.request_id == "req-7"
    assert "status=200" in record.getMessage()
    assert response["X-Request-ID"] == "req-7"


def test_json_formatter_writes_ids():
    record = logging.makeLogRecord(
        {"name": "x", "levelname": "INFO", "msg": "Saved: summary_id=%s", "args": (4,)}
    )
    record.summary_id = 4
    token = request_id.set("req-9")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)

    entry = json.loads(JsonFormatter().format(record))

    assert entry["message"] == "Saved: summary_id=4"
    assert entry["request_id"] == "req-9"
    assert entry["summary_id"] == 4


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_url() -> str:
    return os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/0")


def test_health_ok_without_broker(client, settings):
    settings.CELERY_BROKER_URL = ""

    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json()["checks"]["database"]["ok"] is True
    assert "broker" not in response.json()["checks"]


def test_health_ok_with_broker(client, settings):
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.skip("no Redis on 127.0.0.1:6379 to act as the broker")
    settings.CELERY_BROKER_URL = redis_url()

    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["ok"] is True


def test_health_503_when_broker_down(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["broker"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


def test_health_503_when_database_down(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = ""

    def fail():
        raise OSError("connection refused")

    monkeypatch.setattr(health_module, "_check_database", fail)

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OSError"}


def run_production_settings(**env) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(DJANGO_SETTINGS_MODULE="shortscience.settings.production")
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_requires_secret_key():
    result = run_production_settings()

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


GENERATE_COMMAND = 'python -c "import secrets; print(secrets.token_urlsafe(50))"'


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("a1B2c3D4e5" * 4 + "f6G7h8I9", "shorter than 50 characters"),
        ("ab" * 40, "fewer than 5 distinct characters"),
        (
            "django-insecure-" + "q8Zr3kP0xW5vN2mT7yL1cB4hJ6fD9sGa2Wn5Tx7",
            "django-insecure-",
        ),
    ],
    ids=["short", "repetitive", "django-insecure"],
)
def test_production_rejects_weak_secret_key(key, reason):
    result = run_production_settings(SECRET_KEY=key)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert reason in result.stderr
    assert GENERATE_COMMAND in result.stderr
    assert key not in result.stderr


def test_production_starts_with_strong_secret_key():
    key = "v3Kq9_Xb2LmN8pRt5WzY1cD7fH4jS6gA0eU-iO2kQ9wE3rT5yU7iP"

    result = run_production_settings(SECRET_KEY=key)

    assert result.returncode == 0, result.stderr
