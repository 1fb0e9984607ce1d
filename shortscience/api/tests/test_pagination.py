"""Keyset pagination: every row once, in order, both ways, without COUNT(*)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from papers.models import Paper
from papers.tests.factories import PaperFactory
from shortscience.api.pagination import Cursor, decode_cursor, encode_cursor

pytestmark = pytest.mark.django_db

YEARS = [2001, None, 2003, 2001, 2001, None, 2002, 2003, 2001, None, 2002]


@pytest.fixture
def papers():
    """Create papers whose years repeat and are sometimes missing."""
    return [
        PaperFactory(bibtex_key=f"k{index:02d}", year=year, author_count=0)
        for index, year in enumerate(YEARS)
    ]


def expected_order(ordering: str) -> list[str]:
    """Return the keys in ``ordering``, a missing year placed as the database does."""
    rows = list(Paper.objects.values_list("bibtex_key", "year", "pk"))
    if ordering in ("id", "-id"):
        rows.sort(key=lambda row: row[2], reverse=ordering == "-id")
        return [row[0] for row in rows]
    missing = 10**6 if connection.features.nulls_order_largest else -(10**6)
    rows.sort(
        key=lambda row: (missing if row[1] is None else row[1], row[2]),
        reverse=ordering == "-year",
    )
    return [row[0] for row in rows]


def walk(client, url) -> tuple[list[str], list[str]]:
    """Follow next links to the end, then previous links back to the start."""
    forward, pages = [], []
    while url:
        page = client.get(url).json()
        pages.append(page)
        forward.extend(p["bibtex_key"] for p in page["results"])
        url = page["next"]
    backward = []
    url = pages[-1]["previous"]
    while url:
        page = client.get(url).json()
        backward[:0] = [p["bibtex_key"] for p in page["results"]]
        url = page["previous"]
    last_page = [p["bibtex_key"] for p in pages[-1]["results"]]
    return forward, backward + last_page


@pytest.mark.parametrize("ordering", ["-id", "id", "-year", "year"])
@pytest.mark.parametrize("page_size", [1, 2, 3, 4])
def test_walk_visits_each_row_once(api_client, papers, ordering, page_size):
    url = f"/api/v1/papers/?ordering={ordering}&page_size={page_size}"

    forward, backward = walk(api_client, url)

    assert forward == expected_order(ordering)
    assert backward == expected_order(ordering)


def test_first_page_has_no_previous(api_client, papers):
    page = api_client.get("/api/v1/papers/?page_size=3").json()

    assert page["previous"] is None
    assert page["next"] is not None


def test_last_page_has_no_next(api_client, papers):
    page = api_client.get("/api/v1/papers/?page_size=100").json()

    assert page["next"] is None


def test_links_keep_filters(api_client, papers):
    page = api_client.get("/api/v1/papers/?year=2001&page_size=1").json()

    following = api_client.get(page["next"]).json()

    assert "year=2001" in page["next"]
    assert [p["year"] for p in following["results"]] == [2001]


def test_no_count_query(api_client, papers):
    with CaptureQueriesContext(connection) as queries:
        api_client.get("/api/v1/papers/?page_size=2")

    # The visible summary count per paper is a correlated subquery; what must
    # not happen is a count of the whole list, as page-number pagination does.
    assert not [q for q in queries if q["sql"].upper().startswith("SELECT COUNT(")]


def test_page_fetches_one_extra_row(api_client, papers):
    with CaptureQueriesContext(connection) as queries:
        api_client.get("/api/v1/papers/?page_size=2")

    assert "LIMIT 3" in queries[0]["sql"]


def test_cursor_round_trips():
    cursor = Cursor("-year", (None, "ünï", 7), backwards=True)

    assert decode_cursor(encode_cursor(cursor)) == cursor


@pytest.mark.parametrize("text", ["", "!!!", "bm90IGpzb24", "WzFd", "eyJvIjogMX0"])
def test_malformed_cursor_decodes_to_none(text):
    assert decode_cursor(text) is None


@pytest.mark.parametrize(
    "values",
    [["x"], [10**30], [None], [True], [[1]], [1, 2]],
    ids=["text", "huge", "null", "bool", "list", "extra"],
)
def test_bad_cursor_values_are_400(api_client, papers, values):
    cursor = encode_cursor(Cursor("-id", tuple(values)))

    response = api_client.get(f"/api/v1/papers/?cursor={cursor}")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


def test_cursor_of_other_ordering_is_400(api_client, papers):
    page = api_client.get("/api/v1/papers/?ordering=year&page_size=2").json()
    cursor = page["next"].split("cursor=")[1].split("&")[0]

    response = api_client.get(f"/api/v1/papers/?ordering=-id&cursor={cursor}")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


def test_page_size_above_maximum_is_400(api_client):
    response = api_client.get("/api/v1/papers/?page_size=201")

    assert response.status_code == 400


def test_page_across_missing_years_keeps_authors(api_client):
    PaperFactory(bibtex_key="dated", year=2001, author_count=1)
    PaperFactory(bibtex_key="undated", year=None, author_count=2)
    # The ordering in which missing years follow the others on this database.
    ordering = "year" if connection.features.nulls_order_largest else "-year"
    first = api_client.get(f"/api/v1/papers/?ordering={ordering}&page_size=1").json()

    second = api_client.get(first["next"] + "&page_size=5").json()

    assert [p["bibtex_key"] for p in second["results"]] == ["undated"]
    assert len(second["results"][0]["authors"]) == 2
