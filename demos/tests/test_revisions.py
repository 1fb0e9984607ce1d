"""The page that shows one revision of a demo's notebook."""

from html.parser import HTMLParser

import nbformat
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from demos import services
from demos.models import Demo
from demos.review import percent_script, review_cells
from demos.tests.factories import DemoFactory, make_notebook
from papers.tests.factories import PaperFactory
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db


def revision_url(demo, number=1) -> str:
    return reverse("demos:revision", args=[demo.pk, number])


def log_in(client, viewer, demo):
    """Sign in as ``viewer``: visitor, member, owner or staff."""
    if viewer == "owner":
        client.force_login(demo.owner)
    elif viewer != "visitor":
        client.force_login(UserFactory(is_staff=viewer == "staff"))


class ActiveContent(HTMLParser):
    """Collect what in a page could run script: elements, handlers, URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "iframe", "object", "embed"}:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in {"href", "src"} and (value or "").strip().lower().startswith(
                ("javascript:", "data:text")
            ):
                self.found.append(f"{tag} {name}={value}")


def active_content(html: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(html)
    return parser.found


def page_main(response) -> str:
    """Return the page's main element: the part that shows notebook content."""
    html = response.content.decode()
    return html[html.index('<main id="main"') : html.index("</main>")]


# Who may open a revision page.


@pytest.mark.parametrize(
    ("approval", "viewer", "status"),
    [
        (Demo.Approval.APPROVED, "visitor", 200),
        (Demo.Approval.APPROVED, "member", 200),
        (Demo.Approval.PENDING, "visitor", 404),
        (Demo.Approval.PENDING, "member", 404),
        (Demo.Approval.PENDING, "owner", 200),
        (Demo.Approval.PENDING, "staff", 200),
        (Demo.Approval.REJECTED, "member", 404),
        (Demo.Approval.REJECTED, "owner", 200),
        (Demo.Approval.REJECTED, "staff", 200),
    ],
)
def test_revision_page_permissions(client, approval, viewer, status):
    demo = DemoFactory(approval=approval)
    log_in(client, viewer, demo)
    assert client.get(revision_url(demo)).status_code == status


@pytest.mark.parametrize("viewer", ["visitor", "member", "staff"])
def test_private_summary_demo_hidden(client, viewer):
    summary = SummaryFactory(private=True)
    demo = DemoFactory(paper=summary.paper, summary=summary, owner=summary.author)
    log_in(client, viewer, demo)
    assert client.get(revision_url(demo)).status_code == 404


def test_private_summary_demo_shown_to_author(client):
    summary = SummaryFactory(private=True)
    demo = DemoFactory(paper=summary.paper, summary=summary, owner=summary.author)
    client.force_login(summary.author)
    assert client.get(revision_url(demo)).status_code == 200


def test_missing_demo_404(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("demos:revision", args=[999999, 1])).status_code == 404


def test_missing_revision_404(client):
    demo = DemoFactory()
    assert client.get(revision_url(demo, 2)).status_code == 404


# What the page shows.


def test_revision_page_shows_facts(client):
    paper = PaperFactory(title="A Paper With Demos")
    demo = DemoFactory(paper=paper, title="Moons demo")
    revision = services.revise_notebook(
        demo=demo, user=demo.owner, notebook=make_notebook("x = 2")
    )
    client.force_login(demo.owner)
    page = client.get(revision_url(demo, 2)).content.decode()
    assert "Moons demo" in page
    assert f'href="{paper.get_absolute_url()}"' in page
    assert "revision 2" in page
    assert revision.sha256 in page
    assert demo.owner.public_name in page
    assert revision.created.isoformat() in page


def test_revision_page_lists_revisions(client):
    demo = DemoFactory()
    for number in (2, 3):
        services.revise_notebook(
            demo=demo, user=demo.owner, notebook=make_notebook(f"x = {number}")
        )
    client.force_login(demo.owner)
    page = client.get(revision_url(demo, 2)).content.decode()
    assert f'href="{revision_url(demo, 1)}"' in page
    assert f'href="{revision_url(demo, 3)}"' in page
    assert "2 (shown)" in page
    assert "replaced by" in page


def test_code_cells_in_order(client):
    demo = DemoFactory(
        notebook=make_notebook("first_cell = 1", "second_cell = 2", markdown="Intro")
    )
    page = client.get(revision_url(demo)).content.decode()
    assert page.index("Intro") < page.index("first_cell") < page.index("second_cell")


def test_stored_outputs_not_shown(client):
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1)")
    cell.outputs = [nbformat.v4.new_output("stream", text="stored-output-text")]
    notebook.cells.append(cell)
    demo = DemoFactory(notebook=nbformat.writes(notebook))
    page = client.get(revision_url(demo)).content.decode()
    assert "print(1)" in page
    assert "stored-output-text" not in page


def test_parameters_cell_marked(client):
    notebook = nbformat.reads(make_notebook("size = 'small'", "print(size)"), 4)
    notebook.cells[0].metadata["tags"] = ["parameters"]
    demo = DemoFactory(notebook=nbformat.writes(notebook), parameters={"size": "big"})
    page = client.get(revision_url(demo)).content.decode()
    assert "demo-cell-parameters" in page
    assert "Parameters cell" in page
    assert "size = &#x27;big&#x27;" in page
    assert (
        page.index("size = &#x27;small&#x27;")
        < page.index("size = &#x27;big&#x27;")
        < page.index("print(size)")
    )


def test_cells_numbered_as_runs_count():
    notebook = nbformat.reads(make_notebook("a = 1", "", "b = 2"), 4)
    notebook.cells.insert(1, nbformat.v4.new_raw_cell("raw text"))
    cells = review_cells(notebook, {"n": 1})
    assert [cell.kind for cell in cells] == ["injected", "code", "raw", "code", "code"]
    assert [cell.number for cell in cells] == [1, 2, None, None, 3]


def test_percent_script_marks_cells():
    notebook = nbformat.reads(make_notebook("a = 1", markdown="Intro"), 4)
    notebook.cells[1].metadata["tags"] = ["parameters"]
    assert percent_script(notebook) == (
        '# %% [markdown]\nIntro\n# %% tags=["parameters"]\na = 1'
    )


# Notebook content stays inert.

HOSTILE_MARKDOWN = """# Title

<script>alert("markdown-script")</script>

<img src="x" onerror="alert('markdown-img')">

[click me](javascript:alert('markdown-link'))

<a href="javascript:alert('raw-link')">raw link</a>
"""
HOSTILE_CODE = "s = '</code></pre><script>alert(\"code-script\")</script>'"


@pytest.fixture
def hostile_demo():
    return DemoFactory(notebook=make_notebook(HOSTILE_CODE, markdown=HOSTILE_MARKDOWN))


def test_hostile_notebook_is_inert(client, hostile_demo):
    response = client.get(revision_url(hostile_demo))
    assert response.status_code == 200
    assert active_content(page_main(response)) == []


def test_hostile_code_shown_as_text(client, hostile_demo):
    page = client.get(revision_url(hostile_demo)).content.decode()
    assert "&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;" in page
    assert "<script>alert" not in page


def test_hostile_markdown_rendered(client, hostile_demo):
    page = client.get(revision_url(hostile_demo)).content.decode()
    assert "<h1>Title</h1>" in page
    assert "click me" in page


def test_hostile_diff_is_inert(client, hostile_demo):
    services.revise_notebook(
        demo=hostile_demo,
        user=hostile_demo.owner,
        notebook=make_notebook("print(2)", markdown=HOSTILE_MARKDOWN + "\nmore"),
    )
    client.force_login(hostile_demo.owner)
    response = client.get(revision_url(hostile_demo, 2))
    assert "diff-added" in response.content.decode()
    assert active_content(page_main(response)) == []


def test_page_has_no_inline_script(client, hostile_demo):
    page = client.get(revision_url(hostile_demo)).content.decode()
    assert "<script" not in page.lower()


# The diff from the previous revision.


def test_diff_marks_changed_lines(client):
    demo = DemoFactory(notebook=make_notebook("rate = 0.1\nsteps = 10"))
    services.revise_notebook(
        demo=demo, user=demo.owner, notebook=make_notebook("rate = 0.5\nsteps = 10")
    )
    client.force_login(demo.owner)
    page = client.get(revision_url(demo, 2)).content.decode()
    assert "Changes from revision 1" in page
    assert '<div class="diff-line diff-equal">steps = 10</div>' in page
    assert "rate = 0.<del>1</del><ins>5</ins>" in page


def test_diff_shows_added_cell(client):
    demo = DemoFactory(notebook=make_notebook("a = 1"))
    services.revise_notebook(
        demo=demo, user=demo.owner, notebook=make_notebook("a = 1", "added_cell()")
    )
    client.force_login(demo.owner)
    page = client.get(revision_url(demo, 2)).content.decode()
    assert '<div class="diff-line diff-added"><ins>added_cell()</ins></div>' in page


def test_diff_of_same_sources_says_so(client):
    demo = DemoFactory(notebook=make_notebook("a = 1"))
    notebook = nbformat.reads(make_notebook("a = 1"), 4)
    notebook.metadata["title"] = "only metadata changed"
    services.revise_notebook(
        demo=demo, user=demo.owner, notebook=nbformat.writes(notebook)
    )
    client.force_login(demo.owner)
    page = client.get(revision_url(demo, 2)).content.decode()
    assert "The cell sources are the same as in revision 1" in page


def test_first_revision_has_no_diff(client):
    demo = DemoFactory()
    page = client.get(revision_url(demo)).content.decode()
    assert "Revision 1 is the first" in page
    assert 'class="diff"' not in page


# Anonymous summaries never name their author through the uploader.


def anonymous_summary_demo(*, anonymous=True):
    author = UserFactory(username="hidden-author", display_name="Hidden Author")
    summary = SummaryFactory(author=author, anonymous=anonymous)
    demo = services.create_demo(
        paper=summary.paper,
        summary=summary,
        owner=author,
        title="Summary demo",
        notebook=make_notebook("1"),
    )
    Demo.objects.filter(pk=demo.pk).update(approval=Demo.Approval.APPROVED)
    return demo


@pytest.mark.parametrize("viewer", ["visitor", "member", "staff"])
def test_anonymous_summary_hides_uploader(client, viewer):
    demo = anonymous_summary_demo()
    log_in(client, viewer, demo)
    page = client.get(revision_url(demo)).content.decode()
    assert "Hidden Author" not in page
    assert "hidden-author" not in page


def test_anonymous_summary_shows_uploader_to_author(client):
    demo = anonymous_summary_demo()
    client.force_login(demo.owner)
    main = page_main(client.get(revision_url(demo)))
    assert "by Hidden Author" in main


def test_named_summary_shows_uploader(client):
    demo = anonymous_summary_demo(anonymous=False)
    page = client.get(revision_url(demo)).content.decode()
    assert "by Hidden Author" in page


# Query counts.


@pytest.mark.parametrize("viewer", ["visitor", "staff"])
def test_revision_page_queries_constant(client, django_assert_num_queries, viewer):
    demo = DemoFactory()
    staff = UserFactory(is_staff=True)
    services.revise_notebook(demo=demo, user=staff, notebook=make_notebook("2"))
    log_in(client, viewer, demo)
    with CaptureQueriesContext(connection) as small:
        assert client.get(revision_url(demo, 2)).status_code == 200
    for number in range(3, 9):
        services.revise_notebook(
            demo=demo, user=staff, notebook=make_notebook(str(number))
        )
    with django_assert_num_queries(len(small)):
        assert client.get(revision_url(demo, 5)).status_code == 200
