"""Whole-page caching for visitors who are not signed in.

A cached page is stored under a key made of its path and the current
*generation* of each scope it shows: ``site`` (every page), ``feed`` (the
home page), ``catalog`` (paper metadata, listings and search),
``paper:<key>`` and ``summary:<id>``. A write replaces the generations of
the scopes it changes with new random tokens, so the pages built from the
old ones are never read again and expire after ``PAGE_CACHE_SECONDS``.

Only anonymous GET requests are cached: they see public summaries only, and
a page that set a cookie, needed a CSRF token or showed a message is not
stored. Signed-in members always get a fresh page, so nobody's private
content reaches a cache.
"""

import functools
import hashlib
import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

logger = logging.getLogger(__name__)

SITE = "site"
FEED = "feed"
CATALOG = "catalog"
HEADER = "X-Page-Cache"


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


def _generations(scopes: list[str]) -> list[str]:
    keys = [_generation_key(scope) for scope in scopes]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        # add() lets concurrent first requests agree on one token.
        for key in missing:
            cache.add(key, uuid.uuid4().hex, timeout=None)
        found.update(cache.get_many(missing))
    return [str(found.get(key, "")) for key in keys]


def _cacheable_request(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.user.is_authenticated
        and len(messages.get_messages(request)) == 0
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
            identity = "\n".join([request.get_full_path(), *_generations(scopes)])
            key = "page:" + hashlib.sha256(identity.encode()).hexdigest()
            stored = cache.get(key)
            if stored is not None:
                content, content_type = stored
                response = HttpResponse(content, content_type=content_type)
                response[HEADER] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if _cacheable_response(request, response):
                cache.set(
                    key,
                    (response.content, response["Content-Type"]),
                    settings.PAGE_CACHE_SECONDS,
                )
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
