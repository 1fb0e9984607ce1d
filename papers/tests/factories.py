import factory

from papers.models import Author, Authorship, Paper
from search.services import index_papers


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author
        django_get_or_create = ("name",)

    first = factory.Faker("first_name")
    last = factory.Faker("last_name")
    name = factory.LazyAttributeSequence(lambda a, n: f"{a.first} {a.last} {n}")


class PaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paper
        skip_postgeneration_save = True

    bibtex_key = factory.Sequence(lambda n: f"journals/test/Paper{n:05d}")
    entry_type = "article"
    title = factory.Faker("sentence", nb_words=6)
    year = 2020
    venue = "Journal of Tests"

    @factory.post_generation
    def author_count(paper, create, extracted, **kwargs):
        """Attach ``author_count`` authors (two by default) in order."""
        if not create:
            return
        for position in range(2 if extracted is None else extracted):
            Authorship.objects.create(
                paper=paper, author=AuthorFactory(), position=position
            )
        # As import_bibtex does, so that search finds the paper.
        index_papers([paper.pk])
