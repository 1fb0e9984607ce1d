"""Whole-page caching for visitors who are not signed in.

A cached page is stored under its path together with the *generation* of
each scope it shows when it was built: ``site`` (every page), ``feed`` (the
home page), ``catalog`` (paper metadata, listings and search),
``paper:<key>`` and ``summary:<id>``. A write replaces the generations of
the scopes it changes with new random tokens, so a stored page whose
generations differ from the current ones is rendered again.

Only anonymous GET requests are cached: they see public summaries only, and
a page that set a cookie, needed a CSRF token or showed a message is not
stored. Signed-in members always get a fresh page, so nobody's private
content reaches a cache.
"""

import functools
import hashlib
import threading
import time
import uuid
from collections import OrderedDict

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

SITE = "site"
FEED = "feed"
CATALOG = "catalog"
HEADER = "X-Page-Cache"
# Pages each process keeps a copy of (see _LocalPages).
LOCAL_PAGES = 200


def paper_scope(bibtex_key: str) -> str:
    """Return the scope of a paper's page, named by its BibTeX key."""
    return "paper:" + hashlib.sha256(bibtex_key.encode()).hexdigest()[:32]


def summary_scope(summary_id: int) -> str:
    """Return the scope of a summary's page."""
    return f"summary:{summary_id}"


def _generation_key(scope: str) -> str:
    return f"generation:{scope}"


def invalidate(*scopes: str) -> None:
    """Make the cached pages of these scopes stale, now and after the commit.

    The second change, after the transaction commits, drops pages that a
    concurrent request rendered from the rows as they were before it.
    """

    def bump():
        cache.set_many(
            {_generation_key(scope): uuid.uuid4().hex for scope in scopes},
            timeout=None,
        )

    bump()
    transaction.on_commit(bump)


def invalidate_summary(summary, *, listings: bool) -> None:
    """Make stale the pages that show ``summary``.

    ``listings`` adds the paper listings and search, for changes of the
    summary count or text; votes and comments leave those alone.
    """
    scopes = [FEED, paper_scope(summary.paper.bibtex_key), summary_scope(summary.pk)]
    if listings:
        scopes.append(CATALOG)
    invalidate(*scopes)


class _LocalPages:
    """A small per-process copy of recently served pages.

    Large pages then need no transfer from Redis on a hit: only their
    generations are fetched and compared. Entries expire with the shared
    cache's timeout.
    """

    def __init__(self, size: int):
        self.size = size
        self.pages: OrderedDict[str, tuple] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str):
        with self.lock:
            entry = self.pages.get(key)
            if entry is None or entry[0] < time.monotonic():
                return None
            self.pages.move_to_end(key)
            return entry[1]

    def put(self, key: str, stored, seconds: int) -> None:
        with self.lock:
            self.pages[key] = (time.monotonic() + seconds, stored)
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


_local_pages = _LocalPages(LOCAL_PAGES)


def _lookup(page_key: str, scopes: list[str]) -> tuple[list[str], object]:
    """Return the scopes' current generations and the stored page, if any.

    For a page this process holds a copy of, one ``get_many`` fetches the
    generations; for any other page, one ``get_many`` fetches the
    generations and the page. A missing generation gets a new token, and
    ``add`` lets concurrent first requests agree on it.
    """
    keys = [_generation_key(scope) for scope in scopes]
    local = _local_pages.get(page_key)
    found = cache.get_many(keys if local is not None else [page_key, *keys])
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, uuid.uuid4().hex, timeout=None)
        found.update(cache.get_many(missing))
    generations = [str(found.get(key, "")) for key in keys]
    if local is not None:
        if local[0] == generations:
            return generations, local
        found[page_key] = cache.get(page_key)
    stored = found.get(page_key)
    if stored is not None and stored[0] == generations:
        _local_pages.put(page_key, stored, settings.PAGE_CACHE_SECONDS)
    return generations, stored


def _cacheable_request(request) -> bool:
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method != "GET":
        return False
    cookies = request.COOKIES
    if (
        settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
    ):
        # Without a session there is no signed-in user and no stored
        # message, so the session need not be loaded to know it.
        return True
    return (
        not request.user.is_authenticated and len(messages.get_messages(request)) == 0
    )


def _cacheable_response(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDED")
    )


def cache_page_for_visitors(*scope_functions):
    """Cache a page view's response for anonymous visitors.

    Each of ``scope_functions`` takes the view's URL arguments and returns
    one scope; ``site`` is always included.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            scopes = [
                SITE,
                *(function(*args, **kwargs) for function in scope_functions),
            ]
            path = request.get_full_path()
            key = "page:" + hashlib.sha256(path.encode()).hexdigest()
            generations, stored = _lookup(key, scopes)
            # The page is stored with the generations it was built from, and
            # any write since has replaced at least one of them.
            if stored is not None and stored[0] == generations:
                _, content, content_type = stored
                response = HttpResponse(content, content_type=content_type)
                response[HEADER] = "hit"
                patch_vary_headers(response, ["Cookie"])
                return response
            response = view(request, *args, **kwargs)
            if _cacheable_response(request, response):
                stored = (generations, response.content, response["Content-Type"])
                cache.set(key, stored, settings.PAGE_CACHE_SECONDS)
                _local_pages.put(key, stored, settings.PAGE_CACHE_SECONDS)
                response[HEADER] = "miss"
            return response

        return wrapper

    return decorator


def catalog(*args, **kwargs) -> str:
    """Scope function for pages built from paper metadata and summary counts."""
    return CATALOG


def feed(*args, **kwargs) -> str:
    """Scope function for the home feed."""
    return FEED
