"""Normal forms of arXiv identifiers, DOIs, URLs, years and months."""

import re
from dataclasses import dataclass

# New-style identifiers: YYMM.NNNN until 2014, YYMM.NNNNN since 2015.
_NEW_ARXIV = r"\d{4}\.\d{4,5}"
# Old-style identifiers: archive, optional subject class, YYMMNNN.
_OLD_ARXIV = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]{2})?/\d{7}"
_ARXIV_ID = re.compile(
    rf"(?P<id>{_NEW_ARXIV}|{_OLD_ARXIV})(?:v(?P<version>\d+))?", re.IGNORECASE
)
_ARXIV_URL = re.compile(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|format)/"
    r"(?P<rest>.+?)(?:\.pdf)?/?$",
    re.IGNORECASE,
)
_ARXIV_PREFIX = re.compile(r"^arxiv:\s*", re.IGNORECASE)
_ARXIV_IN_TEXT = re.compile(rf"arxiv:\s*({_ARXIV_ID.pattern})", re.IGNORECASE)

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)

_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)
# Characters that BibTeX files escape in URLs and DOIs although they need not.
_ESCAPED = re.compile(r"\\([_%&#~$])")

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

# The month macros BibTeX predefines: jan expands to January, and so on.
MONTH_MACROS = {
    name: full.capitalize()
    for name, full in [
        ("jan", "january"),
        ("feb", "february"),
        ("mar", "march"),
        ("apr", "april"),
        ("may", "may"),
        ("jun", "june"),
        ("jul", "july"),
        ("aug", "august"),
        ("sep", "september"),
        ("oct", "october"),
        ("nov", "november"),
        ("dec", "december"),
    ]
}


@dataclass(frozen=True)
class ArxivId:
    """An arXiv identifier without its version, and the version if one was given."""

    id: str
    version: int | None = None

    @property
    def versioned(self) -> str:
        """The identifier with its version suffix, such as ``1805.11604v2``."""
        return self.id if self.version is None else f"{self.id}v{self.version}"


def parse_arxiv_id(value: str) -> ArxivId | None:
    """Parse ``1805.11604v2``, ``arXiv:1805.11604`` or ``hep-th/9901001``.

    Old-style identifiers lose their subject class (``math.GT/0309136``
    becomes ``math/0309136``) because arXiv does not need it to find the
    paper. Return None for anything else.
    """
    value = _ARXIV_PREFIX.sub("", unescape(value).strip())
    match = _ARXIV_ID.fullmatch(value)
    if match is None:
        return None
    identifier = match["id"]
    if "/" in identifier:
        archive, number = identifier.split("/")
        identifier = f"{archive.split('.')[0].lower()}/{number}"
    version = match["version"]
    return ArxivId(identifier, int(version) if version else None)


def arxiv_id_from_url(url: str) -> ArxivId | None:
    """Return the arXiv identifier of an arxiv.org abstract or PDF address."""
    match = _ARXIV_URL.match(url.strip())
    if match is None:
        return None
    return parse_arxiv_id(match["rest"])


def arxiv_id_from_text(text: str) -> ArxivId | None:
    """Find ``arXiv:<id>`` in free text, such as ``arXiv preprint arXiv:1412.6980``."""
    match = _ARXIV_IN_TEXT.search(text)
    return None if match is None else parse_arxiv_id(match[1])


def parse_doi(value: str) -> str | None:
    """Return the DOI in ``10.1145/2939672.2939778``, a doi.org address or ``doi:...``.

    The resolver prefix is removed and the case is kept. Return None when the
    value is no DOI.
    """
    value = _DOI_PREFIX.sub("", unescape(value).strip())
    return value if _DOI.match(value) else None


def parse_url(value: str) -> str | None:
    """Return the value if it is an http or https address, else None.

    Other schemes (``javascript:``, ``data:``, ``file:``) are rejected
    because the address is shown as a link.
    """
    value = unescape(value).strip()
    if value.startswith("\\url{") and value.endswith("}"):
        value = value[5:-1].strip()
    return value if _URL.match(value) else None


def parse_year(value: str) -> int | None:
    """Return the first four-digit number in the value, such as 2016 in ``2016a``."""
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", value)
    return int(match[1]) if match else None


def parse_month(value: str) -> int | None:
    """Return the month 1 to 12 of ``1``, ``01``, ``jan``, ``Jan.`` or ``January``.

    In longer text such as ``January~15`` or ``Jan--Feb`` the first month
    name counts. Return None when there is none.
    """
    value = value.strip().lower()
    if value.isdigit():
        number = int(value)
        return number if 1 <= number <= 12 else None
    for word in re.findall(r"[a-z]+", value):
        if word in _MONTHS:
            return _MONTHS[word]
    return None


def unescape(value: str) -> str:
    """Remove the backslash BibTeX files put before ``_ % & # ~ $`` in addresses."""
    return _ESCAPED.sub(r"\1", value)
