"""A private summary exists only for its author, in every API response.

Member B owns a private summary; member A lists, searches, filters, orders,
opens its detail address and its comments. It must appear nowhere for A,
and its addresses must return the same response as a missing summary's.
"""

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from accounts.services import create_api_token
from accounts.tests.factories import UserFactory
from comments.tests.factories import CommentFactory
from papers.tests.factories import PaperFactory
from summaries.models import Summary
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db

SECRET = "Zanzibarquux private finding"


def client_of(user) -> APIClient:
    _, key = create_api_token(user=user, name="visibility")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def world():
    """Return A's client (reader), B's client (owner) and B's private summary."""
    owner = UserFactory(username="owner-b")
    paper = PaperFactory(bibtex_key="conf/private/Only1", title="Lonely Paper")
    private = SummaryFactory(
        paper=paper, author=owner, private=True, source=SECRET, score=99
    )
    CommentFactory(summary=private, source="Comment on the secret")
    SummaryFactory(paper=PaperFactory(bibtex_key="conf/public/P1"), score=1)
    return SimpleNamespace(
        reader=client_of(UserFactory(username="reader-a")),
        owner=client_of(owner),
        private=private,
    )


LIST_URLS = [
    "/api/v1/summaries/",
    "/api/v1/summaries/?ordering=-score",
    "/api/v1/summaries/?ordering=score",
    "/api/v1/summaries/?author=owner-b",
    "/api/v1/summaries/?paper=conf/private/Only1",
    "/api/v1/papers/conf/private/Only1/summaries/",
    "/api/v1/users/owner-b/summaries/",
]


@pytest.mark.parametrize("url", LIST_URLS)
def test_private_summary_not_listed(world, url):
    body = world.reader.get(url).content.decode()

    assert SECRET not in body
    assert f"/summaries/{world.private.pk}/" not in body


@pytest.mark.parametrize("url", LIST_URLS)
def test_private_summary_listed_for_owner(world, url):
    body = world.owner.get(url).content.decode()

    assert f"/summaries/{world.private.pk}/" in body


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/papers/?has_summaries=true",
        "/api/v1/search/?q=lonely&has_summaries=true",
    ],
)
def test_filter_ignores_private_summary(world, url):
    keys = [p["bibtex_key"] for p in world.reader.get(url).json()["results"]]

    assert "conf/private/Only1" not in keys


def test_summary_count_ignores_private(world):
    found = world.reader.get("/api/v1/search/?q=lonely").json()["results"]
    detail = world.reader.get("/api/v1/papers/conf/private/Only1/").json()

    assert found[0]["summary_count"] == 0
    assert detail["summary_count"] == 0


def test_summary_count_includes_private_for_owner(world):
    detail = world.owner.get("/api/v1/papers/conf/private/Only1/").json()

    assert detail["summary_count"] == 1


def test_filter_without_summaries_keeps_paper(world):
    response = world.reader.get("/api/v1/papers/?has_summaries=false")

    keys = [p["bibtex_key"] for p in response.json()["results"]]
    assert "conf/private/Only1" in keys


def test_user_score_ignores_private(world):
    profile = world.reader.get("/api/v1/users/owner-b/").json()

    assert profile["score"] == 0


@pytest.mark.parametrize(
    "suffix", ["", "comments/", "revisions/", "revisions/1/", "diff/", "vote/"]
)
def test_private_same_as_missing(world, suffix):
    missing = Summary.objects.order_by("-pk").first().pk + 1000

    hidden = world.reader.get(f"/api/v1/summaries/{world.private.pk}/{suffix}")
    absent = world.reader.get(f"/api/v1/summaries/{missing}/{suffix}")

    assert hidden.status_code == 404
    assert hidden.content == absent.content
    assert sorted(hidden.headers) == sorted(absent.headers)


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_private_write_same_as_missing(world, method):
    missing = Summary.objects.order_by("-pk").first().pk + 1000
    body = {"source": "x", "private": False, "anonymous": False, "base_version": 1}

    hidden = getattr(world.reader, method)(
        f"/api/v1/summaries/{world.private.pk}/", body
    )
    absent = getattr(world.reader, method)(f"/api/v1/summaries/{missing}/", body)

    assert hidden.status_code == 404
    assert hidden.content == absent.content


def test_private_vote_and_comment_404(world):
    vote = world.reader.put(f"/api/v1/summaries/{world.private.pk}/vote/", {"value": 1})
    comment = world.reader.post(
        f"/api/v1/summaries/{world.private.pk}/comments/", {"source": "Found you"}
    )

    assert vote.status_code == 404
    assert comment.status_code == 404


def test_private_summary_comment_detail_is_404(world):
    comment = world.private.comments.get()

    response = world.reader.get(f"/api/v1/comments/{comment.pk}/")

    assert response.status_code == 404


def test_anonymous_caller_sees_no_private(world):
    body = APIClient().get("/api/v1/summaries/").content.decode()

    assert SECRET not in body


def test_private_summary_detail_for_owner(world):
    response = world.owner.get(f"/api/v1/summaries/{world.private.pk}/")

    assert response.json()["source"] == SECRET
