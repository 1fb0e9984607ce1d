"""Each API list runs a fixed number of SQL queries, for 20 rows as for 200.

The counts are pinned, so that a serializer field that loads a related row
per item (an N+1 query) fails here. Signed-in callers are forced in, so the
counts leave out authentication, whose queries are tested with the tokens.
"""

import pytest

from accounts.tests.factories import UserFactory
from comments.tests.factories import CommentFactory
from demos.models import Demo, DemoRun
from demos.tests.factories import DemoFactory, DemoRunFactory
from papers.tests.factories import PaperFactory
from summaries.tests.factories import SummaryFactory, VoteFactory

pytestmark = pytest.mark.django_db

SIZES = [20, 200]


def papers(count, viewer):
    """Papers with three authors, a submitter and summaries, one voted on."""
    for index in range(count):
        paper = PaperFactory(
            title=f"Graph study {index}",
            author_count=3,
            submitted_by=UserFactory(),
        )
        summary = SummaryFactory(paper=paper)
        VoteFactory(summary=summary, user=viewer)
    return "/api/v1/papers/", {}


def search(count, viewer):
    papers(count, viewer)
    return "/api/v1/search/", {"q": "graph"}


def summaries(count, viewer):
    for _ in range(count):
        summary = SummaryFactory(paper=PaperFactory(author_count=2))
        CommentFactory(summary=summary)
        VoteFactory(summary=summary, user=viewer)
    return "/api/v1/summaries/", {}


def paper_summaries(count, viewer):
    paper = PaperFactory(bibtex_key="conf/many/Summaries1", author_count=3)
    for _ in range(count):
        summary = SummaryFactory(paper=paper)
        VoteFactory(summary=summary, user=viewer)
    return "/api/v1/papers/conf/many/Summaries1/summaries/", {}


def user_summaries(count, viewer):
    writer = UserFactory(username="prolific")
    for _ in range(count):
        SummaryFactory(author=writer, paper=PaperFactory(author_count=2))
    return "/api/v1/users/prolific/summaries/", {}


def revisions(count, viewer):
    summary = SummaryFactory(source="version 1")
    for number in range(2, count + 1):
        summary.revisions.create(number=number, source=f"version {number}")
    return f"/api/v1/summaries/{summary.pk}/revisions/", {}


def comments(count, viewer):
    summary = SummaryFactory()
    parent = None
    for index in range(count):
        parent = CommentFactory(summary=summary, parent=parent if index % 2 else None)
    return f"/api/v1/summaries/{summary.pk}/comments/", {}


def demos(count, viewer):
    """Demos with two-author papers and a finished latest run, some on summaries."""
    for index in range(count):
        paper = PaperFactory(author_count=2)
        summary = SummaryFactory(paper=paper) if index % 2 else None
        demo = DemoFactory(paper=paper, summary=summary)
        run = DemoRunFactory(demo=demo, status=DemoRun.Status.SUCCEEDED)
        Demo.objects.filter(pk=demo.pk).update(latest_run=run, latest_success=run)
    return "/api/v1/demos/", {}


# (builder, queries for a visitor, queries for a signed-in member). Search
# spends one query on looking the query up as a BibTeX key.
LISTS = {
    "papers": (papers, 2, 2),
    "search": (search, 4, 4),
    "summaries": (summaries, 2, 3),
    "paper_summaries": (paper_summaries, 3, 4),
    "user_summaries": (user_summaries, 3, 4),
    "revisions": (revisions, 3, 3),
    "comments": (comments, 3, 3),
    "demos": (demos, 2, 2),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
@pytest.mark.parametrize("name", LISTS)
def test_list_query_count(api_client, django_assert_num_queries, name, signed_in, size):
    build, visitor_queries, member_queries = LISTS[name]
    viewer = UserFactory()
    url, query = build(size, viewer)
    if signed_in:
        api_client.force_authenticate(viewer)

    with django_assert_num_queries(member_queries if signed_in else visitor_queries):
        response = api_client.get(url, {**query, "page_size": size})

    assert response.status_code == 200
    assert len(response.json()["results"]) >= min(size, 20)
