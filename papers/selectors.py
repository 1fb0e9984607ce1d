"""Reads for papers: lookups by key, listings by venue, year and author, search."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from summaries.models import Summary

from .models import Authorship, Paper


def with_authors(queryset):
    """Prefetch the papers' authors in order, in one query for any number of papers.

    ``Paper.author_names`` and templates that loop over
    ``paper.authorships.all`` then issue no further queries.
    """
    return queryset.prefetch_related(
        Prefetch("authorships", queryset=Authorship.objects.select_related("author"))
    )


def paper_listing(*, viewer, queryset=None):
    """Papers with authors and ``summary_count``, the summaries ``viewer`` may see."""
    visible = (
        Summary.objects.visible_to(viewer)
        .filter(paper=OuterRef("pk"))
        .order_by()
        .values("paper")
        .annotate(count=Count("pk"))
        .values("count")
    )
    queryset = Paper.objects.all() if queryset is None else queryset
    return with_authors(queryset).annotate(
        summary_count=Coalesce(Subquery(visible, output_field=IntegerField()), 0)
    )


def get_paper(bibtex_key: str) -> Paper:
    """Return the paper with exactly this key, authors prefetched.

    Raises Paper.DoesNotExist when no paper has the key. The key is compared
    verbatim, case and punctuation included.
    """
    return with_authors(Paper.objects.all()).get(bibtex_key=bibtex_key)


def paper_list():
    """Return all papers, newest year first, with authors prefetched."""
    return with_authors(Paper.objects.all())


def venue_counts():
    """Return (venue, paper count) pairs, most papers first."""
    return (
        Paper.objects.exclude(venue="")
        .values_list("venue")
        .annotate(count=Count("pk"))
        .order_by("-count", "venue")
    )


def year_counts():
    """Return (year, paper count) pairs, newest year first."""
    return (
        Paper.objects.exclude(year=None)
        .values_list("year")
        .annotate(count=Count("pk"))
        .order_by("-year")
    )


def search_papers(*, query: str, viewer):
    """Return the papers matching ``query`` for ``viewer``, best match first.

    Full-text search over titles, authors, abstracts and the summaries the
    viewer may see; see ``search.selectors.paper_queryset`` for the contract.
    """
    # Imported here because search builds on this module's paper_listing.
    from search.selectors import paper_queryset

    return paper_queryset(query=query, viewer=viewer)
