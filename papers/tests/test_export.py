"""The .bib download's Content-Disposition: ASCII, with the full name in UTF-8."""

import re
from urllib.parse import unquote

import pytest

from papers.export import ascii_filename
from papers.tests.factories import PaperFactory

pytestmark = pytest.mark.django_db

# Key, ASCII file name, and the UTF-8 file name where one is sent.
CASES = [
    ("v:ł日本", "v____.bib", "v_ł日本.bib"),
    ("Müller2020", "Muller2020.bib", "Müller2020.bib"),
    ('a"b;c', "a_b_c.bib", None),
    ("DBLP:journals/corr/X16", "DBLP_journals_corr_X16.bib", None),
]


def download_paths(paper) -> list[str]:
    """Return the page's and the API's address of the paper's .bib file."""
    api = paper.get_absolute_url().replace("/paper/", "/api/v1/papers/", 1)
    return [paper.get_bibtex_url(), api + "/bibtex/"]


def parameters(header: str) -> dict[str, str]:
    """Return the ``filename`` and decoded ``filename*`` of a header."""
    found = {}
    plain = re.search(r'; filename="([^"]*)"', header)
    if plain:
        found["filename"] = plain.group(1)
    extended = re.search(r"; filename\*=utf-8''([^;\s]+)", header, re.IGNORECASE)
    if extended:
        found["filename*"] = unquote(extended.group(1))
    return found


@pytest.mark.parametrize(("key", "fallback", "full"), CASES)
def test_bibtex_download_header(client, key, fallback, full):
    paper = PaperFactory(bibtex_key=key, bibtex="@misc{x}")

    for path in download_paths(paper):
        response = client.get(path)
        header = response["Content-Disposition"]

        assert response.status_code == 200, path
        assert header.isascii(), path
        assert "=?" not in header, path
        assert header.startswith("inline; "), path
        expected = {"filename": fallback}
        if full is not None:
            expected["filename*"] = full
        assert parameters(header) == expected, path


def test_bibtex_download_header_bytes(client):
    paper = PaperFactory(bibtex_key="Müller2020", bibtex="@misc{x}")

    response = client.get(paper.get_bibtex_url())

    assert response.serialize_headers().isascii()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Müller.bib", "Muller.bib"), ("ﬁx½.bib", "fix12.bib"), ("日本.bib", "__.bib")],
)
def test_ascii_filename(name, expected):
    assert ascii_filename(name) == expected
