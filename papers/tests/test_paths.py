"""Paths that end in a BibTeX key or venue name lead back to it in any client."""

import os
import shutil

import pytest

from papers.paths import (
    ApiPaperKeyConverter,
    PathValueConverter,
    paper_path,
    venue_path,
)
from papers.tests.factories import PaperFactory

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")

# The segments that the WHATWG URL standard resolves as "." or "..",
# compared without regard to case.
WHATWG_DOT_SEGMENTS = {".", "%2e", "..", ".%2e", "%2e.", "%2e%2e"}

VALUES = [
    "journals/jmlr/GlorotB10",
    "DBLP:journals/corr/X16",
    "10.1000/0123-4567(99)00001-2",
    "v/slash/../dot",
    "a/./b",
    "../..",
    ".",
    "..",
    "a/..",
    "...",
    "%",
    "%2E",
    "%2E%2E/x",
    "a/%41/b",
    "%zz%41",
    "a#b?c%d",
    "v/summaries",
    "v/bibtex",
    "summaries",
    "x/summaries/",
    "a//b",
    "v:ł日本",
]


def has_dot_segment(path: str) -> bool:
    """Tell whether a WHATWG URL parser would resolve a segment of ``path``."""
    return any(segment.lower() in WHATWG_DOT_SEGMENTS for segment in path.split("/"))


@pytest.mark.parametrize("converter", [PathValueConverter(), ApiPaperKeyConverter()])
@pytest.mark.parametrize("value", VALUES)
def test_converter_round_trips(converter, value):
    assert converter.to_python(converter.to_url(value)) == value


@pytest.mark.parametrize("value", VALUES)
def test_paper_path_has_no_dot_segment(value):
    assert not has_dot_segment(paper_path(value))


@pytest.mark.parametrize(
    "value",
    ["journals/jmlr/GlorotB10", "DBLP:journals/corr/X16", "a#b?c%d", "v/summaries"],
)
def test_plain_values_unchanged(value):
    assert PathValueConverter().to_url(value) == value


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("v/summaries", "v/%73ummaries"),
        ("v/bibtex", "v/%62ibtex"),
        ("summaries/v", "summaries/v"),
    ],
)
def test_api_converter_encodes_route_suffix(value, url):
    assert ApiPaperKeyConverter().to_url(value) == url


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium not found")
def test_browser_keeps_paper_paths():
    from playwright.sync_api import sync_playwright

    paths = [paper_path(value) for value in VALUES]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page()
        resolved = page.evaluate(
            "paths => paths.map(p => new URL(p, 'http://127.0.0.1/').pathname)",
            paths,
        )
        browser.close()

    assert resolved == paths


@pytest.mark.django_db
@pytest.mark.parametrize("value", VALUES)
def test_paper_pages_follow_back(client, value):
    paper = PaperFactory(bibtex_key=value, venue=value, bibtex="@misc{x}")

    page = client.get(paper.get_absolute_url())
    export = client.get(paper.get_bibtex_url())
    venue = client.get(venue_path(value))

    assert page.status_code == 200
    assert page.context["paper"] == paper
    assert export.status_code == 200
    assert export.content == b"@misc{x}"
    assert venue.status_code == 200
    assert venue.context["heading"] == value
