"""Reads for summaries: feeds, a paper's summaries, votes and revision diffs.

Every query starts from ``Summary.objects.visible_to(viewer)``.
"""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from comments.models import Comment
from papers.models import Authorship

from .models import Summary, Vote

FEED_TABS = ("popular", "recent", "top")


def _count_of(queryset) -> Coalesce:
    """Count rows of ``queryset`` per summary as a subquery (0 when none).

    Subqueries keep several counts on one summary query from multiplying
    each other, as joins would.
    """
    counted = (
        queryset.filter(summary=OuterRef("pk"))
        .order_by()
        .values("summary")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_listing_data(queryset, *, full_text: bool = False):
    """Load what a summary listing shows in a fixed number of queries.

    Adds the paper, its ordered authors, the author and ``comment_count``
    (comments not deleted). Pages show the excerpt, so the summary's source
    and HTML and the paper's abstract and BibTeX stay in the database unless
    ``full_text`` asks for them, as the API does.
    """
    queryset = queryset.select_related("paper", "author")
    if not full_text:
        queryset = queryset.defer("source", "html", "paper__abstract", "paper__bibtex")
    return queryset.annotate(
        comment_count=_count_of(Comment.objects.filter(deleted__isnull=True))
    ).prefetch_related(
        Prefetch(
            "paper__authorships",
            queryset=Authorship.objects.select_related("author"),
        )
    )


def summary_feed(*, viewer, tab: str):
    """Return the home page listing for ``tab`` (popular, recent or top).

    Popular ranks by the stored ``popularity`` (activity and how recent it
    is, see ``services.popularity_of``); recent by creation time; top by
    score.
    """
    queryset = with_listing_data(Summary.objects.visible_to(viewer))
    if tab == "recent":
        return queryset.order_by("-created", "-pk")
    if tab == "top":
        return queryset.order_by("-score", "-created", "-pk")
    return queryset.order_by("-popularity", "-pk")


def summaries_of_paper(*, paper, viewer):
    """Return the summaries of ``paper`` that ``viewer`` may see, best first."""
    return (
        Summary.objects.visible_to(viewer)
        .filter(paper=paper)
        .select_related("author")
        .annotate(comment_count=_count_of(Comment.objects.filter(deleted__isnull=True)))
        .order_by("-score", "-created", "-pk")
    )


def get_visible_summary(*, pk: int, viewer) -> Summary:
    """Return summary ``pk`` if ``viewer`` may see it, else raise Http404.

    A private summary of someone else answers exactly as a missing one.
    """
    queryset = (
        Summary.objects.visible_to(viewer)
        .select_related("paper", "author")
        .prefetch_related(
            Prefetch(
                "paper__authorships",
                queryset=Authorship.objects.select_related("author"),
            )
        )
    )
    return get_object_or_404(queryset, pk=pk)


def votes_by_viewer(*, viewer, summaries) -> dict[int, int]:
    """Map summary id to ``viewer``'s vote value, for the given summaries."""
    if viewer is None or not viewer.is_authenticated:
        return {}
    ids = [summary.pk for summary in summaries]
    votes = Vote.objects.filter(user=viewer, summary_id__in=ids)
    return dict(votes.values_list("summary_id", "value"))


def score_of_author(*, author, viewer) -> int:
    """Sum the scores of the summaries ``viewer`` may see credited to ``author``."""
    queryset = Summary.objects.attributed_to(author, viewer)
    return queryset.aggregate(total=Coalesce(Sum("score"), 0))["total"]
