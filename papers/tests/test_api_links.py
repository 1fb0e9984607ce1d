"""Every paper link the API returns leads back to that paper, for any key.

Keys may have ``.`` or ``..`` segments, which clients resolve away unless
encoded, or end in ``/summaries`` or ``/bibtex``, like the API's own routes
below a paper. Each link is followed as a client would send it.
"""

import pytest

from demos.tests.factories import DemoFactory
from papers.tests.factories import PaperFactory
from papers.tests.test_paths import has_dot_segment
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db

KEYS = [
    "v/slash/../dot",
    "a/./b",
    "v/summaries",
    "v/bibtex",
    "DBLP:journals/corr/X16",
    "10.1000/0123-4567(99)00001-2",
]


@pytest.fixture(params=KEYS)
def paper(request):
    """Return a paper with the key, a summary and a demo, beside a paper that clashes.

    The paper named by the key without its last segment is the one a
    misrouted ``summaries`` or ``bibtex`` link would reach.
    """
    key = request.param
    PaperFactory(bibtex_key=key.rsplit("/", 1)[0], title="Other", bibtex="@misc{o}")
    paper = PaperFactory(bibtex_key=key, title="Target", bibtex="@misc{target}")
    SummaryFactory(paper=paper, source="Target summary.")
    DemoFactory(paper=paper)
    return paper


def path_of(url: str) -> str:
    """Return the path of an absolute URL from the API, as a client sends it."""
    assert url.startswith("http://testserver/")
    path = url.removeprefix("http://testserver")
    assert not has_dot_segment(path), path
    return path


def check_paper_reference(client, reference: dict, paper) -> None:
    """Follow a paper's ``url`` and ``html_url``; both must show ``paper``."""
    assert reference["bibtex_key"] == paper.bibtex_key
    detail = client.get(path_of(reference["url"]))
    assert detail.status_code == 200, reference["url"]
    assert detail.json()["bibtex_key"] == paper.bibtex_key
    page = client.get(path_of(reference["html_url"]))
    assert page.status_code == 200, reference["html_url"]
    assert page.context["paper"] == paper


def check_paper(client, data: dict, paper) -> None:
    """Follow every link of a full paper representation."""
    check_paper_reference(client, data, paper)
    summaries = client.get(path_of(data["summaries_url"]))
    assert summaries.status_code == 200, data["summaries_url"]
    keys = {s["paper"]["bibtex_key"] for s in summaries.json()["results"]}
    assert keys == {paper.bibtex_key}
    bibtex = client.get(path_of(data["bibtex_url"]))
    assert bibtex.status_code == 200, data["bibtex_url"]
    assert bibtex.content == b"@misc{target}"


def test_paper_detail_links(api_client, paper):
    data = api_client.get("/api/v1/papers/", {"bibtex_key": paper.bibtex_key})

    detail = api_client.get(path_of(data.json()["results"][0]["url"])).json()

    check_paper(api_client, detail, paper)


def test_paper_list_links(api_client, paper):
    data = api_client.get("/api/v1/papers/", {"bibtex_key": paper.bibtex_key}).json()

    check_paper(api_client, data["results"][0], paper)


def test_search_result_links(api_client, paper):
    data = api_client.get("/api/v1/search/", {"q": "Target"}).json()

    check_paper(api_client, data["results"][0], paper)


def test_summary_paper_links(api_client, paper):
    data = api_client.get("/api/v1/summaries/", {"paper": paper.bibtex_key}).json()

    check_paper_reference(api_client, data["results"][0]["paper"], paper)


def test_demo_paper_links(api_client, paper):
    data = api_client.get("/api/v1/demos/", {"paper": paper.bibtex_key}).json()

    check_paper_reference(api_client, data["results"][0]["paper"], paper)
