"""Server side of the text drafts that static/js/drafts.js keeps in the browser.

The script stores what a member types into a summary or comment form in
localStorage, under the member's id and the form's ``data-draft`` address: the
address the form posts to, plus ``?parent=<comment id>`` for a reply. A
draft outlives a save that fails, for example because the session ended and
the post was redirected to the login page.

After a successful save the view calls ``mark_saved`` with that address. The
next page rendered for the member lists the saved addresses in the
``data-saved-drafts`` attribute of ``<body>``, and the script removes those
drafts.
"""

import functools
import json

from django.conf import settings

SESSION_KEY = "saved_drafts"
# The page after a save empties the list, so the cap matters only when a
# member's saves are not followed by pages (a client that skips redirects).
MAX_SAVED_ADDRESSES = 20


def mark_saved(request, address: str) -> None:
    """Record that the form posting to ``address`` was saved, for the next page."""
    saved = request.session.get(SESSION_KEY, [])
    request.session[SESSION_KEY] = [*saved, address][-MAX_SAVED_ADDRESSES:]


def reply_address(path: str, parent_id: int | None) -> str:
    """Return the draft address of a comment form posting to ``path``."""
    return path if parent_id is None else f"{path}?parent={parent_id}"


def drafts(request) -> dict:
    """Add the draft size limits and the addresses saved since the last page.

    ``saved_drafts`` is a callable, so that the session is read (and the list
    removed from it) only by a template that renders it. It returns the
    addresses as a JSON array, or an empty string when there are none.
    """

    @functools.cache
    def saved_drafts() -> str:
        addresses = request.session.pop(SESSION_KEY, [])
        return json.dumps(addresses) if addresses else ""

    return {
        "saved_drafts": saved_drafts,
        "draft_max_bytes": {
            "summary": settings.SUMMARY_MAX_BYTES,
            "comment": settings.COMMENT_MAX_BYTES,
        },
    }
