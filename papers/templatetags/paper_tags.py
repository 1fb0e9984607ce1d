from django import template

from papers.paths import venue_path

register = template.Library()


@register.filter
def venue_url(name: str) -> str:
    """Return the path of the listing of papers published at venue ``name``."""
    return venue_path(name)
