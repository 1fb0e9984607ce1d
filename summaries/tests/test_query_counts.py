"""The number of SQL queries per page must not grow with the rows shown."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from comments.tests.factories import CommentFactory
from papers.tests.factories import PaperFactory
from summaries.tests.factories import SummaryFactory, VoteFactory

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def make_summaries(count, paper=None):
    summaries = []
    for _ in range(count):
        summary = SummaryFactory(**({"paper": paper} if paper else {}))
        CommentFactory(summary=summary)
        summaries.append(summary)
    return summaries


@pytest.mark.parametrize("signed_in", [False, True])
def test_home_queries_constant(client, signed_in):
    viewer = UserFactory()
    if signed_in:
        client.force_login(viewer)
    make_summaries(10)
    small = count_queries(client, reverse("home"))
    for summary in make_summaries(90):
        VoteFactory(summary=summary, user=viewer)
    large = count_queries(client, reverse("home"))

    assert small == large


@pytest.mark.parametrize("signed_in", [False, True])
def test_paper_page_queries_constant(client, signed_in):
    viewer = UserFactory()
    if signed_in:
        client.force_login(viewer)
    paper = PaperFactory(author_count=3)
    make_summaries(10, paper=paper)
    small = count_queries(client, paper.get_absolute_url())
    for summary in make_summaries(90, paper=paper):
        VoteFactory(summary=summary, user=viewer)
    large = count_queries(client, paper.get_absolute_url())

    assert small == large


@pytest.mark.parametrize("signed_in", [False, True])
def test_summary_page_queries_constant(client, signed_in):
    viewer = UserFactory()
    if signed_in:
        client.force_login(viewer)
    summary = SummaryFactory()
    parent = None
    for index in range(100):
        if index == 10:
            small = count_queries(client, summary.get_absolute_url())
        parent = CommentFactory(summary=summary, parent=parent if index % 2 else None)
    large = count_queries(client, summary.get_absolute_url())

    assert small == large


def test_profile_queries_constant(client):
    member = UserFactory()
    for _ in range(10):
        SummaryFactory(author=member)
    small = count_queries(client, reverse("accounts:profile", args=[member.username]))
    for _ in range(90):
        SummaryFactory(author=member)
    large = count_queries(client, reverse("accounts:profile", args=[member.username]))

    assert small == large


def test_search_queries_constant(client):
    for _ in range(10):
        SummaryFactory(paper__title="Graph networks study")
    small = count_queries(client, reverse("papers:search") + "?q=graph")
    for _ in range(90):
        SummaryFactory(paper__title="Graph networks study")
    large = count_queries(client, reverse("papers:search") + "?q=graph")

    assert small == large


def test_home_runs_no_count_query(client):
    make_summaries(3)

    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("home"))

    assert not [q for q in captured if "COUNT(*)" in q["sql"].upper()]


def test_home_next_page_link_without_count(client):
    SummaryFactory.create_batch(21)

    first = client.get(reverse("home"), {"tab": "recent"})
    second = client.get(reverse("home"), {"tab": "recent", "page": 2})

    assert first.context["page"].has_next
    assert 'rel="next"' in first.text
    assert not second.context["page"].has_next
    assert 'rel="prev"' in second.text
