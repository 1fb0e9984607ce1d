"""Throttling: rates per client, the client address and 429 with Retry-After."""

import uuid

import pytest
from django.test import RequestFactory

from accounts.services import create_api_token
from shortscience.api.throttling import address_ident, client_address, window_bounds

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(settings, throttle_clock):
    """Count requests in a cache of this test's own, since member ids repeat.

    The throttles' clock is frozen, so that no window ends during a test.
    """
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"throttling-{uuid.uuid4()}",
        }
    }


def request_from(remote: str, forwarded: str | None = None):
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def unique_address() -> str:
    """Return an address no other test uses, so that counts never mix."""
    number = uuid.uuid4().int
    return f"10.{number % 250}.{number // 250 % 250}.{number // 62500 % 250}"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.7, 203.0.113.9", "198.51.100.7"),
        (2, "spoofed, 198.51.100.7, 203.0.113.9", "198.51.100.7"),
        (2, "203.0.113.9", "192.0.2.1"),
        (1, "not-an-address", "192.0.2.1"),
        (1, None, "192.0.2.1"),
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    settings.API_TRUSTED_PROXY_COUNT = proxies

    address = client_address(request_from("192.0.2.1", forwarded))

    assert address == expected


@pytest.mark.parametrize(
    ("address", "ident"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("", "unknown"),
    ],
)
def test_address_ident(address, ident):
    assert address_ident(address) == ident


def test_anonymous_rate_gives_429(api_client, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anon": "2/minute"}
    address = unique_address()

    responses = [
        api_client.get("/api/v1/papers/", REMOTE_ADDR=address) for _ in range(3)
    ]

    assert [response.status_code for response in responses] == [200, 200, 429]
    assert int(responses[2]["Retry-After"]) > 0
    assert responses[2].json()["code"] == "throttled"


def test_forwarded_header_ignored_without_proxies(api_client, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anon": "1/minute"}
    address = unique_address()

    api_client.get(
        "/api/v1/papers/", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR="1.1.1.1"
    )
    second = api_client.get(
        "/api/v1/papers/", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR="2.2.2.2"
    )

    assert second.status_code == 429


def test_clients_counted_apart(api_client, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anon": "1/minute"}

    first = api_client.get("/api/v1/papers/", REMOTE_ADDR=unique_address())
    second = api_client.get("/api/v1/papers/", REMOTE_ADDR=unique_address())

    assert first.status_code == 200
    assert second.status_code == 200


def test_member_rate_by_account(api_client, member, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "user": "2/minute"}
    _, key = create_api_token(user=member, name="t")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    responses = [
        api_client.get("/api/v1/me/", REMOTE_ADDR=unique_address()) for _ in range(3)
    ]

    assert [response.status_code for response in responses] == [200, 200, 429]


def test_write_rate_spares_reads(api_client, member, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "write": "1/minute"}
    _, key = create_api_token(user=member, name="t")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    writes = [
        api_client.post("/api/v1/summaries/", {"paper": "none", "source": "x"})
        for _ in range(2)
    ]
    read = api_client.get("/api/v1/me/")

    assert [response.status_code for response in writes] == [400, 429]
    assert read.status_code == 200


@pytest.mark.parametrize("duration", [1, 60, 3600, 86400])
@pytest.mark.parametrize("key", ["throttle_anon_192.0.2.1", "throttle_user_7"])
def test_window_contains_now(key, duration):
    now = 1_800_000_123.5

    start, end = window_bounds(key, duration, now)

    assert start <= now < end
    assert end - start == duration


def test_windows_of_keys_are_shifted():
    now = 1_800_000_000.0

    starts = {window_bounds(f"throttle_user_{pk}", 3600, now)[0] for pk in range(1, 11)}

    assert len(starts) > 1


def test_count_restarts_in_next_window(api_client, settings, throttle_clock):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anon": "2/minute"}
    address = unique_address()
    _, end = window_bounds(f"throttle_anon_{address}", 60, throttle_clock.now)

    in_window = [
        api_client.get("/api/v1/", REMOTE_ADDR=address).status_code for _ in range(3)
    ]
    throttle_clock.now = end
    next_window = api_client.get("/api/v1/", REMOTE_ADDR=address)

    assert in_window == [200, 200, 429]
    assert next_window.status_code == 200


def test_retry_after_is_rest_of_window(api_client, settings, throttle_clock):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anon": "1/minute"}
    address = unique_address()
    start, _ = window_bounds(f"throttle_anon_{address}", 60, throttle_clock.now)
    throttle_clock.now = start + 15.5

    api_client.get("/api/v1/", REMOTE_ADDR=address)
    throttled = api_client.get("/api/v1/", REMOTE_ADDR=address)

    assert throttled.status_code == 429
    assert throttled["Retry-After"] == "45"


def test_throttled_requests_do_not_extend_window(api_client, settings, throttle_clock):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "anon": "1/minute"}
    address = unique_address()
    start, end = window_bounds(f"throttle_anon_{address}", 60, throttle_clock.now)

    throttle_clock.now = start
    api_client.get("/api/v1/", REMOTE_ADDR=address)
    throttle_clock.now = end - 1
    last = api_client.get("/api/v1/", REMOTE_ADDR=address)
    throttle_clock.now = end
    after = api_client.get("/api/v1/", REMOTE_ADDR=address)

    assert last.status_code == 429
    assert last["Retry-After"] == "1"
    assert after.status_code == 200
