"""Plain text for the index, query clean-up and highlighted snippets."""

import html
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Maximum query length in characters; the rest of a longer query is ignored.
MAX_QUERY_CHARS = 200

# Marks that the database puts around matched words in a snippet. They are
# private-use characters, removed from every indexed text, so the snippet
# can be escaped as a whole and the marks turned into <mark> afterwards.
MARK_START = "\ue000"
MARK_END = "\ue001"
_MARKS = re.compile(f"[{MARK_START}{MARK_END}]")

_MATH = re.compile(r"<math\b.*?</math>", re.DOTALL | re.IGNORECASE)
_BLOCK_END = re.compile(
    r"</(?:p|div|li|h[1-6]|blockquote|pre|tr|td|th|table|dt|dd|figcaption)>|<br\s*/?>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[^\w\s]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA_PLACEHOLDER = " … "


def index_text(value: str) -> str:
    """Return ``value`` fit for the index: no control characters or marks."""
    return _MARKS.sub("", _CONTROL.sub(" ", value))


def details_text(values) -> str:
    """Join a paper's venue, year, key and identifiers into words for the index.

    Punctuation becomes space, because PostgreSQL's parser would otherwise
    keep ``conf/x/Vas17`` as one file-path token that ``Vas17`` cannot match.
    """
    words = _PUNCTUATION.sub(" ", " ".join(str(value) for value in values if value))
    return index_text(_SPACE.sub(" ", words).strip())


def html_to_text(value: str) -> str:
    """Return the words of sanitised summary HTML, each formula replaced by ``…``.

    Formulas are left out because their TeX would match words such as
    ``left`` and ``in`` and their MathML has no words.
    """
    value = _MATH.sub(_FORMULA_PLACEHOLDER, value)
    value = _BLOCK_END.sub("\n", value)
    value = html.unescape(_TAG.sub("", value))
    return index_text(_SPACE.sub(" ", value).strip())


def clean_query(query: str) -> str:
    """Return the query trimmed to ``MAX_QUERY_CHARS`` with control characters gone."""
    return index_text(query)[:MAX_QUERY_CHARS].strip()


def highlight(marked: str) -> SafeString:
    """Escape a snippet and turn the database's marks into ``<mark>`` elements.

    An unclosed mark is closed at the end, so the HTML stays balanced.
    """
    parts = []
    open_mark = False
    for piece in re.split(f"([{MARK_START}{MARK_END}])", marked):
        if piece == MARK_START and not open_mark:
            parts.append("<mark>")
            open_mark = True
        elif piece == MARK_END and open_mark:
            parts.append("</mark>")
            open_mark = False
        elif piece not in (MARK_START, MARK_END):
            parts.append(escape(piece))
    if open_mark:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # noqa: S308 -- every piece is escaped


def shorten(value: str, max_chars: int) -> str:
    """Return ``value`` cut at a word boundary to about ``max_chars``, with ``…``."""
    if len(value) <= max_chars:
        return value
    cut = value[:max_chars].rsplit(" ", 1)[0]
    return cut + " …"
