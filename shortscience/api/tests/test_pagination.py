"""Keyset pagination: every row once, in order, both ways, without COUNT(*)."""

import base64
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from comments.tests.factories import CommentFactory
from papers.models import Paper
from papers.tests.factories import PaperFactory
from shortscience.api.pagination import Cursor, decode_cursor, encode_cursor
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db

YEARS = [2001, None, 2003, 2001, 2001, None, 2002, 2003, 2001, None, 2002]


@pytest.fixture
def papers():
    """Create papers whose years repeat and are sometimes missing."""
    return [
        PaperFactory(bibtex_key=f"k{index:02d}", year=year, author_count=0)
        for index, year in enumerate(YEARS)
    ]


# Every kind of API list; "comments" stands for a summary's comment threads.
LIST_PATHS = [
    "/api/v1/papers/",
    "/api/v1/search/",
    "/api/v1/summaries/",
    "/api/v1/demos/",
    "/api/v1/users/someone/summaries/",
    "comments",
    "revisions",
]


@pytest.fixture
def listed():
    """Return a function that requests a list with a row in it, with parameters."""
    summary = SummaryFactory(author__username="someone")
    CommentFactory(summary=summary)
    client = APIClient()

    def get(path: str, parameters: dict):
        if path in ("comments", "revisions"):
            path = f"/api/v1/summaries/{summary.pk}/{path}/"
        elif path == "/api/v1/search/":
            parameters = {"q": "a", **parameters}
        return client.get(path, parameters)

    return get


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


@pytest.mark.parametrize(
    "value",
    [
        "201",
        "0",
        "-1",
        "abc",
        "1.5",
        "2e1",
        "\u00b2",
        "\u0661\u0662",
        "9" * 20,
        "1" * 5000,
    ],
    ids=[
        "above-max",
        "zero",
        "negative",
        "text",
        "fraction",
        "exponent",
        "superscript",
        "arabic-digits",
        "huge",
        "over-int-digit-limit",
    ],
)
@pytest.mark.parametrize("path", LIST_PATHS)
def test_invalid_page_size_is_400(listed, path, value):
    response = listed(path, {"page_size": value})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "page_size"


def test_page_size_with_leading_zeros(api_client, papers):
    response = api_client.get("/api/v1/papers/?page_size=002")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


NESTED_CURSOR = base64.urlsafe_b64encode(("[" * 5000 + "]" * 5000).encode()).decode()


@pytest.mark.parametrize("path", LIST_PATHS)
def test_deeply_nested_cursor_is_400(listed, path):
    response = listed(path, {"cursor": NESTED_CURSOR})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize(
    "time",
    [
        "2020-01-01T00:00:00",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:00:00-05:00",
        "2020-13-01T00:00:00+00:00",
    ],
    ids=["naive", "before-year-1-in-utc", "after-year-9999-in-utc", "invalid"],
)
@pytest.mark.parametrize(
    ("path", "ordering"),
    [
        ("/api/v1/summaries/", "-created"),
        ("/api/v1/summaries/", "-score"),
        ("/api/v1/demos/", "created"),
        ("comments", "created"),
    ],
)
def test_bad_cursor_time_is_400(listed, path, ordering, time):
    values = (time, 1) if ordering != "-score" else (0, time, 1)
    cursor = encode_cursor(Cursor(ordering, values))

    response = listed(path, {"cursor": cursor, "ordering": ordering})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


def test_cursor_time_with_offset_pages_on(api_client):
    summary = SummaryFactory()
    CommentFactory(summary=summary)
    created = summary.comments.get().created
    cursor = encode_cursor(
        Cursor("created", (created.astimezone(ZoneInfo("Asia/Tokyo")).isoformat(), 0))
    )

    response = api_client.get(
        f"/api/v1/summaries/{summary.pk}/comments/", {"cursor": cursor}
    )

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_page_across_missing_years_keeps_authors(api_client):
    PaperFactory(bibtex_key="dated", year=2001, author_count=1)
    PaperFactory(bibtex_key="undated", year=None, author_count=2)
    # The ordering in which missing years follow the others on this database.
    ordering = "year" if connection.features.nulls_order_largest else "-year"
    first = api_client.get(f"/api/v1/papers/?ordering={ordering}&page_size=1").json()

    second = api_client.get(first["next"] + "&page_size=5").json()

    assert [p["bibtex_key"] for p in second["results"]] == ["undated"]
    assert len(second["results"][0]["authors"]) == 2
