"""Request rates per client: anonymous callers by address, members by account.

The rates come from ``settings.API_THROTTLE_RATES`` (``anon``, ``user`` and
``write``), read at each request. The client address is the connection's
``REMOTE_ADDR`` unless ``settings.API_TRUSTED_PROXY_COUNT`` names how many
reverse proxies in front of the site append to ``X-Forwarded-For``; the
header is never read otherwise, because a client can write anything in it.

Requests are counted in fixed windows, one cache counter per client and
window, with ``cache.add`` and ``cache.incr``. Both are atomic on Redis
(django-redis) and on LocMemCache, so concurrent requests never both take
the last allowed place. DRF's ``SimpleRateThrottle`` reads a list of times,
appends and writes it back, so requests that arrive together all read the
same list and all pass. A fixed window lets a client send up to twice the
rate across the boundary of two windows.
"""

import ipaddress
import logging
import math
import zlib

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)

# An IPv6 client is usually assigned a whole /64, so its addresses count as one.
IPV6_PREFIX = 64


def client_address(request) -> str:
    """Return the address of the client that sent ``request``.

    With N trusted proxies, each appends the address it received the request
    from to ``X-Forwarded-For``, so the client's address is the Nth entry
    from the right; entries further left were written by the client. When
    the header has fewer entries than expected, or the entry is not an IP
    address, ``REMOTE_ADDR`` is used.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.API_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in header.split(",") if entry.strip()]
    if len(entries) < proxies:
        return remote
    candidate = entries[-proxies]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote
    return candidate


def address_ident(address: str) -> str:
    """Return the throttling identity of an address: itself, or its IPv6 /64."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))


def window_bounds(key: str, duration: int, now: float) -> tuple[int, int]:
    """Return the start and end, in seconds since the epoch, of ``key``'s window.

    The windows of a key are ``duration`` seconds long and shifted by an
    offset from a hash of the key, so that the counts of all clients do not
    reset at the same second.
    """
    offset = zlib.crc32(key.encode()) % duration
    start = math.floor((now - offset) / duration) * duration + offset
    return start, start + duration


class SettingsRateThrottle(SimpleRateThrottle):
    """A fixed-window rate throttle whose rate is read from ``API_THROTTLE_RATES``.

    DRF's throttles read their rates once, at import; reading them per
    request lets deployments and tests change them.
    """

    cache = cache

    def __init__(self):
        # SimpleRateThrottle.__init__ reads the rate at construction, which
        # happens per request, so the rate follows the settings.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return address_ident(client_address(request))

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        start, self.window_end = window_bounds(self.key, self.duration, self.now)
        self.window_key = f"{self.key}:{start}"
        count = self.count_request()
        if count is None or count <= self.num_requests:
            return True
        return self.throttle_failure()

    def count_request(self) -> int | None:
        """Add this request to the window's counter and return the new count.

        Returns None when the cache cannot count: django-redis with
        ``IGNORE_EXCEPTIONS`` returns None while Redis is unreachable, and
        the request then passes unthrottled.
        """
        # The counter outlives its window by a second, so that it cannot
        # expire between add and incr while the window is current.
        timeout = math.ceil(self.window_end - self.now) + 1
        try:
            # Once the window's counter exists, one round trip counts.
            return self.cache.incr(self.window_key)
        except ValueError:
            pass
        for _ in range(2):
            self.cache.add(self.window_key, 0, timeout)
            try:
                return self.cache.incr(self.window_key)
            except ValueError:
                # The counter was evicted between add and incr, as
                # LocMemCache does once it contains MAX_ENTRIES keys.
                continue
        logger.warning(
            "API throttle counter lost twice; request passed: scope=%s key=%s",
            self.scope,
            self.window_key,
        )
        return None

    def throttle_failure(self):
        # One warning per client and window, not one per rejected request.
        timeout = math.ceil(self.window_end - self.now) + 1
        if self.cache.add(f"{self.window_key}:logged", True, timeout):
            logger.warning(
                "API client throttled: scope=%s rate=%s key=%s",
                self.scope,
                self.rate,
                self.key,
            )
        return False

    def wait(self) -> float:
        """Return the seconds until the window ends, at least 1."""
        return max(self.window_end - self.now, 1)


class AnonRateThrottle(SettingsRateThrottle):
    """Limit callers who are not signed in, per client address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class UserRateThrottle(SettingsRateThrottle):
    """Limit signed-in members, per account, on every request."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class WriteRateThrottle(UserRateThrottle):
    """Limit signed-in members' writes (POST, PUT, PATCH, DELETE), per account."""

    scope = "write"

    def get_cache_key(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        return super().get_cache_key(request, view)
