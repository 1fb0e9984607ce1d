import factory

from accounts.tests.factories import UserFactory
from comments.models import Comment
from shortscience.markup import render_markdown
from summaries.tests.factories import SummaryFactory


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    summary = factory.SubFactory(SummaryFactory)
    author = factory.SubFactory(UserFactory)
    source = factory.Faker("sentence")
    html = factory.LazyAttribute(lambda comment: render_markdown(comment.source))
