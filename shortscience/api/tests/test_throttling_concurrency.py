"""Throttles under real concurrency: parallel requests to a live server.

``make test`` runs these on SQLite with LocMemCache and on PostgreSQL with
Redis. With N requests sent at once and a limit L < N, exactly L pass.
"""

import json
import sys
import threading
import uuid
from collections import Counter
from http.client import HTTPConnection
from urllib.parse import urlsplit

import pytest

from accounts.services import create_api_token

pytestmark = pytest.mark.django_db(transaction=True)

REQUESTS = 50
LIMIT = 10


@pytest.fixture(autouse=True)
def _own_counts(settings, throttle_clock):
    """Count in keys of this test's own, in the configured cache backend.

    Member ids and client addresses repeat between runs that share one
    Redis, so the keys get a prefix unique to the test. The throttles' clock
    is frozen, so that every request falls in one window.
    """
    default = {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4()}"}
    if default["BACKEND"].endswith("LocMemCache"):
        default["LOCATION"] = f"throttling-{uuid.uuid4()}"
    settings.CACHES = {"default": default}


@pytest.fixture(autouse=True)
def _frequent_thread_switches():
    """Switch threads every microsecond, so that a race in one process shows.

    With Python's default of 5 ms a server thread seldom yields between two
    cache calls, and a non-atomic count in LocMemCache would pass by luck.
    """
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def send_together(
    server_url: str, method: str, path: str, *, headers: dict, body=None
) -> list[int]:
    """Send ``REQUESTS`` requests at once, each on its own connection.

    The connections are opened one by one first: the test server's listen
    backlog is 10 (Django's ``WSGIServer.request_queue_size``), and
    connections opened all at once beyond it were reset. Then one thread
    per connection sends its request when all are ready. Returns the
    response statuses.
    """
    address = urlsplit(server_url)
    connections = []
    for _ in range(REQUESTS):
        connection = HTTPConnection(address.hostname, address.port, timeout=60)
        connection.connect()
        connections.append(connection)
    payload = None if body is None else json.dumps(body)
    headers = {**headers, "Content-Type": "application/json"}
    barrier = threading.Barrier(REQUESTS)
    statuses = [0] * REQUESTS

    def send(index: int):
        connection = connections[index]
        barrier.wait(timeout=60)
        connection.request(method, path, body=payload, headers=headers)
        statuses[index] = connection.getresponse().status
        connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_parallel_anonymous_reads_exact_limit(live_server, settings):
    settings.API_TRUSTED_PROXY_COUNT = 1
    settings.API_THROTTLE_RATES = {
        **settings.API_THROTTLE_RATES,
        "anon": f"{LIMIT}/minute",
    }
    headers = {"X-Forwarded-For": "203.0.113.7"}

    statuses = send_together(live_server.url, "GET", "/api/v1/", headers=headers)

    assert Counter(statuses) == {200: LIMIT, 429: REQUESTS - LIMIT}


def test_parallel_writes_exact_limit(live_server, member, settings):
    settings.API_THROTTLE_RATES = {
        **settings.API_THROTTLE_RATES,
        "write": f"{LIMIT}/minute",
    }
    _, key = create_api_token(user=member, name="burst")
    headers = {"Authorization": f"Bearer {key}"}
    body = {"paper": "no/such/paper", "source": "x"}

    statuses = send_together(
        live_server.url, "POST", "/api/v1/summaries/", headers=headers, body=body
    )

    # The writes that pass fail validation, since the paper does not exist.
    assert Counter(statuses) == {400: LIMIT, 429: REQUESTS - LIMIT}


def test_parallel_member_reads_exact_limit(live_server, member, settings):
    settings.API_THROTTLE_RATES = {
        **settings.API_THROTTLE_RATES,
        "user": f"{LIMIT}/minute",
    }
    _, key = create_api_token(user=member, name="burst")
    headers = {"Authorization": f"Bearer {key}"}

    statuses = send_together(live_server.url, "GET", "/api/v1/me/", headers=headers)

    assert Counter(statuses) == {200: LIMIT, 429: REQUESTS - LIMIT}
