import factory
import nbformat

from accounts.tests.factories import UserFactory
from demos.models import Demo, DemoRevision, DemoRun
from papers.tests.factories import PaperFactory


def make_notebook(*sources: str, markdown: str | None = None) -> str:
    """Return nbformat 4 JSON with one code cell per source, after optional Markdown."""
    notebook = nbformat.v4.new_notebook()
    if markdown is not None:
        notebook.cells.append(nbformat.v4.new_markdown_cell(markdown))
    notebook.cells.extend(nbformat.v4.new_code_cell(source) for source in sources)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nbformat.writes(notebook)


class DemoFactory(factory.django.DjangoModelFactory):
    """An approved CPU demo with one revision holding ``notebook``."""

    class Meta:
        model = Demo
        skip_postgeneration_save = True

    paper = factory.SubFactory(PaperFactory)
    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Demo {n}")
    approval = Demo.Approval.APPROVED
    cell_timeout = 20
    run_timeout = 60
    memory_limit_mb = 2048

    @factory.post_generation
    def notebook(demo, create, extracted, **kwargs):
        if not create:
            return
        text = extracted or make_notebook("print('hello')")
        revision = DemoRevision.objects.create(
            demo=demo, number=1, notebook=text, sha256="0" * 64
        )
        demo.current_revision = revision
        demo.save(update_fields=["current_revision"])


class DemoRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DemoRun

    demo = factory.SubFactory(DemoFactory)
    revision = factory.LazyAttribute(lambda run: run.demo.current_revision)
    cache_key = factory.Sequence(lambda n: f"{n:064x}")
    resource_class = "cpu"
    queue = "demos-cpu"
    cell_timeout = 20
    run_timeout = 60
    memory_limit_mb = 2048
