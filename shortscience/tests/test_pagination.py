"""Page numbers from the query string: every paged page shows a page, never a 500.

A missing or invalid number gives the first page and a number past the end
the last one, as Django's Paginator.get_page does, however large it is.
"""

import pytest

from papers.tests.factories import PaperFactory
from shortscience.pagination import MAX_OFFSET, feed_page, page_number
from summaries.models import Summary
from summaries.tests.factories import SummaryFactory

HUGE = [
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999999999",
    "9" * 5000,
]


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (None, 1),
        ("", 1),
        ("abc", 1),
        ("1.5", 1),
        ("\u00b2", 1),
        ("-3", 1),
        ("0", 1),
        ("7", 7),
        (" 7 ", 7),
        ("9" * 5000, 1),
        (str(2**63), MAX_OFFSET // 20),
        (str(2**63 - 1), MAX_OFFSET // 20),
    ],
)
def test_page_number(value, number):
    assert page_number(value, 20) == number


def test_page_number_keeps_offset_in_range():
    number = page_number(str(10**30), 20)

    assert (number - 1) * 20 <= MAX_OFFSET


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["4", *HUGE[:3]])
def test_feed_page_past_end_is_last_page(value):
    SummaryFactory.create_batch(5)

    page = feed_page(Summary.objects.order_by("pk"), value, 2)

    assert page.number == 3
    assert len(page.object_list) == 1
    assert not page.has_next
    assert page.has_previous


@pytest.mark.django_db
def test_feed_page_of_empty_listing_is_first():
    page = feed_page(Summary.objects.order_by("pk"), HUGE[0], 2)

    assert page.number == 1
    assert page.object_list == []


@pytest.fixture
def paged_pages():
    """Create a summarised paper; return the address of every paged page."""
    summary = SummaryFactory(paper=PaperFactory(title="Quokka habits"))
    paper = summary.paper
    author = paper.authorships.first().author
    return [
        "/",
        "/?tab=recent",
        "/?tab=top",
        "/search/?q=quokka",
        "/search/?q=",
        f"/years/{paper.year}/",
        f"/venues/{paper.venue}",
        f"/authors/{author.pk}/",
        f"/user/{summary.author.username}/",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("value", [*HUGE, "-9223372036854775809", "abc", "0"])
def test_paged_pages_accept_any_number(client, paged_pages, value):
    for path in paged_pages:
        separator = "&" if "?" in path else "?"

        response = client.get(f"{path}{separator}page={value}")

        assert response.status_code == 200, path
        assert response.context["page"].number == 1, path
