from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from comments.models import Comment
from comments.services import create_comment
from papers.services import import_bibtex
from summaries.importing import import_summaries
from summaries.models import Summary
from summaries.services import cast_vote

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_content"

# (voter, summary author, value): a few votes so the tabs differ.
SAMPLE_VOTES = [
    ("grace", "ada", 1),
    ("alan", "ada", 1),
    ("ada", "grace", 1),
    ("alan", "grace", -1),
    ("ada", "alan", 1),
]


class Command(BaseCommand):
    help = (
        "Load the sample papers, summaries, votes and a comment thread written "
        "for this project. Safe to run again: nothing is duplicated. The sample "
        "members have no password; sign up to take part."
    )

    def handle(self, *args, **options):
        bibtex = (SAMPLE_DIR / "papers.bib").read_text(encoding="utf-8")
        papers = import_bibtex(bibtex, source_name="sample papers.bib")
        if papers.failures:
            raise CommandError(f"Sample BibTeX failed to import: {papers.failures}")
        summaries = import_summaries(SAMPLE_DIR)
        if summaries.failures:
            raise CommandError(f"Sample summaries failed: {summaries.failures}")
        with transaction.atomic():
            self._add_votes_and_comments()
        self.stdout.write(
            f"Sample content: {Summary.objects.count()} summaries on "
            f"{papers.created + papers.updated + papers.unchanged} sample papers."
        )

    def _add_votes_and_comments(self):
        members = {user.username: user for user in get_user_model().objects.all()}
        for voter, author, value in SAMPLE_VOTES:
            for summary in Summary.objects.filter(author__username=author):
                if not summary.votes.filter(user=members[voter]).exists():
                    cast_vote(summary=summary, user=members[voter], value=value)
        batchnorm = Summary.objects.get(
            paper__bibtex_key="journals/corr/abs-1805-11604", author__username="ada"
        )
        if Comment.objects.filter(summary=batchnorm).exists():
            return
        question = create_comment(
            summary=batchnorm,
            author=members["alan"],
            source=(
                "Does the smoothness argument also explain why BatchNorm allows "
                "a learning rate about $10\\times$ larger?"
            ),
        )
        create_comment(
            summary=batchnorm,
            author=members["ada"],
            parent=question,
            source=(
                "Partly: with a smaller Lipschitz constant $L$, a step of size "
                "$\\eta < 2/L$ stays stable, so a smoother loss admits a larger "
                "$\\eta$."
            ),
        )
