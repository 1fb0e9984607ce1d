"""Demo sections on pages, the status poller, approval, uploads and files."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from demos import services
from demos.models import Demo, DemoRun
from demos.tests.factories import DemoFactory, DemoRunFactory, make_notebook
from papers.tests.factories import PaperFactory
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(services, "enqueue_run", lambda run: None)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def finished_demo(paper, **fields):
    demo = DemoFactory(paper=paper, **fields)
    run = DemoRunFactory(
        demo=demo,
        status=DemoRun.Status.SUCCEEDED,
        cells=[
            {
                "type": "code",
                "number": 1,
                "status": "ok",
                "source": "1",
                "outputs_html": "<pre>out-7</pre>",
            }
        ],
        environment={"device": "CPU: test", "python": "3.11"},
    )
    Demo.objects.filter(pk=demo.pk).update(latest_run=run, latest_success=run)
    demo.refresh_from_db()
    return demo


def test_paper_page_shows_outputs(client):
    paper = PaperFactory()
    finished_demo(paper, title="Moons demo")
    page = client.get(paper.get_absolute_url()).content.decode()
    assert "Moons demo" in page
    assert "<pre>out-7</pre>" in page
    assert "CPU: test" in page


def test_paper_page_hides_pending_demo(client):
    paper = PaperFactory()
    DemoFactory(paper=paper, title="Secret demo", approval=Demo.Approval.PENDING)
    assert "Secret demo" not in client.get(paper.get_absolute_url()).content.decode()


def test_pending_demo_shown_to_staff_with_approve(client):
    paper = PaperFactory()
    DemoFactory(paper=paper, approval=Demo.Approval.PENDING)
    client.force_login(UserFactory(is_staff=True))
    assert (
        "Approve revision 1 to run"
        in client.get(paper.get_absolute_url()).content.decode()
    )


def test_summary_page_shows_its_demo(client):
    summary = SummaryFactory()
    DemoFactory(paper=summary.paper, summary=summary, title="Summary demo")
    assert "Summary demo" in client.get(summary.get_absolute_url()).content.decode()
    assert (
        "Summary demo"
        not in client.get(summary.paper.get_absolute_url()).content.decode()
    )


def test_page_has_no_inline_script(client):
    paper = PaperFactory()
    finished_demo(paper)
    page = client.get(paper.get_absolute_url()).content.decode()
    assert "<script>" not in page
    assert 'src="/static/js/demos.js"' in page


def test_queued_gpu_run_visible(client):
    paper = PaperFactory()
    demo = DemoFactory(paper=paper, resource_class="gpu")
    run = DemoRunFactory(demo=demo, resource_class="gpu", queue="demos-gpu")
    Demo.objects.filter(pk=demo.pk).update(latest_run=run)
    page = client.get(paper.get_absolute_url()).content.decode()
    assert "waiting for a GPU worker" in page
    assert reverse("demos:status", args=[run.pk]) in page


def test_failed_run_shows_progress_and_outputs(client):
    paper = PaperFactory()
    demo = DemoFactory(paper=paper)
    code = {"type": "code", "source": "x", "execution_count": 1}
    run = DemoRunFactory(
        demo=demo,
        status=DemoRun.Status.FAILED,
        progress_cell=2,
        cell_count=3,
        failed_cell=2,
        error="Cell 2 of 3 failed. ValueError: bad",
        cells=[
            {**code, "number": 1, "status": "ok", "outputs_html": "<pre>out-1</pre>"},
            {**code, "number": 2, "status": "error", "outputs_html": "<pre>tb</pre>"},
            {**code, "number": 3, "status": "not_run", "outputs_html": ""},
        ],
    )
    Demo.objects.filter(pk=demo.pk).update(latest_run=run)
    page = client.get(paper.get_absolute_url()).content.decode()
    assert "Failed at cell 2 of 3" in page
    assert "<pre>out-1</pre>" in page
    assert '<p class="demo-error">Failed.</p>' in page
    assert "Not run." in page


@pytest.mark.parametrize("signed_in", [False, True])
def test_paper_page_queries_constant(client, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    paper = PaperFactory()
    finished_demo(paper)
    small = count_queries(client, paper.get_absolute_url())
    for _ in range(5):
        finished_demo(paper)
    assert count_queries(client, paper.get_absolute_url()) == small


def test_run_request_redirects_back(client):
    demo = DemoFactory()
    client.force_login(UserFactory())
    response = client.post(reverse("demos:run", args=[demo.pk]), {"next": "/x"})
    assert response.status_code == 302
    assert response["Location"] == f"/x#demo-{demo.pk}"
    assert DemoRun.objects.filter(demo=demo).count() == 1


def test_run_request_needs_login(client):
    demo = DemoFactory()
    client.post(reverse("demos:run", args=[demo.pk]))
    assert not DemoRun.objects.exists()


def test_status_json(client):
    run = DemoRunFactory(status=DemoRun.Status.RUNNING, progress_cell=2, cell_count=5)
    data = client.get(reverse("demos:status", args=[run.pk])).json()
    assert data["progress_cell"] == 2
    assert data["active"] is True


def test_status_of_hidden_demo_404(client):
    run = DemoRunFactory(demo__approval=Demo.Approval.PENDING)
    assert client.get(reverse("demos:status", args=[run.pk])).status_code == 404


@pytest.mark.parametrize("viewer", ["visitor", "member", "staff"])
def test_status_of_private_summary_demo_404(client, viewer):
    summary = SummaryFactory(private=True)
    run = DemoRunFactory(demo__paper=summary.paper, demo__summary=summary)
    if viewer != "visitor":
        client.force_login(UserFactory(is_staff=viewer == "staff"))
    assert client.get(reverse("demos:status", args=[run.pk])).status_code == 404


def test_status_of_private_summary_demo_for_author(client):
    summary = SummaryFactory(private=True)
    run = DemoRunFactory(demo__paper=summary.paper, demo__summary=summary)
    client.force_login(summary.author)
    assert client.get(reverse("demos:status", args=[run.pk])).status_code == 200


def test_approve_by_staff(client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    client.force_login(UserFactory(is_staff=True))
    client.post(
        reverse("demos:approve", args=[demo.pk]), {"approve": "1", "revision": "1"}
    )
    demo.refresh_from_db()
    assert demo.approval == Demo.Approval.APPROVED


def test_approve_by_member_refused(client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    client.force_login(demo.owner)
    client.post(
        reverse("demos:approve", args=[demo.pk]), {"approve": "1", "revision": "1"}
    )
    demo.refresh_from_db()
    assert demo.approval == Demo.Approval.PENDING


def test_approve_form_sends_shown_revision(client):
    paper = PaperFactory()
    demo = DemoFactory(paper=paper, approval=Demo.Approval.PENDING)
    services.revise_notebook(demo=demo, user=demo.owner, notebook=make_notebook("2"))
    client.force_login(UserFactory(is_staff=True))
    page = client.get(paper.get_absolute_url()).content.decode()
    assert '<input type="hidden" name="revision" value="2">' in page
    assert "Approve revision 2 to run" in page


def test_approve_of_superseded_revision_rejected(client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    client.force_login(UserFactory(is_staff=True))
    services.revise_notebook(demo=demo, user=demo.owner, notebook=make_notebook("2"))
    response = client.post(
        reverse("demos:approve", args=[demo.pk]), {"approve": "1", "revision": "1"}
    )
    notices = [str(message) for message in get_messages(response.wsgi_request)]
    demo.refresh_from_db()
    assert demo.approval == Demo.Approval.PENDING
    assert any("revision 2" in notice for notice in notices)


def test_approve_without_revision_rejected(client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    client.force_login(UserFactory(is_staff=True))
    client.post(reverse("demos:approve", args=[demo.pk]), {"approve": "1"})
    demo.refresh_from_db()
    assert demo.approval == Demo.Approval.PENDING


def test_upload_of_approved_demo_needs_approval(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    demo = DemoFactory()
    client.force_login(demo.owner)
    upload = SimpleUploadedFile("demo.ipynb", make_notebook("2").encode())
    client.post(reverse("demos:revise", args=[demo.pk]), {"notebook": upload})
    demo.refresh_from_db()
    assert demo.current_revision.number == 2
    assert demo.approval == Demo.Approval.PENDING


def test_output_file_headers(client):
    run = DemoRunFactory()
    default_storage.save(f"demos/runs/{run.pk}/a.svg", ContentFile(b"<svg/>"))
    response = client.get(reverse("demos:output-file", args=[run.pk, "a.svg"]))
    assert response["Content-Type"] == "image/svg+xml"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", ["a.html", "..", "a.svg.exe"])
def test_output_file_rejects_names(client, name):
    run = DemoRunFactory()
    assert client.get(f"/demos/runs/{run.pk}/files/{name}").status_code == 404


def test_upload_creates_pending_demo(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from demos.tests.factories import make_notebook

    paper = PaperFactory()
    client.force_login(UserFactory())
    upload = SimpleUploadedFile("n.ipynb", make_notebook("1").encode())
    response = client.post(
        reverse("demos:create") + f"?paper={paper.bibtex_key}",
        {"title": "Mine", "resource_class": "cpu", "notebook": upload},
    )
    assert response.status_code == 302
    assert Demo.objects.get(title="Mine").approval == Demo.Approval.PENDING


def test_upload_rejects_invalid_notebook(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    paper = PaperFactory()
    client.force_login(UserFactory())
    response = client.post(
        reverse("demos:create") + f"?paper={paper.bibtex_key}",
        {
            "title": "Bad",
            "resource_class": "cpu",
            "notebook": SimpleUploadedFile("n.ipynb", b"{"),
        },
    )
    assert response.status_code == 400
    assert "not a valid Jupyter notebook" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "1.5", "1e3", "-1", "\uff11", " 1", "9" * 19])
def test_upload_form_rejects_invalid_summary_id(client, value):
    summary = SummaryFactory()
    client.force_login(summary.author)

    response = client.get(
        reverse("demos:create"),
        {"paper": summary.paper.bibtex_key, "summary": value},
    )

    assert response.status_code == 400
    assert "is not a whole number" in response.content.decode()


@pytest.mark.parametrize("value", ["0", "999999999999999999"])
def test_upload_form_unknown_summary_is_404(client, value):
    summary = SummaryFactory()
    client.force_login(summary.author)

    response = client.get(
        reverse("demos:create"),
        {"paper": summary.paper.bibtex_key, "summary": value},
    )

    assert response.status_code == 404


def test_upload_form_for_own_summary(client):
    summary = SummaryFactory()
    client.force_login(summary.author)

    response = client.get(
        reverse("demos:create"),
        {"paper": summary.paper.bibtex_key, "summary": str(summary.pk)},
    )

    assert response.status_code == 200
    assert response.context["summary"] == summary
