"""The paper endpoints: keys with / : . ( ), sub-resources, filters and search."""

from urllib.parse import quote

import httpx
import pytest
from django.db import connection
from django.urls import reverse

from accounts.tests.factories import UserFactory
from papers.tests.factories import AuthorFactory, PaperFactory
from search import services as search_services
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db

KEYS = [
    "DBLP:journals/corr/ExampleXY16",
    "Writer:2016:ABC:1234567.7654321",
    "10.1000/0123-4567(99)00001-2",
    "journals/jmlr/GlorotB10",
]


def detail_path(key: str, *, encode: bool) -> str:
    if encode:
        return f"/api/v1/papers/{quote(key, safe='')}/"
    return f"/api/v1/papers/{key}/"


def results(response) -> list:
    return response.json()["results"]


@pytest.mark.parametrize("encode", [False, True], ids=["raw", "encoded"])
@pytest.mark.parametrize("key", KEYS)
def test_detail_finds_key(api_client, key, encode):
    PaperFactory(bibtex_key=key, title="The Paper")

    response = api_client.get(detail_path(key, encode=encode))

    assert response.status_code == 200
    assert response.json()["bibtex_key"] == key


@pytest.mark.parametrize("key", KEYS)
def test_detail_url_round_trips(api_client, key):
    PaperFactory(bibtex_key=key)

    url = api_client.get("/api/v1/papers/").json()["results"][0]["url"]
    response = api_client.get(url)

    assert response.json()["bibtex_key"] == key


@pytest.mark.parametrize("key", KEYS)
def test_summaries_route_not_shadowed(api_client, key):
    paper = PaperFactory(bibtex_key=key)
    SummaryFactory(paper=paper)

    response = api_client.get(f"/api/v1/papers/{key}/summaries/")

    assert response.status_code == 200
    assert len(results(response)) == 1


@pytest.mark.parametrize("encode", [False, True], ids=["raw", "encoded"])
@pytest.mark.parametrize("key", KEYS)
def test_bibtex_route_not_shadowed(api_client, key, encode):
    PaperFactory(bibtex_key=key, bibtex=f"@article{{{key}, title={{T}}}}")

    path = detail_path(key, encode=encode) + "bibtex/"
    response = api_client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response.content.decode() == f"@article{{{key}, title={{T}}}}"


def test_detail_of_missing_key_is_json_404(api_client):
    response = api_client.get("/api/v1/papers/journals/nowhere/Missing99/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_bibtex_of_missing_key_is_json_404(api_client):
    response = api_client.get("/api/v1/papers/no/such/key/bibtex/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_key_ending_in_route_name_found_by_filter(api_client):
    PaperFactory(bibtex_key="odd/summaries")

    response = api_client.get("/api/v1/papers/", {"bibtex_key": "odd/summaries"})

    assert [p["bibtex_key"] for p in results(response)] == ["odd/summaries"]


def test_reverse_keeps_key_characters():
    path = reverse(
        "api:paper-detail", kwargs={"bibtex_key": "10.1000/0123-4567(99)00001-2"}
    )

    assert path == "/api/v1/papers/10.1000/0123-4567(99)00001-2/"


def test_reverse_escapes_query_characters():
    path = reverse("api:paper-detail", kwargs={"bibtex_key": "a?b#c%d"})

    assert path == "/api/v1/papers/a%3Fb%23c%25d/"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("encode", [False, True], ids=["raw", "encoded"])
def test_live_server_finds_keys(live_server, encode):
    for key in KEYS:
        PaperFactory(bibtex_key=key)
    with httpx.Client(base_url=live_server.url) as http:
        found = []
        for key in KEYS:
            response = http.get(detail_path(key, encode=encode))
            found.append(response.json().get("bibtex_key"))
            summaries = http.get(detail_path(key, encode=encode) + "summaries/")
            assert summaries.status_code == 200

    assert found == KEYS


def test_paper_shows_structured_authors(api_client):
    paper = PaperFactory(author_count=0)
    author = AuthorFactory(first="Ada", last="Example", name="Ada Example")
    paper.authorships.create(author=author, position=0)

    data = api_client.get(detail_path(paper.bibtex_key, encode=False)).json()

    assert data["authors"][0]["first"] == "Ada"
    assert data["authors"][0]["last"] == "Example"
    assert data["authors"][0]["name"] == "Ada Example"


def test_paper_links_related_resources(api_client):
    paper = PaperFactory(bibtex_key="conf/x/Y20")

    data = api_client.get("/api/v1/papers/conf/x/Y20/").json()

    assert (
        data["summaries_url"] == "http://testserver/api/v1/papers/conf/x/Y20/summaries/"
    )
    assert data["bibtex_url"] == "http://testserver/api/v1/papers/conf/x/Y20/bibtex/"
    assert data["html_url"] == "http://testserver" + paper.get_absolute_url()


def test_submitter_is_shown(api_client):
    submitter = UserFactory(username="submitter")
    PaperFactory(submitted_by=submitter)

    paper = results(api_client.get("/api/v1/papers/"))[0]

    assert paper["submitted_by"]["username"] == "submitter"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"year": 2001}, ["a"]),
        ({"year_min": 2002}, ["c", "b"]),
        ({"year_max": 2002}, ["b", "a"]),
        ({"venue": "Venue B"}, ["b"]),
        ({"has_summaries": "true"}, ["c"]),
        ({"has_summaries": "false"}, ["b", "a"]),
    ],
)
def test_list_filters(api_client, query, expected):
    PaperFactory(bibtex_key="a", year=2001, venue="Venue A")
    PaperFactory(bibtex_key="b", year=2002, venue="Venue B")
    SummaryFactory(paper=PaperFactory(bibtex_key="c", year=2003))

    response = api_client.get("/api/v1/papers/", query)

    assert [p["bibtex_key"] for p in results(response)] == expected


def test_author_filter(api_client):
    author = AuthorFactory()
    paper = PaperFactory(bibtex_key="by-author", author_count=0)
    paper.authorships.create(author=author, position=0)
    PaperFactory(bibtex_key="other")

    response = api_client.get("/api/v1/papers/", {"author": author.pk})

    assert [p["bibtex_key"] for p in results(response)] == ["by-author"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year": "soon"}, "year"),
        ({"year": str(10**30)}, "year"),
        ({"author": str(10**30)}, "author"),
        ({"has_summaries": "maybe"}, "has_summaries"),
        ({"ordering": "title"}, "ordering"),
        ({"page_size": "0"}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_query_is_400_naming_field(api_client, query, field):
    response = api_client.get("/api/v1/papers/", query)

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_unknown_query_parameters_ignored(api_client):
    PaperFactory()

    response = api_client.get("/api/v1/papers/", {"title": "x", "private": "1"})

    assert len(results(response)) == 1


def test_ordering_by_year(api_client):
    PaperFactory(bibtex_key="new", year=2020)
    PaperFactory(bibtex_key="none", year=None)
    PaperFactory(bibtex_key="old", year=1990)

    ascending = api_client.get("/api/v1/papers/", {"ordering": "year"})
    descending = api_client.get("/api/v1/papers/", {"ordering": "-year"})

    # A missing year sorts where the database puts NULL by default.
    order = ["old", "new", "none"]
    if not connection.features.nulls_order_largest:
        order = ["none", "old", "new"]
    assert [p["bibtex_key"] for p in results(ascending)] == order
    assert [p["bibtex_key"] for p in results(descending)] == order[::-1]


def test_search_matches_title_author_and_key(api_client):
    PaperFactory(bibtex_key="t", title="Graph networks")
    keyed = PaperFactory(bibtex_key="conf/graph/K1", title="Other")
    authored = PaperFactory(bibtex_key="a", title="Unrelated", author_count=0)
    authored.authorships.create(author=AuthorFactory(name="Graph Person"), position=0)
    search_services.index_papers([authored.pk])
    PaperFactory(bibtex_key="miss", title="Nothing here")

    response = api_client.get("/api/v1/search/", {"q": "graph"})

    keys = {p["bibtex_key"] for p in results(response)}
    assert keys == {"t", keyed.bibtex_key, "a"}


def test_search_applies_filters(api_client):
    PaperFactory(bibtex_key="old", title="Graph", year=2001)
    PaperFactory(bibtex_key="new", title="Graph", year=2020)

    response = api_client.get("/api/v1/search/", {"q": "graph", "year": 2020})

    assert [p["bibtex_key"] for p in results(response)] == ["new"]


def test_search_orders_by_relevance(api_client):
    PaperFactory(bibtex_key="strong", title="Pangolins")
    PaperFactory(bibtex_key="weak", title="Other words", abstract="About pangolins.")

    response = api_client.get("/api/v1/search/", {"q": "pangolins"})

    assert [p["bibtex_key"] for p in results(response)] == ["strong", "weak"]


def test_search_keeps_other_orderings(api_client):
    PaperFactory(bibtex_key="old", title="Pangolins", year=2001)
    PaperFactory(bibtex_key="new", title="On pangolins", year=2020)

    response = api_client.get(
        "/api/v1/search/", {"q": "pangolins", "ordering": "-year"}
    )

    assert [p["bibtex_key"] for p in results(response)] == ["new", "old"]


@pytest.fixture
def identified_paper():
    """A paper found by its identifiers, and a later one that mentions them."""
    paper = PaperFactory(
        bibtex_key="conf/icml/IoffeS15",
        title="Batch Normalization",
        arxiv_id="1502.03167",
        doi="10.5555/3045118.3045167",
    )
    PaperFactory(
        bibtex_key="citing",
        title="Citing conf icml IoffeS15 arXiv 1502.03167 abs",
        abstract="Builds on https://arxiv.org/abs/1502.03167v3 and "
        "https://doi.org/10.5555/3045118.3045167, doi 10.5555.",
    )
    return paper


@pytest.mark.parametrize(
    "query",
    [
        "1502.03167",
        "arXiv:1502.03167",
        "https://arxiv.org/abs/1502.03167v3",
        "10.5555/3045118.3045167",
        "https://doi.org/10.5555/3045118.3045167",
        "conf/icml/IoffeS15",
    ],
)
def test_search_puts_identified_paper_first(api_client, identified_paper, query):
    response = api_client.get("/api/v1/search/", {"q": query})

    keys = [p["bibtex_key"] for p in results(response)]
    assert keys[0] == identified_paper.bibtex_key
    assert keys.count(identified_paper.bibtex_key) == 1


def test_search_identified_paper_pages_once(api_client, identified_paper):
    first = api_client.get("/api/v1/search/", {"q": "1502.03167", "page_size": 1})
    second = api_client.get(first.json()["next"])

    assert [p["bibtex_key"] for p in results(first)] == ["conf/icml/IoffeS15"]
    assert [p["bibtex_key"] for p in results(second)] == ["citing"]
    assert second.json()["next"] is None


def test_search_identified_paper_obeys_filters(api_client, identified_paper):
    response = api_client.get("/api/v1/search/", {"q": "1502.03167", "year": 1999})

    assert results(response) == []


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "x" * 201}])
def test_search_needs_valid_query(api_client, query):
    response = api_client.get("/api/v1/search/", query)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "q"


@pytest.mark.parametrize("encode", [False, True], ids=["raw", "encoded"])
def test_real_front_page_paper_by_key(api_client, frontpage_dir, encode):
    from papers.services import import_bibtex

    import_bibtex((frontpage_dir / "papers.bib").read_text(encoding="utf-8"))

    response = api_client.get(detail_path("journals/jmlr/GlorotB10", encode=encode))

    assert response.status_code == 200
    assert response.json()["authors"][0]["last"] == "Glorot"


def test_search_without_match_is_empty(api_client):
    PaperFactory(title="Graph networks")

    response = api_client.get("/api/v1/search/", {"q": "ä", "has_summaries": "true"})

    assert response.status_code == 200
    assert results(response) == []
