from django import template

register = template.Library()


@register.simple_tag
def comment_author(comment, summary, viewer):
    """Return the author to credit on ``comment``, or None if hidden.

    See ``Comment.author_shown_to``.

    Usage: ``{% comment_author comment summary request.user as author %}``.
    """
    return comment.author_shown_to(viewer, summary)
