"""The demo endpoints: list, detail, run requests and run outputs."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from demos import services
from demos.models import Demo, DemoRun
from demos.tests.factories import DemoFactory, DemoRunFactory, make_notebook
from papers.tests.factories import PaperFactory
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db

DEMOS = "/api/v1/demos/"


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(services, "enqueue_run", lambda run: None)


def demo_path(demo, suffix="") -> str:
    return f"{DEMOS}{demo.pk}/{suffix}"


def run_path(run) -> str:
    return f"{DEMOS}runs/{run.pk}/"


def finished_demo(**fields) -> Demo:
    demo = DemoFactory(**fields)
    run = DemoRunFactory(
        demo=demo,
        status=DemoRun.Status.SUCCEEDED,
        cells=[
            {"type": "markdown", "html": "<p>Intro</p>"},
            {
                "type": "code",
                "number": 1,
                "status": "ok",
                "source": "1",
                "execution_count": 1,
                "outputs_html": "<pre>out-7</pre>",
            },
        ],
        environment={"device": "CPU: test", "python": "3.11"},
    )
    Demo.objects.filter(pk=demo.pk).update(latest_run=run, latest_success=run)
    demo.refresh_from_db()
    return demo


def listed_titles(client, **query) -> list[str]:
    return [demo["title"] for demo in client.get(DEMOS, query).json()["results"]]


def private_summary_demo() -> Demo:
    summary = SummaryFactory(private=True)
    return finished_demo(paper=summary.paper, summary=summary, title="Private")


def test_list_hides_pending_demos(api_client):
    DemoFactory(title="Shown")
    DemoFactory(title="Pending", approval=Demo.Approval.PENDING)

    assert listed_titles(api_client) == ["Shown"]


def test_list_shows_own_pending_demo(api_client):
    demo = DemoFactory(title="Mine", approval=Demo.Approval.PENDING)
    api_client.force_authenticate(demo.owner)

    assert listed_titles(api_client) == ["Mine"]


def test_list_shows_pending_to_staff(api_client):
    DemoFactory(title="Pending", approval=Demo.Approval.PENDING)
    api_client.force_authenticate(UserFactory(is_staff=True))

    assert listed_titles(api_client) == ["Pending"]


def test_list_filters_by_paper(api_client):
    DemoFactory(title="Kept", paper=PaperFactory(bibtex_key="conf/a/B1"))
    DemoFactory(title="Other")

    assert listed_titles(api_client, paper="conf/a/B1") == ["Kept"]


def test_list_unknown_paper_is_empty(api_client):
    DemoFactory()

    assert listed_titles(api_client, paper="conf/none/X1") == []


def test_list_orders_newest_first(api_client):
    for title in ("First", "Second", "Third"):
        DemoFactory(title=title)

    assert listed_titles(api_client) == ["Third", "Second", "First"]
    assert listed_titles(api_client, ordering="created") == ["First", "Second", "Third"]


def test_list_pages_by_cursor(api_client):
    for title in ("First", "Second"):
        DemoFactory(title=title)

    first = api_client.get(DEMOS, {"page_size": 1}).json()
    second = api_client.get(first["next"]).json()

    assert [demo["title"] for demo in first["results"]] == ["Second"]
    assert [demo["title"] for demo in second["results"]] == ["First"]
    assert second["next"] is None


def test_list_rejects_unknown_ordering(api_client):
    response = api_client.get(DEMOS, {"ordering": "title"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "ordering"


def test_detail_links_related_resources(api_client):
    summary = SummaryFactory()
    demo = finished_demo(paper=summary.paper, summary=summary)

    data = api_client.get(demo_path(demo)).json()

    base = f"http://testserver{DEMOS}{demo.pk}/"
    assert data["url"] == base
    assert data["runs_url"] == base + "runs/"
    assert data["summary"] == summary.pk
    assert data["summary_url"] == f"http://testserver/api/v1/summaries/{summary.pk}/"
    assert data["paper"]["bibtex_key"] == summary.paper.bibtex_key
    assert data["paper"]["url"].endswith(f"/api/v1/papers/{summary.paper.bibtex_key}/")
    assert data["latest_run"]["url"] == (
        f"http://testserver{DEMOS}runs/{demo.latest_run_id}/"
    )
    assert data["latest_success"]["status"] == "succeeded"
    assert data["revision"] == 1


def test_detail_of_paper_demo_has_no_summary(api_client):
    demo = DemoFactory()

    data = api_client.get(demo_path(demo)).json()

    assert data["summary"] is None
    assert data["summary_url"] is None
    assert data["latest_run"] is None


def test_hidden_demo_is_404(api_client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)

    response = api_client.get(demo_path(demo))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("viewer", ["visitor", "member", "staff"])
def test_private_summary_demo_hidden(api_client, viewer):
    demo = private_summary_demo()
    missing = DemoRun.objects.order_by("-pk").first().pk + 1000
    if viewer != "visitor":
        api_client.force_authenticate(UserFactory(is_staff=viewer == "staff"))

    listed = listed_titles(api_client)
    detail = api_client.get(demo_path(demo))
    run = api_client.get(run_path(demo.latest_run))
    request = api_client.post(demo_path(demo, "runs/"), {})
    absent = api_client.get(f"{DEMOS}{missing}/")
    absent_run = api_client.get(f"{DEMOS}runs/{missing}/")

    assert listed == []
    assert detail.status_code == 404
    assert detail.json() == absent.json()
    assert run.status_code == 404
    assert run.json() == absent_run.json()
    assert request.status_code == (401 if viewer == "visitor" else 404)


def test_private_summary_demo_shown_to_author(api_client):
    demo = private_summary_demo()
    api_client.force_authenticate(demo.summary.author)

    assert listed_titles(api_client) == ["Private"]
    assert api_client.get(demo_path(demo)).status_code == 200
    assert api_client.get(run_path(demo.latest_run)).status_code == 200


def test_run_request_needs_login(api_client):
    demo = DemoFactory()

    response = api_client.post(demo_path(demo, "runs/"), {})

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not DemoRun.objects.exists()


def test_run_request_queues(token_client):
    demo = DemoFactory()

    response = token_client.post(demo_path(demo, "runs/"), {})

    run = DemoRun.objects.get(demo=demo)
    assert response.status_code == 202
    assert response.json()["outcome"] == "queued"
    assert response.json()["run"]["id"] == run.pk
    assert response.json()["run"]["status"] == "queued"
    assert response["Location"] == f"http://testserver{DEMOS}runs/{run.pk}/"


def test_run_request_without_body(token_client):
    demo = DemoFactory()

    response = token_client.post(demo_path(demo, "runs/"))

    assert response.status_code == 202


def test_run_request_joins_active_run(token_client):
    demo = DemoFactory()
    active = DemoRunFactory(
        demo=demo,
        cache_key=services.run_cache_key(demo, demo.parameters),
        status=DemoRun.Status.RUNNING,
    )

    response = token_client.post(demo_path(demo, "runs/"), {})

    assert response.status_code == 202
    assert response.json()["outcome"] == "joined"
    assert response.json()["run"]["id"] == active.pk


def test_run_request_serves_cache(token_client):
    demo = DemoFactory()
    cached = DemoRunFactory(
        demo=demo,
        cache_key=services.run_cache_key(demo, demo.parameters),
        status=DemoRun.Status.SUCCEEDED,
        finished=timezone.now(),
        cells=[{"type": "markdown", "html": "<p>Done</p>"}],
    )

    response = token_client.post(demo_path(demo, "runs/"), {})

    assert response.status_code == 200
    assert response.json()["outcome"] == "cached"
    assert response.json()["run"]["cells"] == [
        {"type": "markdown", "html": "<p>Done</p>"}
    ]
    assert response["Content-Location"] == f"http://testserver{DEMOS}runs/{cached.pk}/"


@pytest.mark.parametrize("body", [{"force": True}, {"parameters": {"size": 3}}])
def test_member_cannot_force_or_set_parameters(token_client, body):
    demo = DemoFactory()

    response = token_client.post(demo_path(demo, "runs/"), body)

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not DemoRun.objects.exists()


def test_staff_force_queues_forced_run(api_client):
    demo = DemoFactory()
    DemoRunFactory(
        demo=demo,
        cache_key=services.run_cache_key(demo, demo.parameters),
        status=DemoRun.Status.SUCCEEDED,
    )
    api_client.force_authenticate(UserFactory(is_staff=True))

    response = api_client.post(demo_path(demo, "runs/"), {"force": True})

    assert response.status_code == 202
    assert response.json()["run"]["forced"] is True


def test_staff_parameters_must_be_identifiers(api_client):
    demo = DemoFactory()
    api_client.force_authenticate(UserFactory(is_staff=True))

    response = api_client.post(demo_path(demo, "runs/"), {"parameters": {"a b": 1}})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "parameters"


def test_run_request_rejects_invalid_body(token_client):
    demo = DemoFactory()

    response = token_client.post(demo_path(demo, "runs/"), {"force": "maybe"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "force"


def test_pending_demo_run_by_owner_is_403(api_client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    api_client.force_authenticate(demo.owner)

    response = api_client.post(demo_path(demo, "runs/"), {})

    assert response.status_code == 403


def test_run_requests_use_write_rate(token_client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"demo-throttling-{uuid.uuid4()}",
        }
    }
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "write": "1/minute"}
    demo = DemoFactory()

    first = token_client.post(demo_path(demo, "runs/"), {})
    second = token_client.post(demo_path(demo, "runs/"), {})
    read = token_client.get(demo_path(demo))

    assert first.status_code == 202
    assert second.status_code == 429
    assert second.json()["code"] == "throttled"
    assert read.status_code == 200


def test_run_detail_has_outputs(api_client):
    demo = finished_demo()

    data = api_client.get(run_path(demo.latest_run)).json()

    assert data["status"] == "succeeded"
    assert data["cells"][1]["outputs_html"] == "<pre>out-7</pre>"
    assert data["environment"]["device"] == "CPU: test"
    assert data["demo"] == demo.pk
    assert data["demo_url"] == f"http://testserver{DEMOS}{demo.pk}/"
    assert data["revision"] == 1


def test_run_detail_fails_stale_run(api_client):
    run = DemoRunFactory(
        status=DemoRun.Status.RUNNING,
        deadline=timezone.now() - timedelta(minutes=1),
    )

    data = api_client.get(run_path(run)).json()

    assert data["status"] == "failed"
    assert data["error"] == services.STALE_RUN_ERROR
    assert data["finished"] is not None


def test_run_of_hidden_demo_is_404(api_client):
    run = DemoRunFactory(demo__approval=Demo.Approval.PENDING)

    response = api_client.get(run_path(run))

    assert response.status_code == 404
    assert response.json()["message"] == "Run not found."


def test_root_links_demos(api_client):
    data = api_client.get("/api/v1/").json()

    assert data["demos"] == f"http://testserver{DEMOS}"


def test_staff_approves_reviewed_revision(api_client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    api_client.force_authenticate(UserFactory(is_staff=True))

    response = api_client.post(
        demo_path(demo, "approval/"), {"approved": True, "revision": 1}
    )

    assert response.status_code == 200
    assert response.json()["approval"] == "approved"
    assert response.json()["revision"] == 1
    assert Demo.objects.get(pk=demo.pk).approval == Demo.Approval.APPROVED


def test_approval_of_superseded_revision_is_409(api_client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    services.revise_notebook(demo=demo, user=demo.owner, notebook=make_notebook("2"))
    api_client.force_authenticate(UserFactory(is_staff=True))

    response = api_client.post(
        demo_path(demo, "approval/"), {"approved": True, "revision": 1}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "revision 2" in response.json()["message"]
    assert response.json()["errors"][0]["field"] == "revision"
    assert Demo.objects.get(pk=demo.pk).approval == Demo.Approval.PENDING


def test_approval_without_revision_is_400(api_client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    api_client.force_authenticate(UserFactory(is_staff=True))

    response = api_client.post(demo_path(demo, "approval/"), {"approved": True})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "revision"
    assert Demo.objects.get(pk=demo.pk).approval == Demo.Approval.PENDING


def test_approval_with_unknown_field_is_400(api_client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)
    api_client.force_authenticate(UserFactory(is_staff=True))

    response = api_client.post(
        demo_path(demo, "approval/"),
        {"approved": True, "revision": 1, "revison": 2},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "revison"
    assert response.json()["errors"][0]["code"] == "unknown_field"
    assert Demo.objects.get(pk=demo.pk).approval == Demo.Approval.PENDING


def test_staff_withdraws_approval(api_client):
    demo = DemoFactory()
    api_client.force_authenticate(UserFactory(is_staff=True))

    response = api_client.post(demo_path(demo, "approval/"), {"approved": False})

    assert response.status_code == 200
    assert response.json()["approval"] == "rejected"


def test_member_cannot_approve(token_client, member):
    demo = DemoFactory(owner=member, approval=Demo.Approval.PENDING)

    response = token_client.post(
        demo_path(demo, "approval/"), {"approved": True, "revision": 1}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Demo.objects.get(pk=demo.pk).approval == Demo.Approval.PENDING


def test_approval_needs_login(api_client):
    demo = DemoFactory(approval=Demo.Approval.PENDING)

    response = api_client.post(
        demo_path(demo, "approval/"), {"approved": True, "revision": 1}
    )

    assert response.status_code == 401
