"""Render stored HTML again from its source after the renderer changed."""

from django.core.management.base import BaseCommand

from comments.models import Comment
from papers.models import Paper
from search import services as search_services
from shortscience import pagecache
from shortscience.markup import render_excerpt, render_markdown
from shortscience.markup.title import render_title
from summaries.models import Summary

KINDS = ("summaries", "comments", "titles")
BATCH = 500


class Command(BaseCommand):
    help = (
        "Render the stored HTML of summaries, comments and paper titles again "
        "from their sources, for example after an upgrade of the Markdown or "
        "math renderer. Sources, revisions, versions and edit times stay as "
        "they are; only rows whose HTML changes are written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            choices=KINDS,
            action="append",
            help="Render only this kind; repeat for several (default: all).",
        )

    def handle(self, *args, **options):
        kinds = options["only"] or KINDS
        for kind in KINDS:
            if kind in kinds:
                checked, changed = getattr(self, f"_rerender_{kind}")()
                self.stdout.write(f"{kind}: {changed} of {checked} changed")
        # Every cached page may show some of the rendered HTML.
        pagecache.invalidate(pagecache.SITE)

    def _rerender_summaries(self) -> tuple[int, int]:
        checked = changed = 0
        rows = Summary.objects.only("paper_id", "source", "html", "excerpt").order_by(
            "pk"
        )
        for summary in rows.iterator(chunk_size=BATCH):
            checked += 1
            html = render_markdown(summary.source)
            excerpt = render_excerpt(summary.source)
            if html == summary.html and excerpt == summary.excerpt:
                continue
            Summary.objects.filter(pk=summary.pk).update(html=html, excerpt=excerpt)
            summary.html = html
            search_services.index_summary(summary)
            changed += 1
        return checked, changed

    def _rerender_comments(self) -> tuple[int, int]:
        checked = changed = 0
        rows = (
            Comment.objects.filter(deleted__isnull=True)
            .only("source", "html")
            .order_by("pk")
        )
        for comment in rows.iterator(chunk_size=BATCH):
            checked += 1
            html = render_markdown(comment.source)
            if html != comment.html:
                Comment.objects.filter(pk=comment.pk).update(html=html)
                changed += 1
        return checked, changed

    def _rerender_titles(self) -> tuple[int, int]:
        checked = changed = 0
        rows = Paper.objects.only("title", "title_html").order_by("pk")
        for paper in rows.iterator(chunk_size=BATCH):
            checked += 1
            title_html = render_title(paper.title)
            if title_html != paper.title_html:
                Paper.objects.filter(pk=paper.pk).update(title_html=title_html)
                changed += 1
        return checked, changed
