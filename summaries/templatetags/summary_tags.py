"""Template helpers for summary pages."""

from django import template

register = template.Library()


@register.filter
def shown_author(summary, viewer):
    """Return the author to credit for ``viewer``, or None for an anonymous summary.

    Usage: ``{% with author=summary|shown_author:request.user %}``.
    """
    return summary.author_shown_to(viewer)


@register.filter
def vote_of(votes: dict, summary) -> int:
    """Return the viewer's vote on ``summary`` from a ``votes_by_viewer`` map, or 0."""
    return votes.get(summary.pk, 0) if votes else 0
