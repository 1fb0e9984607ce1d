"""The comment endpoints: threads, posting, replying, editing, soft delete."""

import pytest

from accounts.tests.factories import UserFactory
from comments.models import Comment
from comments.tests.factories import CommentFactory
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db


def comments_path(summary) -> str:
    return f"/api/v1/summaries/{summary.pk}/comments/"


def comment_path(comment) -> str:
    return f"/api/v1/comments/{comment.pk}/"


def thread(client, summary, **query) -> list[tuple[int, int]]:
    """Return (id, depth) of each comment listed, in order."""
    response = client.get(comments_path(summary), query)
    return [(c["id"], c["depth"]) for c in response.json()["results"]]


def test_threads_in_display_order(api_client):
    summary = SummaryFactory()
    first = CommentFactory(summary=summary)
    second = CommentFactory(summary=summary)
    reply = CommentFactory(summary=summary, parent=first)
    nested = CommentFactory(summary=summary, parent=reply)

    assert thread(api_client, summary) == [
        (first.pk, 0),
        (reply.pk, 1),
        (nested.pk, 2),
        (second.pk, 0),
    ]


def test_thread_pages_hold_whole_threads(api_client):
    summary = SummaryFactory()
    roots = [CommentFactory(summary=summary) for _ in range(3)]
    reply = CommentFactory(summary=summary, parent=roots[0])

    first = api_client.get(comments_path(summary), {"page_size": 1}).json()
    second = api_client.get(first["next"]).json()
    back = api_client.get(second["previous"]).json()

    assert [c["id"] for c in first["results"]] == [roots[0].pk, reply.pk]
    assert [c["id"] for c in second["results"]] == [roots[1].pk]
    assert [c["id"] for c in back["results"]] == [roots[0].pk, reply.pk]
    assert back["previous"] is None


def test_deleted_comment_with_replies_is_placeholder(api_client):
    summary = SummaryFactory()
    parent = CommentFactory(summary=summary, source="Gone soon")
    CommentFactory(summary=summary, parent=parent)
    lone = CommentFactory(summary=summary)
    for comment in (parent, lone):
        comment.deleted = comment.created
        comment.source = comment.html = ""
        comment.save()

    listed = api_client.get(comments_path(summary)).json()["results"]

    assert listed[0]["id"] == parent.pk
    assert lone.pk not in [c["id"] for c in listed]
    assert listed[0]["deleted"] is True
    assert listed[0]["author"] is None


def test_post_comment(token_client, member):
    summary = SummaryFactory()

    response = token_client.post(comments_path(summary), {"source": "Nice *point*."})

    assert response.status_code == 201
    assert response.json()["author"]["username"] == member.username
    assert "<em>point</em>" in response.json()["html"]
    assert response["Location"] == response.json()["url"]


def test_reply_to_comment(token_client):
    summary = SummaryFactory()
    parent = CommentFactory(summary=summary)

    response = token_client.post(
        comments_path(summary), {"source": "Agreed.", "parent": parent.pk}
    )

    assert response.status_code == 201
    assert response.json()["parent"] == parent.pk


def test_reply_to_other_summary_comment_is_400(token_client):
    summary = SummaryFactory()
    elsewhere = CommentFactory()

    response = token_client.post(
        comments_path(summary), {"source": "Hm.", "parent": elsewhere.pk}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "parent"


def test_reply_to_deleted_comment_is_400(token_client, member):
    summary = SummaryFactory()
    parent = CommentFactory(summary=summary, author=member)
    token_client.delete(comment_path(parent))

    response = token_client.post(
        comments_path(summary), {"source": "Hm.", "parent": parent.pk}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "parent"


def test_empty_comment_is_400(token_client):
    summary = SummaryFactory()

    response = token_client.post(comments_path(summary), {"source": "  "})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "source"


def test_comment_needs_authentication(api_client):
    summary = SummaryFactory()

    response = api_client.post(comments_path(summary), {"source": "Hi"})

    assert response.status_code == 401


def test_edit_own_comment(token_client, member):
    comment = CommentFactory(author=member, source="Old")

    response = token_client.patch(comment_path(comment), {"source": "New"})

    assert response.status_code == 200
    assert response.json()["source"] == "New"
    assert response.json()["edited"] is not None


def test_edit_other_comment_is_403(token_client):
    comment = CommentFactory(source="Theirs")

    response = token_client.patch(comment_path(comment), {"source": "Mine"})

    assert response.status_code == 403
    assert Comment.objects.get(pk=comment.pk).source == "Theirs"


def test_edit_deleted_comment_is_409(token_client, member):
    comment = CommentFactory(author=member)
    token_client.delete(comment_path(comment))

    response = token_client.patch(comment_path(comment), {"source": "Back"})

    assert response.status_code == 409


def test_delete_is_soft(token_client, member):
    comment = CommentFactory(author=member, source="Text")

    response = token_client.delete(comment_path(comment))

    assert response.status_code == 204
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.deleted is not None
    assert stored.source == ""


def test_delete_other_comment_is_403(token_client):
    comment = CommentFactory()

    response = token_client.delete(comment_path(comment))

    assert response.status_code == 403


def test_anonymous_author_not_credited_on_comments(api_client):
    writer = UserFactory()
    summary = SummaryFactory(author=writer, anonymous=True)
    CommentFactory(summary=summary, author=writer)
    other = CommentFactory(summary=summary)

    listed = api_client.get(comments_path(summary)).json()["results"]
    detail = api_client.get(f"/api/v1/comments/{listed[0]['id']}/").json()

    assert listed[0]["author"] is None
    assert listed[1]["author"]["username"] == other.author.username
    assert detail["author"] is None
    assert writer.username not in str(listed)
