"""Reads for papers: lookups by BibTeX key and listings with authors."""

from django.db.models import Prefetch, QuerySet

from .models import Authorship, Paper


def with_authors(queryset: QuerySet[Paper]) -> QuerySet[Paper]:
    """Prefetch the papers' authors in order, in one query for any number of papers.

    ``Paper.author_names`` and templates that loop over
    ``paper.authorships.all`` then issue no further queries.
    """
    return queryset.prefetch_related(
        Prefetch("authorships", queryset=Authorship.objects.select_related("author"))
    )


def get_paper(bibtex_key: str) -> Paper:
    """Return the paper with exactly this key, authors prefetched.

    Raises Paper.DoesNotExist when no paper has the key. The key is compared
    verbatim, case and punctuation included.
    """
    return with_authors(Paper.objects.select_related("submitted_by")).get(
        bibtex_key=bibtex_key
    )


def paper_list() -> QuerySet[Paper]:
    """Return all papers, newest year first, with authors prefetched."""
    return with_authors(Paper.objects.select_related("submitted_by"))
