"""Reads for comments: the threads of a summary."""

from dataclasses import dataclass, field

from .models import Comment


@dataclass
class CommentNode:
    """A comment with its replies, in posting order."""

    comment: Comment
    depth: int = 0
    replies: list["CommentNode"] = field(default_factory=list)


def comment_threads(*, summary) -> list[CommentNode]:
    """Return the comment tree of ``summary``, built from one query.

    A deleted comment stays as a placeholder while it has replies, so the
    thread keeps its shape; a deleted comment with none is left out.
    """
    comments = Comment.objects.filter(summary=summary).select_related("author")
    nodes = {comment.pk: CommentNode(comment=comment) for comment in comments}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.comment.parent_id)
        if parent is None:
            roots.append(node)
        else:
            parent.replies.append(node)

    # Children are visited before their parents (reverse display order), so
    # a parent knows whether any reply survived. No recursion: a long reply
    # chain must not reach Python's recursion limit.
    for node in reversed(flatten_threads(roots)):
        node.replies = [reply for reply in node.replies if _is_shown(reply)]
    return [root for root in roots if _is_shown(root)]


def _is_shown(node: CommentNode) -> bool:
    return not node.comment.is_deleted or bool(node.replies)


def flatten_threads(roots: list[CommentNode]) -> list[CommentNode]:
    """Return the tree in display order, each comment before its replies.

    Sets each node's ``depth`` (0 for a top-level comment) on the way.
    """
    ordered = []
    stack = [(root, 0) for root in reversed(roots)]
    while stack:
        node, depth = stack.pop()
        node.depth = depth
        ordered.append(node)
        stack.extend((reply, depth + 1) for reply in reversed(node.replies))
    return ordered
