"""Reads for demos: page sections, revisions, one run's status, the API listing."""

from django.db.models import Prefetch

from papers.models import Authorship

from .models import Demo, DemoRevision, DemoRun


def demos_for_page(*, paper, viewer, summary=None) -> list[Demo]:
    """Return the demos shown on a paper page, or on ``summary``'s page.

    A paper page lists the demos attached to the paper alone; a summary
    page lists those attached to that summary. Each demo comes with its
    current revision, latest run and latest successful run in the same
    single query. The caller has shown ``summary`` to ``viewer``, so only
    the approval of each demo is checked here. ``Demo.objects.visible_to``
    tests the demo's summary against every visible summary, a scan of the
    summaries table.
    """
    queryset = Demo.objects.approval_visible_to(viewer).filter(paper=paper)
    if summary is None:
        queryset = queryset.filter(summary__isnull=True)
    else:
        queryset = queryset.filter(summary=summary)
    return list(
        queryset.select_related(
            "current_revision",
            "latest_run",
            "latest_success",
            "latest_run__revision",
            "latest_success__revision",
        )
        .defer(
            "current_revision__notebook",
            "latest_run__revision__notebook",
            "latest_success__revision__notebook",
        )
        .order_by("created")
    )


def demo_listing(*, viewer):
    """Return the demos ``viewer`` may see, with what the API shows of each.

    The paper, its authors, the current revision and the latest runs load
    in two queries for any number of demos. Notebooks and outputs are
    deferred, since a listing shows neither.
    """
    return (
        Demo.objects.visible_to(viewer)
        .select_related("paper", "current_revision", "latest_run", "latest_success")
        .defer(
            "current_revision__notebook",
            "latest_run__cells",
            "latest_run__environment",
            "latest_success__cells",
            "latest_success__environment",
        )
        .prefetch_related(
            Prefetch(
                "paper__authorships",
                queryset=Authorship.objects.select_related("author"),
            )
        )
    )


def get_visible_demo(*, pk: int, viewer) -> Demo:
    """Return the demo ``pk`` if ``viewer`` may see it; raise Demo.DoesNotExist."""
    return Demo.objects.visible_to(viewer).select_related("current_revision").get(pk=pk)


def get_visible_run(*, pk: int, viewer) -> DemoRun:
    """Return run ``pk`` of a demo ``viewer`` may see; raise DemoRun.DoesNotExist."""
    demos = Demo.objects.visible_to(viewer)
    return (
        DemoRun.objects.filter(demo__in=demos)
        .select_related("demo", "revision")
        .defer("revision__notebook")
        .get(pk=pk)
    )


def get_demo_for_review(*, pk: int, viewer) -> Demo:
    """Return demo ``pk`` with what its revision page shows of the paper.

    The same rule as ``get_visible_demo`` applies; raises Demo.DoesNotExist.
    """
    return (
        Demo.objects.visible_to(viewer)
        .select_related("paper", "summary__author", "current_revision")
        .defer("current_revision__notebook")
        .prefetch_related(
            Prefetch(
                "paper__authorships",
                queryset=Authorship.objects.select_related("author"),
            )
        )
        .get(pk=pk)
    )


def revisions_of(demo: Demo) -> list[DemoRevision]:
    """Return the demo's revisions, newest first, with uploaders, not notebooks."""
    return list(
        demo.revisions.select_related("created_by")
        .defer("notebook")
        .order_by("-number")
    )


def revision_notebooks(demo: Demo, numbers: list[int]) -> dict[int, str]:
    """Return the notebook JSON of the demo's revisions ``numbers``, by number."""
    return dict(
        demo.revisions.filter(number__in=numbers).values_list("number", "notebook")
    )
