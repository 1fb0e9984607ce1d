"""The OpenAPI schema: valid, served with local docs, and true to the API.

``test_api_conforms_to_schema`` runs schemathesis against a live server. For
every operation it sends requests generated from the schema, with a fixed
seed and a bounded number of examples. It checks that no response is a 5xx,
and that each status, media type, header and body is the documented one.
"""

import re

import hypothesis
import pytest
import requests
import schemathesis
import yaml
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import create_api_token
from accounts.tests.factories import UserFactory
from comments.tests.factories import CommentFactory
from demos.models import Demo, DemoRun
from demos.tests.factories import DemoFactory, DemoRunFactory
from papers.tests.factories import PaperFactory
from summaries.tests.factories import SummaryFactory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# Examples per operation and pass. Two passes run: one with generated path
# parameters, one with those of existing rows, so that bodies of successful
# responses are checked too.
EXAMPLES = 12

# Writes run last, deletes at the very end, so reads see the rows first.
METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}


@pytest.mark.django_db
def test_schema_is_valid_openapi(client):
    response = client.get("/api/schema/")

    validate_schema(yaml.safe_load(response.content))


@pytest.mark.django_db
def test_schema_documents_every_route(client):
    paths = yaml.safe_load(client.get("/api/schema/").content)["paths"]

    assert set(paths) == {
        "/api/v1/",
        "/api/v1/papers/",
        "/api/v1/papers/{bibtex_key}/",
        "/api/v1/papers/{bibtex_key}/bibtex/",
        "/api/v1/papers/{bibtex_key}/summaries/",
        "/api/v1/search/",
        "/api/v1/summaries/",
        "/api/v1/summaries/{id}/",
        "/api/v1/summaries/{id}/comments/",
        "/api/v1/summaries/{id}/diff/",
        "/api/v1/summaries/{id}/revisions/",
        "/api/v1/summaries/{id}/revisions/{number}/",
        "/api/v1/summaries/{id}/vote/",
        "/api/v1/comments/{id}/",
        "/api/v1/users/{username}/",
        "/api/v1/users/{username}/summaries/",
        "/api/v1/me/",
        "/api/v1/demos/",
        "/api/v1/demos/{id}/",
        "/api/v1/demos/{id}/runs/",
        "/api/v1/demos/{id}/approval/",
        "/api/v1/demos/runs/{id}/",
    }


@pytest.mark.django_db
def test_every_error_response_has_error_shape(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    for operations in schema["paths"].values():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    content = response["content"]["application/json"]
                    assert content["schema"] == {"$ref": "#/components/schemas/Error"}


@pytest.mark.django_db
def test_docs_served_without_cdn(client):
    page = client.get("/api/docs/").content.decode()

    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    assert all(asset.startswith("/static/") for asset in assets)
    assert "cdn" not in page.lower()


@pytest.mark.django_db
def test_docs_assets_are_served(client):
    page = client.get("/api/docs/").content.decode()
    script = re.search(r'src="(/static/[^"]+\.js)"', page).group(1)

    response = client.get(script)

    assert response.status_code == 200


def addressable(case) -> bool:
    """Keep cases whose path parameters survive URL normalisation by clients.

    A client removes ``.`` and ``..`` path segments before sending, so such
    a value reaches another route. The schema's parameter descriptions
    state this limit.
    """
    for value in (case.path_parameters or {}).values():
        segments = str(value).split("/")
        if any(segment in (".", "..") for segment in segments):
            return False
        if str(value).endswith(("/summaries", "/bibtex")):
            return False
    return True


def existing_parameters(rows, path: str) -> dict:
    """Return the path parameters of rows that exist, for the route ``path``."""
    if path.startswith("/api/v1/demos/runs/"):
        row_id = rows["run"].pk
    elif path.startswith("/api/v1/demos/"):
        row_id = rows["demo"].pk
    else:
        row_id = rows["summary"].pk
    return {
        "id": str(row_id),
        "number": "1",
        "bibtex_key": rows["paper"].bibtex_key,
        "username": rows["writer"].username,
    }


def seed_rows():
    """Create the rows that successful responses need, and a member's token."""
    member = UserFactory(username="schema-member")
    writer = UserFactory(username="schema.writer")
    paper = PaperFactory(
        bibtex_key="10.1000/0123-4567(99)00001-2",
        bibtex="@article{10.1000/0123-4567(99)00001-2, title = {T}}",
        author_count=2,
    )
    summary = SummaryFactory(paper=paper, author=writer, source="See $x^2$.")
    CommentFactory(summary=summary)
    SummaryFactory(author=member, anonymous=True)
    PaperFactory(bibtex_key="DBLP:journals/corr/ExampleXY16", year=None)
    demo, run = seed_demo(paper, summary)
    _, key = create_api_token(user=member, name="schemathesis")
    rows = {
        "member": member,
        "writer": writer,
        "paper": paper,
        "summary": summary,
        "demo": demo,
        "run": run,
    }
    return rows, key


def seed_demo(paper, summary):
    """Create a demo with a finished run, and one on a summary with none."""
    demo = DemoFactory(paper=paper, parameters={"size": 2})
    run = DemoRunFactory(
        demo=demo,
        status=DemoRun.Status.SUCCEEDED,
        started=timezone.now(),
        finished=timezone.now(),
        cell_count=1,
        progress_cell=1,
        environment={"python": "3.11.9", "packages": {"numpy": None}},
        cells=[
            {"type": "markdown", "html": "<p>Intro</p>"},
            {
                "type": "code",
                "number": 1,
                "status": "ok",
                "source": "1",
                "execution_count": 1,
                "outputs_html": "<pre>1</pre>",
            },
        ],
    )
    Demo.objects.filter(pk=demo.pk).update(latest_run=run, latest_success=run)
    DemoFactory(paper=paper, summary=summary, approval=Demo.Approval.PENDING)
    return demo, run


def run_operation(operation, session, base_url, path_parameters, failures):
    strategy = operation.as_strategy(path_parameters=path_parameters)

    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=strategy.filter(addressable))
    def check(case):
        case.call_and_validate(base_url=base_url, session=session, checks=CHECKS)

    try:
        check()
    except (Exception, BaseExceptionGroup) as error:
        # Collected, so that one run reports the failures of every operation.
        failures.append(f"{operation.label}: {error!r}")


@pytest.mark.django_db(transaction=True)
def test_api_conforms_to_schema(live_server):
    rows, key = seed_rows()
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda operation: METHOD_ORDER[operation.method.lower()])
    failures = []

    # One session, closed at the end, so that no kept-alive connection holds
    # a server thread and its database connection after the test.
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {key}"
        for operation in operations:
            run_operation(operation, session, live_server.url, None, failures)
            if operation.path_parameters:
                names = {parameter.name for parameter in operation.path_parameters}
                existing = existing_parameters(rows, operation.path)
                fixed = {
                    name: value for name, value in existing.items() if name in names
                }
                run_operation(operation, session, live_server.url, fixed, failures)

    assert failures == [], "\n\n".join(failures)


@pytest.mark.django_db
def test_write_bodies_forbid_other_fields(client):
    schemas = yaml.safe_load(client.get("/api/schema/").content)["components"][
        "schemas"
    ]

    for name in [
        "SummaryCreateRequest",
        "SummaryUpdateRequest",
        "PatchedSummaryUpdateRequest",
        "VoteRequest",
        "CommentCreateRequest",
        "PatchedCommentEditRequest",
        "RunRequestRequest",
        "PatchedProfileUpdateRequest",
    ]:
        assert schemas[name]["additionalProperties"] is False, name
