"""Writes for summaries: create, edit with revisions, delete and vote.

Every rule about who may do what to a summary lives here; views and the API
call these functions and turn ``ServiceError`` into their own error shape.
"""

import logging
import math
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from search import services as search_services
from shortscience import pagecache
from shortscience.exceptions import ServiceError
from shortscience.markup import (
    RenderedMarkdown,
    normalize_newlines,
    render_checked,
)

from .models import Summary, SummaryRevision, Vote

logger = logging.getLogger(__name__)


class VersionConflict(ServiceError):
    """An edit that started from an older version than the summary's current one.

    The message states the two versions. Pages and the API each add what
    their user should do next.
    """

    def __init__(self, *, current_version: int, base_version: int):
        super().__init__(
            f"This summary was changed since version {base_version}, which the "
            f"edit started from, and is now at version {current_version}.",
            code="conflict",
            field="source",
        )
        self.current_version = current_version
        self.base_version = base_version


# Popularity: seconds from this epoch, divided by POPULARITY_SECONDS, plus
# the log10 of the activity (votes plus comments). So a summary active now
# ranks level with one that has ten times its activity but was last active
# 12.5 hours earlier.
POPULARITY_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
POPULARITY_SECONDS = 45_000


def popularity_of(*, score: int, comment_count: int, active_at: datetime) -> float:
    """Return the Popular tab's rank from a summary's activity and its last time."""
    activity = score + comment_count
    magnitude = math.log10(max(abs(activity), 1))
    sign = 0
    if activity > 0:
        sign = 1
    elif activity < 0:
        sign = -1
    age = (active_at - POPULARITY_EPOCH).total_seconds()
    return sign * magnitude + age / POPULARITY_SECONDS


def refresh_popularity(summary_id: int) -> None:
    """Rank the summary for the Popular tab after a vote or comment, as of now."""
    row = (
        Summary.objects.filter(pk=summary_id)
        .annotate(
            live_comments=Count("comments", filter=Q(comments__deleted__isnull=True))
        )
        .values_list("score", "live_comments")
        .first()
    )
    if row is None:
        return
    score, comment_count = row
    Summary.objects.filter(pk=summary_id).update(
        popularity=popularity_of(
            score=score, comment_count=comment_count, active_at=timezone.now()
        )
    )


def render_summary_source(source: str) -> RenderedMarkdown:
    """Check the summary's Markdown against the limits and render it.

    Raises ServiceError (field ``source``) if it is empty or over a limit.
    """
    if not source.strip():
        raise ServiceError("The summary is empty.", field="source")
    try:
        return render_checked(
            source,
            max_bytes=settings.SUMMARY_MAX_BYTES,
            max_formula_bytes=settings.FORMULA_MAX_BYTES,
            max_formulas=settings.FORMULAS_MAX,
        )
    except ValidationError as error:
        raise ServiceError.from_validation_error(error, field="source") from error


def create_summary(
    *, paper, author, source: str, private: bool = False, anonymous: bool = False
) -> Summary:
    """Create ``author``'s summary of ``paper`` and its first revision.

    Raises ServiceError with code ``conflict`` if the author already has a
    summary of this paper: there is one per member per paper.
    """
    source = normalize_newlines(source)
    rendered = render_summary_source(source)
    if Summary.objects.filter(paper=paper, author=author).exists():
        raise ServiceError(
            "You have already summarised this paper; edit your summary instead.",
            code="conflict",
        )
    try:
        with transaction.atomic():
            summary = Summary.objects.create(
                paper=paper,
                author=author,
                source=source,
                html=rendered.html,
                excerpt=rendered.excerpt,
                private=private,
                anonymous=anonymous,
                popularity=popularity_of(
                    score=0, comment_count=0, active_at=timezone.now()
                ),
            )
            SummaryRevision.objects.create(
                summary=summary, number=1, source=source, editor=author
            )
            search_services.index_summary(summary)
    except IntegrityError as error:
        raise ServiceError(
            "You have already summarised this paper; edit your summary instead.",
            code="conflict",
        ) from error
    pagecache.invalidate_summary(summary, listings=True)
    logger.info(
        "Summary created: summary_id=%s paper_id=%s user_id=%s",
        summary.pk,
        paper.pk,
        author.pk,
    )
    return summary


def update_summary(
    *,
    summary: Summary,
    editor,
    source: str,
    private: bool,
    anonymous: bool,
    base_version: int,
) -> Summary:
    """Save an edit of ``summary`` by its author, keeping the old source as history.

    ``base_version`` is the version the editor started from. If someone saved
    since, the edit is rejected with ``VersionConflict`` instead of silently
    overwriting theirs; the caller keeps the editor's text. A new revision is
    recorded only when the source changes.
    """
    if editor.pk != summary.author_id:
        raise ServiceError("Only the author can edit this summary.", code="forbidden")
    source = normalize_newlines(source)
    rendered = render_summary_source(source)
    with transaction.atomic():
        current = Summary.objects.select_for_update().get(pk=summary.pk)
        if current.version != base_version:
            raise VersionConflict(
                current_version=current.version, base_version=base_version
            )
        fields = {"private": private, "anonymous": anonymous}
        if source != current.source:
            fields.update(
                source=source,
                html=rendered.html,
                excerpt=rendered.excerpt,
                version=current.version + 1,
            )
            SummaryRevision.objects.create(
                summary=current,
                number=current.version + 1,
                source=source,
                editor=editor,
            )
        for name, value in fields.items():
            setattr(current, name, value)
        current.save(update_fields=[*fields, "updated"])
        if "source" in fields:
            search_services.index_summary(current)
    pagecache.invalidate_summary(current, listings=True)
    logger.info(
        "Summary updated: summary_id=%s version=%s user_id=%s",
        current.pk,
        current.version,
        editor.pk,
    )
    return current


def delete_summary(*, summary: Summary, user) -> None:
    """Delete ``summary`` with its votes, comments and history.

    Its author may delete it, and so may staff, for moderation.
    """
    if user.pk != summary.author_id and not user.is_staff:
        raise ServiceError("Only the author can delete this summary.", code="forbidden")
    summary_id = summary.pk
    pagecache.invalidate_summary(summary, listings=True)
    summary.delete()
    logger.info("Summary deleted: summary_id=%s user_id=%s", summary_id, user.pk)


def cast_vote(*, summary: Summary, user, value: int | None) -> int:
    """Set ``user``'s vote on ``summary`` to +1 or -1, or remove it with None.

    Returns the new score. The summary row is locked while the score is
    recomputed from the votes, so concurrent votes leave it exact.
    """
    if value not in (Vote.UP, Vote.DOWN, None):
        raise ServiceError("A vote is +1, -1 or empty (to remove it).", field="value")
    if user.pk == summary.author_id:
        raise ServiceError("You cannot vote on your own summary.", code="forbidden")
    with transaction.atomic():
        Summary.objects.select_for_update().filter(pk=summary.pk).first()
        if value is None:
            Vote.objects.filter(summary=summary, user=user).delete()
        else:
            Vote.objects.update_or_create(
                summary=summary, user=user, defaults={"value": value}
            )
        score = Vote.objects.filter(summary=summary).aggregate(total=Sum("value"))
        new_score = score["total"] or 0
        Summary.objects.filter(pk=summary.pk).update(score=new_score)
        refresh_popularity(summary.pk)
    summary.score = new_score
    pagecache.invalidate_summary(summary, listings=False)
    logger.info(
        "Vote cast: summary_id=%s user_id=%s value=%s score=%s",
        summary.pk,
        user.pk,
        value,
        new_score,
    )
    return new_score
