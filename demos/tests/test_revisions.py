"""The revision page, the links to it on demos, and uploading a new revision."""

import re
from html.parser import HTMLParser

import nbformat
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from demos import services
from demos.models import Demo, DemoRevision
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


def upload(text: str | bytes, name: str = "demo.ipynb") -> SimpleUploadedFile:
    content = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, content, content_type="application/x-ipynb+json")


def notices(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


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
    scripts = re.findall(r"<script\b[^>]*>", page, flags=re.IGNORECASE)
    assert scripts
    assert all(" src=" in tag for tag in scripts), scripts


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


# Links on the demo's block.


def test_block_links_notebook_for_visitors(client):
    demo = DemoFactory()
    page = client.get(demo.paper.get_absolute_url()).content.decode()
    assert f'href="{revision_url(demo)}">View notebook (revision 1)</a>' in page
    assert "Review revision" not in page
    assert reverse("demos:revise", args=[demo.pk]) not in page


def test_block_links_review_for_staff(client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    services.revise_notebook(demo=demo, user=demo.owner, notebook=make_notebook("2"))
    client.force_login(UserFactory(is_staff=True))
    page = client.get(demo.paper.get_absolute_url()).content.decode()
    assert f'href="{revision_url(demo, 2)}">Review revision 2</a>' in page
    assert '<input type="hidden" name="revision" value="2">' in page


def test_block_has_no_review_link_once_approved(client):
    demo = DemoFactory()
    client.force_login(UserFactory(is_staff=True))
    page = client.get(demo.paper.get_absolute_url()).content.decode()
    assert "View notebook (revision 1)" in page
    assert "Review revision" not in page


def test_block_on_summary_page_links_notebook(client):
    summary = SummaryFactory()
    demo = DemoFactory(paper=summary.paper, summary=summary, owner=summary.author)
    page = client.get(summary.get_absolute_url()).content.decode()
    assert f'href="{revision_url(demo)}"' in page


def test_fragment_links_notebook(client):
    demo = DemoFactory()
    html = client.get(reverse("demos:fragment", args=[demo.pk])).json()["html"]
    assert f'href="{revision_url(demo)}"' in html


# The upload form on the demo's block.


@pytest.mark.parametrize(
    ("viewer", "shown"),
    [("visitor", False), ("member", False), ("owner", True), ("staff", True)],
)
def test_revise_form_shown_to(client, viewer, shown):
    demo = DemoFactory()
    log_in(client, viewer, demo)
    page = client.get(demo.paper.get_absolute_url()).content.decode()
    assert (reverse("demos:revise", args=[demo.pk]) in page) is shown


def test_revise_form_fields(client):
    paper = PaperFactory()
    demo = DemoFactory(paper=paper)
    client.force_login(demo.owner)
    page = client.get(paper.get_absolute_url()).content.decode()
    form = page[page.index(f'action="{reverse("demos:revise", args=[demo.pk])}"') :]
    form = form[: form.index("</form>")]
    assert 'enctype="multipart/form-data"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert f'name="next" value="{paper.get_absolute_url()}"' in form
    assert 'type="file"' in form
    assert 'accept=".ipynb,application/x-ipynb+json"' in form
    assert "awaits approval by staff again" in form


def test_revise_form_for_site_demo_hidden_from_members(client):
    demo = DemoFactory(owner=None)
    client.force_login(UserFactory())
    page = client.get(demo.paper.get_absolute_url()).content.decode()
    assert reverse("demos:revise", args=[demo.pk]) not in page


def test_revise_stores_next_revision(client):
    paper = PaperFactory()
    demo = DemoFactory(paper=paper)
    client.force_login(demo.owner)
    response = client.post(
        reverse("demos:revise", args=[demo.pk]),
        {"notebook": upload(make_notebook("x = 2")), "next": paper.get_absolute_url()},
    )
    demo.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"{paper.get_absolute_url()}#demo-{demo.pk}"
    assert demo.current_revision.number == 2
    assert demo.current_revision.created_by == demo.owner
    assert "x = 2" in demo.current_revision.notebook


def test_revise_resets_approval(client):
    demo = DemoFactory()
    client.force_login(demo.owner)
    client.post(
        reverse("demos:revise", args=[demo.pk]),
        {"notebook": upload(make_notebook("x = 2"))},
    )
    demo.refresh_from_db()
    assert demo.approval == Demo.Approval.PENDING
    assert demo.approved_by is None


def test_revise_page_says_pending(client):
    paper = PaperFactory()
    demo = DemoFactory(paper=paper)
    client.force_login(demo.owner)
    response = client.post(
        reverse("demos:revise", args=[demo.pk]),
        {"notebook": upload(make_notebook("x = 2")), "next": paper.get_absolute_url()},
        follow=True,
    )
    page = response.content.decode()
    assert "Revision 2 is stored. The demo awaits approval by staff again" in page
    assert '<span class="demo-badge demo-badge-pending">Awaiting approval</span>' in (
        page
    )
    assert "View notebook (revision 2)" in page


def test_revise_by_staff_keeps_approval(client):
    demo = DemoFactory()
    client.force_login(UserFactory(is_staff=True))
    response = client.post(
        reverse("demos:revise", args=[demo.pk]),
        {"notebook": upload(make_notebook("x = 2"))},
    )
    demo.refresh_from_db()
    assert demo.approval == Demo.Approval.APPROVED
    assert "Revision 2 is stored; the demo stays approved." in notices(response)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{", "not a valid Jupyter notebook"),
        (b"", "The submitted file is empty."),
        (make_notebook("1").replace('"python"', '"julia"'), "only Python notebooks"),
    ],
)
def test_bad_upload_stores_nothing(client, content, expected):
    demo = DemoFactory()
    client.force_login(demo.owner)
    response = client.post(
        reverse("demos:revise", args=[demo.pk]), {"notebook": upload(content)}
    )
    demo.refresh_from_db()
    assert DemoRevision.objects.filter(demo=demo).count() == 1
    assert demo.approval == Demo.Approval.APPROVED
    assert any(
        notice.startswith("No revision was stored.") and expected in notice
        for notice in notices(response)
    )


def test_too_large_upload_rejected(client, settings):
    settings.DEMOS_NOTEBOOK_MAX_BYTES = 200
    demo = DemoFactory()
    client.force_login(demo.owner)
    response = client.post(
        reverse("demos:revise", args=[demo.pk]),
        {"notebook": upload(make_notebook("x = 1" * 100))},
    )
    assert DemoRevision.objects.filter(demo=demo).count() == 1
    assert any("the limit is 200 bytes" in notice for notice in notices(response))


def test_upload_without_file_rejected(client):
    demo = DemoFactory()
    client.force_login(demo.owner)
    response = client.post(reverse("demos:revise", args=[demo.pk]), {})
    assert DemoRevision.objects.filter(demo=demo).count() == 1
    assert "No revision was stored. Choose a notebook (.ipynb) file to upload." in (
        notices(response)
    )


def test_bad_upload_error_shown_on_page(client):
    paper = PaperFactory()
    demo = DemoFactory(paper=paper)
    client.force_login(demo.owner)
    response = client.post(
        reverse("demos:revise", args=[demo.pk]),
        {"notebook": upload(b"{"), "next": paper.get_absolute_url()},
        follow=True,
    )
    page = response.content.decode()
    assert 'class="message message-error"' in page
    assert "No revision was stored." in page


def test_revise_by_other_member_rejected(client):
    demo = DemoFactory()
    client.force_login(UserFactory())
    response = client.post(
        reverse("demos:revise", args=[demo.pk]),
        {"notebook": upload(make_notebook("x = 2"))},
    )
    assert DemoRevision.objects.filter(demo=demo).count() == 1
    assert any("Only the demo's owner" in notice for notice in notices(response))


def test_revise_of_hidden_demo_404(client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    client.force_login(UserFactory())
    response = client.post(
        reverse("demos:revise", args=[demo.pk]),
        {"notebook": upload(make_notebook("x = 2"))},
    )
    assert response.status_code == 404
    assert DemoRevision.objects.filter(demo=demo).count() == 1
