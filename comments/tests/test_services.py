import pytest

from accounts.tests.factories import UserFactory
from comments import services
from comments.selectors import comment_threads, flatten_threads
from comments.tests.factories import CommentFactory
from shortscience.exceptions import ServiceError
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db


def test_reply_is_nested_under_parent():
    parent = CommentFactory()
    reply = services.create_comment(
        summary=parent.summary, author=UserFactory(), source="reply", parent=parent
    )

    (root,) = comment_threads(summary=parent.summary)

    assert root.comment == parent
    assert [node.comment for node in root.replies] == [reply]


def test_reply_to_comment_of_other_summary_is_rejected():
    parent = CommentFactory()

    with pytest.raises(ServiceError) as raised:
        services.create_comment(
            summary=SummaryFactory(), author=UserFactory(), source="x", parent=parent
        )

    assert raised.value.field == "parent"


def test_empty_comment_is_rejected():
    with pytest.raises(ServiceError):
        services.create_comment(
            summary=SummaryFactory(), author=UserFactory(), source="  "
        )


def test_comment_renders_markdown_and_math():
    comment = services.create_comment(
        summary=SummaryFactory(), author=UserFactory(), source="*a* $b$"
    )

    assert "<em>a</em>" in comment.html
    assert "<math" in comment.html


def test_soft_delete_keeps_thread_shape():
    parent = CommentFactory()
    reply = CommentFactory(summary=parent.summary, parent=parent)

    services.delete_comment(comment=parent, user=parent.author)
    (root,) = comment_threads(summary=parent.summary)

    assert root.comment.is_deleted
    assert root.comment.source == ""
    assert [node.comment for node in root.replies] == [reply]


def test_deleted_comment_without_replies_is_hidden():
    comment = CommentFactory()

    services.delete_comment(comment=comment, user=comment.author)

    assert comment_threads(summary=comment.summary) == []


def test_delete_by_other_member_is_forbidden():
    comment = CommentFactory()

    with pytest.raises(ServiceError) as raised:
        services.delete_comment(comment=comment, user=UserFactory())

    assert raised.value.code == "forbidden"


def test_edit_by_author_marks_edited():
    comment = CommentFactory(source="before")

    services.edit_comment(comment=comment, editor=comment.author, source="after")

    comment.refresh_from_db()
    assert comment.source == "after"
    assert comment.edited is not None


def test_edit_deleted_comment_is_rejected():
    comment = CommentFactory()
    services.delete_comment(comment=comment, user=comment.author)

    with pytest.raises(ServiceError):
        services.edit_comment(comment=comment, editor=comment.author, source="back")


def test_reply_to_deleted_comment_is_rejected():
    comment = CommentFactory()
    services.delete_comment(comment=comment, user=comment.author)

    with pytest.raises(ServiceError):
        services.create_comment(
            summary=comment.summary, author=UserFactory(), source="x", parent=comment
        )


def test_deep_reply_chain_flattens_without_recursion():
    summary = SummaryFactory()
    parent = None
    for _ in range(1500):
        parent = CommentFactory(summary=summary, parent=parent)

    ordered = flatten_threads(comment_threads(summary=summary))

    assert len(ordered) == 1500
    assert ordered[-1].depth == 1499
