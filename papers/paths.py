"""URL paths for values that end a path and may contain slashes or dots.

BibTeX keys and venue names may hold ``/``, and a segment may be ``.`` or
``..``, which browsers resolve away (``/paper/../x`` opens ``/x``). Django's
``reverse`` cannot encode those segments, since it quotes ``%`` again, so
these helpers build the path themselves. Django decodes ``%2E`` back to
``.`` before routing, so the route's ``<path:>`` converter still matches.
"""

from urllib.parse import quote

from django.urls import reverse

# RFC 3986 sub-delimiters plus ":", "@" and "~": allowed in a path segment.
SEGMENT_SAFE = "!$&'()*+,;=:@~"


def encode_path_value(value: str) -> str:
    """Percent-encode ``value`` for a URL path, keeping its slashes."""
    segments = []
    for segment in value.split("/"):
        if segment in (".", ".."):
            segments.append(segment.replace(".", "%2E"))
        else:
            segments.append(quote(segment, safe=SEGMENT_SAFE))
    return "/".join(segments)


def _route_prefix(name: str, kwarg: str) -> str:
    # Reverse with a one-character placeholder to get the prefix, so that a
    # SCRIPT_NAME or a changed route is respected.
    return reverse(name, kwargs={kwarg: "_"})[:-1]


def paper_path(bibtex_key: str) -> str:
    """Return the path of a paper's page, e.g. ``/paper/journals/jmlr/GlorotB10``."""
    return _route_prefix("papers:detail", "bibtex_key") + encode_path_value(bibtex_key)


def bibtex_path(bibtex_key: str) -> str:
    """Return the path of a paper's BibTeX export."""
    return _route_prefix("papers:bibtex", "bibtex_key") + encode_path_value(bibtex_key)


def venue_path(name: str) -> str:
    """Return the path of the listing of a venue's papers."""
    return _route_prefix("papers:venue", "name") + encode_path_value(name)
