"""URL paths for values that end a path and may contain slashes or dots.

BibTeX keys and venue names may hold ``/``, and a segment may be ``.`` or
``..``, which clients resolve away (``/paper/../x`` opens ``/x``). Clients
that follow the WHATWG URL standard, browsers among them, resolve ``%2E``
and ``%2E%2E`` as dot segments too, so one layer of percent-encoding does
not protect them.

So ``PathValueConverter.to_url`` percent-encodes the first character of
such a segment (``..`` becomes ``%2E.``), and ``reverse()`` encodes the
result again (``%252E.``), which no client resolves. Django decodes the
outer layer before routing, and ``to_python`` decodes the inner one. A
segment that starts with ``%`` gets the inner layer too (``%25``), so that
decoding it gives back the value. Every other segment reads as before.
"""

import re

from django.urls import reverse

DOT_SEGMENTS = frozenset({".", ".."})

# The first character of a segment as to_url encodes it, always ASCII.
ENCODED_FIRST = re.compile(r"%([0-7][0-9A-Fa-f])")


class PathValueConverter:
    """A route converter for any text, slashes included, that ends the path."""

    regex = ".+"
    # Last segments that the routes put after the value, such as the API's
    # "summaries" in papers/<key>/summaries/. A value that ends in one gets
    # its first letter encoded, so that its address cannot match that route.
    reserved_last_segments = frozenset()

    def to_python(self, value: str) -> str:
        return "/".join(_decode_first(segment) for segment in value.split("/"))

    def to_url(self, value: str) -> str:
        segments = value.split("/")
        last = len(segments) - 1
        for index, segment in enumerate(segments):
            if (
                segment in DOT_SEGMENTS
                or segment.startswith("%")
                or (index == last and segment in self.reserved_last_segments)
            ):
                segments[index] = f"%{ord(segment[0]):02X}{segment[1:]}"
        return "/".join(segments)


class ApiPaperKeyConverter(PathValueConverter):
    """A BibTeX key in the API's routes, where summaries/ or bibtex/ may follow."""

    reserved_last_segments = frozenset({"summaries", "bibtex"})


def _decode_first(segment: str) -> str:
    match = ENCODED_FIRST.match(segment)
    if match is None:
        return segment
    return chr(int(match.group(1), 16)) + segment[3:]


def paper_path(bibtex_key: str) -> str:
    """Return the path of a paper's page, e.g. ``/paper/journals/jmlr/GlorotB10``."""
    return reverse("papers:detail", kwargs={"bibtex_key": bibtex_key})


def bibtex_path(bibtex_key: str) -> str:
    """Return the path of a paper's BibTeX export."""
    return reverse("papers:bibtex", kwargs={"bibtex_key": bibtex_key})


def venue_path(name: str) -> str:
    """Return the path of the listing of a venue's papers."""
    return reverse("papers:venue", kwargs={"name": name})
