from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from comments.models import Comment
from comments.services import create_comment
from papers.services import import_bibtex
from summaries.importing import import_summaries, read_index
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
            members = {
                user.username: user
                for user in get_user_model().objects.filter(
                    username__in={name for vote in SAMPLE_VOTES for name in vote[:2]}
                )
            }
            votes_cast, votes_present = self._add_votes(members)
            comments_created, comments_present = self._add_comments(members)
        self.stdout.write(
            f"Sample papers: {papers.created} created, {papers.updated} updated, "
            f"{papers.unchanged} already present."
        )
        self.stdout.write(
            f"Sample summaries: {summaries.created} created, {summaries.updated} "
            f"updated, {summaries.unchanged} already present."
        )
        self.stdout.write(
            f"Sample votes: {votes_cast} cast, {votes_present} already present."
        )
        self.stdout.write(
            f"Sample comments: {comments_created} created, {comments_present} "
            "already present."
        )

    def _add_votes(self, members: dict) -> tuple[int, int]:
        """Cast the sample votes on the sample summaries; return (cast, present)."""
        sample = [
            (entry["bibtex_key"], entry["author"]) for entry in read_index(SAMPLE_DIR)
        ]
        cast = present = 0
        for voter, author, value in SAMPLE_VOTES:
            keys = [key for key, username in sample if username == author]
            summaries = Summary.objects.filter(
                author__username=author, paper__bibtex_key__in=keys
            )
            for summary in summaries:
                if summary.votes.filter(user=members[voter]).exists():
                    present += 1
                    continue
                cast_vote(summary=summary, user=members[voter], value=value)
                cast += 1
        return cast, present

    def _add_comments(self, members: dict) -> tuple[int, int]:
        """Post the sample comment thread once; return (created, present)."""
        batchnorm = Summary.objects.get(
            paper__bibtex_key="journals/corr/abs-1805-11604", author__username="ada"
        )
        thread = Comment.objects.filter(
            summary=batchnorm, author__username__in=["alan", "ada"]
        )
        if thread.exists():
            return 0, thread.count()
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
        return 2, 0
