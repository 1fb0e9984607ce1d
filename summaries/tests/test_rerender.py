"""The rerender_markup command: stored HTML rendered again from its source."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment
from comments.tests.factories import CommentFactory
from papers.models import Paper
from papers.tests.factories import PaperFactory
from search import services as search_services
from search.selectors import search
from shortscience.markup import render_markdown
from summaries.models import Summary
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db

STALE = "<p>stale</p>"


def rerender(*args) -> str:
    output = StringIO()
    call_command("rerender_markup", *args, stdout=output)
    return output.getvalue()


def test_stale_summary_html_rendered_again():
    summary = SummaryFactory(source="Energy $E = mc^2$ and *wombat*.")
    Summary.objects.filter(pk=summary.pk).update(html=STALE, excerpt=STALE)
    before = Summary.objects.get(pk=summary.pk)

    output = rerender()

    after = Summary.objects.get(pk=summary.pk)
    assert after.html == render_markdown(summary.source)
    assert "<math" in after.html
    assert after.excerpt != STALE
    assert after.version == before.version
    assert after.updated == before.updated
    assert after.revisions.count() == before.revisions.count()
    assert "summaries: 1 of 1 changed" in output


def test_rerendered_summary_is_reindexed():
    summary = SummaryFactory(source="A quincunx of ideas.")
    Summary.objects.filter(pk=summary.pk).update(html=STALE)
    search_services.index_summary(Summary.objects.get(pk=summary.pk))
    assert search(query="quincunx", viewer=None).total == 0

    rerender("--only", "summaries")

    assert search(query="quincunx", viewer=None).total == 1


def test_comments_rendered_again_deleted_left_alone():
    comment = CommentFactory(source="Reply with $x_1$.")
    deleted = CommentFactory(source="Gone.", deleted=timezone.now())
    Comment.objects.filter(pk__in=[comment.pk, deleted.pk]).update(html=STALE)

    output = rerender("--only", "comments")

    assert Comment.objects.get(pk=comment.pk).html == render_markdown(comment.source)
    assert Comment.objects.get(pk=deleted.pk).html == STALE
    assert "comments: 1 of 1 changed" in output
    assert "summaries:" not in output


def test_titles_rendered_again():
    paper = PaperFactory(title="The $\\alpha$ of things")
    Paper.objects.filter(pk=paper.pk).update(title_html="")

    output = rerender("--only", "titles")

    assert "<math" in Paper.objects.get(pk=paper.pk).title_html
    assert "titles: 1 of 1 changed" in output


def test_second_run_changes_nothing():
    SummaryFactory(source="Plain text.")
    CommentFactory(source="Also plain.")
    rerender()

    output = rerender()

    assert "summaries: 0 of 2 changed" in output
    assert "comments: 0 of 1 changed" in output
