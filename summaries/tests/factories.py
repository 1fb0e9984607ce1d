import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from papers.tests.factories import PaperFactory
from search.services import index_summary
from shortscience.markup import render_excerpt, render_markdown
from summaries.models import Summary, SummaryRevision, Vote
from summaries.services import popularity_of


class SummaryFactory(factory.django.DjangoModelFactory):
    """A saved summary with its first revision, as ``create_summary`` leaves it."""

    class Meta:
        model = Summary
        skip_postgeneration_save = True

    paper = factory.SubFactory(PaperFactory)
    author = factory.SubFactory(UserFactory)
    source = factory.Faker("paragraph", nb_sentences=4)
    html = factory.LazyAttribute(lambda summary: render_markdown(summary.source))
    excerpt = factory.LazyAttribute(lambda summary: render_excerpt(summary.source))
    score = 0
    popularity = factory.LazyAttribute(
        lambda summary: popularity_of(
            score=summary.score, comment_count=0, active_at=timezone.now()
        )
    )

    @factory.post_generation
    def first_revision(summary, create, extracted, **kwargs):
        if create:
            SummaryRevision.objects.create(
                summary=summary, number=1, source=summary.source, editor=summary.author
            )
            index_summary(summary)


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    summary = factory.SubFactory(SummaryFactory)
    user = factory.SubFactory(UserFactory)
    value = Vote.UP
