"""Private summaries exist only for their author; anonymous ones never name theirs.

Each page that lists, counts or links summaries is checked from three
viewers: a visitor, another member and the author.
"""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from comments.tests.factories import CommentFactory
from papers.tests.factories import PaperFactory
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Confidential-finding-7731"


@pytest.fixture
def owner():
    return UserFactory(username="zq-hidden-author", display_name="Zelda Quux")


@pytest.fixture
def private_summary(owner):
    paper = PaperFactory(title="Paper With Private Notes", venue="Venue X", year=2001)
    return SummaryFactory(
        paper=paper, author=owner, private=True, source=f"{SECRET_TEXT} notes"
    )


@pytest.fixture
def anonymous_summary(owner):
    paper = PaperFactory(title="Paper Reviewed Anonymously", venue="Venue Y")
    return SummaryFactory(paper=paper, author=owner, anonymous=True, score=4)


def listing_urls(summary):
    paper = summary.paper
    return [
        reverse("home") + "?tab=popular",
        reverse("home") + "?tab=recent",
        reverse("home") + "?tab=top",
        paper.get_absolute_url(),
        reverse("papers:search") + f"?q={paper.title.split()[0]}",
        reverse("papers:venue", args=[paper.venue]),
        reverse("papers:year", args=[paper.year]),
        reverse("papers:author", args=[paper.authorships.first().author_id]),
        reverse("accounts:profile", args=[summary.author.username]),
    ]


def summary_urls(summary):
    return [
        reverse("summaries:detail", args=[summary.pk]),
        reverse("summaries:history", args=[summary.pk]),
    ]


@pytest.mark.parametrize("viewer_kind", ["visitor", "member"])
def test_private_summary_absent_from_listings(client, private_summary, viewer_kind):
    if viewer_kind == "member":
        client.force_login(UserFactory())

    for url in listing_urls(private_summary):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET_TEXT not in response.text, url
        assert "1 summary" not in response.text, url


@pytest.mark.parametrize("viewer_kind", ["visitor", "member"])
def test_private_summary_pages_answer_404(client, private_summary, viewer_kind):
    if viewer_kind == "member":
        client.force_login(UserFactory())

    for url in summary_urls(private_summary):
        assert client.get(url).status_code == 404, url


def test_private_summary_actions_answer_404_for_others(client, private_summary):
    CommentFactory(summary=private_summary)
    comment = private_summary.comments.get()
    client.force_login(UserFactory())

    responses = [
        client.get(reverse("summaries:edit", args=[private_summary.pk])),
        client.post(reverse("summaries:delete", args=[private_summary.pk])),
        client.post(reverse("summaries:vote", args=[private_summary.pk]), {"value": 1}),
        client.post(
            reverse("comments:create", args=[private_summary.pk]), {"source": "hi"}
        ),
        client.get(reverse("comments:edit", args=[comment.pk])),
        client.post(reverse("comments:delete", args=[comment.pk])),
    ]

    assert [response.status_code for response in responses] == [404] * 6


def test_private_summary_visible_to_author(client, private_summary, owner):
    client.force_login(owner)

    for url in [*listing_urls(private_summary), *summary_urls(private_summary)]:
        response = client.get(url)
        assert SECRET_TEXT in response.text or "1 summary" in response.text, url


def test_missing_and_private_summary_answer_alike(client, private_summary):
    missing = client.get(reverse("summaries:detail", args=[private_summary.pk + 999]))
    private = client.get(reverse("summaries:detail", args=[private_summary.pk]))

    assert missing.status_code == private.status_code == 404


@pytest.mark.parametrize("viewer_kind", ["visitor", "member"])
def test_anonymous_summary_never_names_author(
    client, anonymous_summary, owner, viewer_kind
):
    if viewer_kind == "member":
        client.force_login(UserFactory())
    urls = [
        *listing_urls(anonymous_summary)[:-1],
        *summary_urls(anonymous_summary),
    ]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert owner.username not in response.text, url
        assert owner.display_name not in response.text, url
        assert "Anonymous" in response.text or "summar" in response.text, url


def test_anonymous_summary_not_on_author_profile(client, anonymous_summary, owner):
    response = client.get(reverse("accounts:profile", args=[owner.username]))

    assert anonymous_summary.paper.title not in response.text
    assert response.context["score"] == 0
    assert response.context["page"].paginator.count == 0


def test_anonymous_summary_on_own_profile(client, anonymous_summary, owner):
    client.force_login(owner)

    response = client.get(reverse("accounts:profile", args=[owner.username]))

    assert anonymous_summary.paper.title in response.text
    assert response.context["score"] == 4


def test_anonymous_summary_shows_author_to_author(client, anonymous_summary, owner):
    client.force_login(owner)

    response = client.get(anonymous_summary.get_absolute_url())

    assert owner.display_name in response.text
    assert "anonymous to others" in response.text


def test_authors_comment_on_anonymous_summary_stays_anonymous(
    client, anonymous_summary, owner
):
    CommentFactory(summary=anonymous_summary, author=owner, source="Author reply")
    client.force_login(UserFactory())

    response = client.get(anonymous_summary.get_absolute_url())

    assert "Author reply" in response.text
    assert owner.username not in response.text
    assert owner.display_name not in response.text
    assert "Anonymous (the summary's author)" in response.text
