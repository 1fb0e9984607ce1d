"""Writes for comments: post, reply, edit and soft delete."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from shortscience import pagecache
from shortscience.exceptions import ServiceError
from shortscience.markup import normalize_newlines, render_checked
from summaries.services import refresh_popularity

from .models import Comment

logger = logging.getLogger(__name__)


def render_comment_source(source: str) -> str:
    """Check the comment's Markdown against the limits and return its HTML.

    Raises ServiceError (field ``source``) if it is empty or over a limit.
    """
    if not source.strip():
        raise ServiceError("The comment is empty.", field="source")
    try:
        rendered = render_checked(
            source,
            max_bytes=settings.COMMENT_MAX_BYTES,
            max_formula_bytes=settings.FORMULA_MAX_BYTES,
            max_formulas=settings.FORMULAS_MAX,
        )
    except ValidationError as error:
        raise ServiceError.from_validation_error(error, field="source") from error
    return rendered.html


def create_comment(*, summary, author, source: str, parent: Comment | None = None):
    """Post a comment on ``summary``, or a reply to ``parent`` on the same summary.

    The caller has already checked that ``author`` may see the summary.
    """
    if parent is not None:
        if parent.summary_id != summary.pk:
            raise ServiceError(
                "The comment you are replying to belongs to another summary.",
                field="parent",
            )
        if parent.is_deleted:
            raise ServiceError(
                "The comment you are replying to was deleted.", field="parent"
            )
    source = normalize_newlines(source)
    html = render_comment_source(source)
    comment = Comment.objects.create(
        summary=summary, author=author, parent=parent, source=source, html=html
    )
    refresh_popularity(summary.pk)
    pagecache.invalidate_summary(summary, listings=False)
    logger.info(
        "Comment created: comment_id=%s summary_id=%s parent_id=%s user_id=%s",
        comment.pk,
        summary.pk,
        parent.pk if parent else None,
        author.pk,
    )
    return comment


def edit_comment(*, comment: Comment, editor, source: str) -> Comment:
    """Replace the text of ``comment``; only its author may, and not once deleted."""
    if editor.pk != comment.author_id:
        raise ServiceError("Only the author can edit this comment.", code="forbidden")
    if comment.is_deleted:
        raise ServiceError("A deleted comment cannot be edited.", code="conflict")
    source = normalize_newlines(source)
    html = render_comment_source(source)
    if source != comment.source:
        comment.source = source
        comment.html = html
        comment.edited = timezone.now()
        comment.save(update_fields=["source", "html", "edited"])
        pagecache.invalidate_summary(comment.summary, listings=False)
        logger.info("Comment edited: comment_id=%s user_id=%s", comment.pk, editor.pk)
    return comment


def delete_comment(*, comment: Comment, user) -> Comment:
    """Soft-delete ``comment``: clear its text but keep its place for the replies.

    Its author may delete it, and so may staff, for moderation. Deleting twice
    is harmless.
    """
    if user.pk != comment.author_id and not user.is_staff:
        raise ServiceError("Only the author can delete this comment.", code="forbidden")
    if not comment.is_deleted:
        comment.deleted = timezone.now()
        comment.source = ""
        comment.html = ""
        comment.save(update_fields=["deleted", "source", "html"])
        pagecache.invalidate_summary(comment.summary, listings=False)
        logger.info("Comment deleted: comment_id=%s user_id=%s", comment.pk, user.pk)
    return comment
