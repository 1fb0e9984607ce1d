from django import template
from django.conf import settings

from demos.selectors import demos_for_page

register = template.Library()


@register.simple_tag(takes_context=True)
def page_demos(context, paper, summary=None):
    """Return the demos to show on this paper's page, or on ``summary``'s page."""
    viewer = context.get("user")
    return demos_for_page(paper=paper, viewer=viewer, summary=summary or None)


@register.filter
def duration(seconds) -> str:
    """Format seconds as ``4.2 s`` or ``3 min 5 s``."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


@register.simple_tag
def notebook_size_limit() -> str:
    """Return the largest notebook an upload may be, as ``2 MiB``."""
    mib = settings.DEMOS_NOTEBOOK_MAX_BYTES / (1024 * 1024)
    return f"{mib:g} MiB"
