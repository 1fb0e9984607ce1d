"""Every API error has one JSON shape: status, code, message, errors."""

import json

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from papers.tests.factories import PaperFactory
from shortscience.api.exceptions import api_exception_handler, flatten_errors
from shortscience.exceptions import ServiceError
from summaries.tests.factories import SummaryFactory

SHAPE = {"status", "code", "message", "errors"}


def handle(exc):
    return api_exception_handler(exc, {})


def test_service_error_keeps_code_and_field():
    response = handle(ServiceError("Changed since.", code="conflict", field="source"))

    assert response.status_code == 409
    assert response.data == {
        "status": 409,
        "code": "conflict",
        "message": "Changed since.",
        "errors": [
            {"field": "source", "code": "conflict", "message": "Changed since."}
        ],
    }


def test_service_error_without_field_has_no_items():
    response = handle(ServiceError("Not yours.", code="forbidden"))

    assert response.status_code == 403
    assert response.data["errors"] == []


def test_django_validation_error_with_fields():
    error = DjangoValidationError({"source": ["Too long."], "__all__": ["Bad."]})

    response = handle(error)

    assert response.status_code == 400
    assert response.data["errors"] == [
        {"field": "source", "code": "invalid", "message": "Too long."},
        {"field": None, "code": "invalid", "message": "Bad."},
    ]


def test_django_validation_error_plain():
    response = handle(DjangoValidationError("Wrong."))

    assert response.data["errors"] == [
        {"field": None, "code": "invalid", "message": "Wrong."}
    ]


def test_http404_has_fixed_message():
    response = handle(Http404("No Summary matches the given query with id 7."))

    assert response.status_code == 404
    assert response.data["message"] == "Not found."


def test_permission_denied():
    response = handle(PermissionDenied("Only the author."))

    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"
    assert response.data["message"] == "Only the author."


def test_throttled_sets_retry_after():
    response = handle(exceptions.Throttled(wait=2.2))

    assert response.status_code == 429
    assert response["Retry-After"] == "3"
    assert response.data["code"] == "throttled"


def test_unknown_exception_is_left_to_django():
    assert handle(RuntimeError("boom")) is None


def test_nested_errors_flattened():
    detail = exceptions.ValidationError(
        {"paper": {"authors": [{}, {"name": ["Required."]}]}}
    ).detail

    assert flatten_errors(detail) == [
        {"field": "paper.authors.1.name", "code": "invalid", "message": "Required."}
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/api/v1/papers/?year=x", None, 400),
        ("post", "/api/v1/summaries/", {"paper": "x"}, 401),
        ("get", "/api/v1/summaries/99/", None, 404),
        ("delete", "/api/v1/papers/", None, 401),
        ("get", "/api/v1/nothing/here/", None, 404),
        ("get", "/api/v1/papers", None, 404),
    ],
)
def test_responses_have_shape(api_client, method, path, body, status):
    response = getattr(api_client, method)(path, body)

    assert response.status_code == status
    assert set(response.json()) == SHAPE
    assert response.json()["status"] == status


@pytest.mark.django_db
def test_malformed_json_is_400(token_client):
    summary = SummaryFactory()

    response = token_client.generic(
        "PUT",
        f"/api/v1/summaries/{summary.pk}/vote/",
        "{not json",
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.django_db
def test_json_array_body_is_400(token_client):
    response = token_client.post("/api/v1/summaries/", [1, 2])

    assert response.status_code == 400
    assert set(response.json()) == SHAPE


@pytest.mark.django_db
def test_missing_slash_hint(api_client):
    response = api_client.get("/api/v1/papers")

    assert "/api/v1/papers/" in response.json()["message"]


@pytest.mark.django_db
def test_unacceptable_media_type_is_json_406(api_client):
    response = api_client.get("/api/v1/papers/", HTTP_ACCEPT="text/csv")

    assert response.status_code == 406
    assert response.json()["code"] == "not_acceptable"


@pytest.mark.django_db
def test_unsupported_method_is_405(token_client):
    response = token_client.delete("/api/v1/papers/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_server_error_is_json_500(api_client, monkeypatch):
    def fail(view):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("papers.api.PaperList.get_queryset", fail)
    api_client.raise_request_exception = False

    response = api_client.get("/api/v1/papers/")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "fire" not in response.json()["message"]


@pytest.mark.django_db
def test_page_server_error_stays_html(client, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("papers.views.selectors.venue_counts", fail)
    client.raise_request_exception = False

    response = client.get("/venues/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method", ["get", "head", "options", "post", "put", "patch", "delete"]
)
@pytest.mark.parametrize("path", ["/api/v1/nothing/here/", "/api/nothing"])
def test_unknown_address_json_404_any_method(method, path):
    client = APIClient(enforce_csrf_checks=True)

    response = getattr(client, method)(path, {"a": 1} if method != "head" else None)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    if method != "head":
        assert set(response.json()) == SHAPE
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_unknown_address_404_with_session(member):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.post("/api/v1/nothing/here/", {"source": "text"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def oversized_comment(limit: int) -> str:
    return json.dumps({"source": "x" * limit})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "suffix"),
    [("POST", "comments/"), ("PUT", "vote/"), ("PATCH", "")],
)
def test_oversized_body_is_json_413(token_client, member, method, suffix):
    summary = SummaryFactory(author=member)

    response = token_client.generic(
        method,
        f"/api/v1/summaries/{summary.pk}/{suffix}",
        oversized_comment(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
        content_type="application/json",
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == SHAPE
    assert response.json()["code"] == "request_too_large"
    assert "2.5 MB" in response.json()["message"]


@pytest.mark.django_db
def test_oversized_body_message_follows_setting(token_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

    response = token_client.post(
        "/api/v1/summaries/", {"paper": "x", "source": "x" * 1024 * 1024}
    )

    assert response.status_code == 413
    assert "limit of 1 MB (1048576 bytes)" in response.json()["message"]


@pytest.mark.django_db
def test_oversized_page_form_stays_html_400(client, member):
    paper = PaperFactory()
    client.force_login(member)
    client.raise_request_exception = False

    response = client.post(
        f"/summaries/new/?paper={paper.bibtex_key}",
        {"source": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_bad_request_outside_view_is_json(api_client):
    api_client.raise_request_exception = False

    response = api_client.get("/api/v1/papers/", HTTP_HOST="unknown.example")

    assert response.status_code == 400
    assert set(response.json()) == SHAPE
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_bad_request_on_page_stays_html(client):
    client.raise_request_exception = False

    response = client.get("/years/", HTTP_HOST="unknown.example")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "message"),
    [
        ("get", "/api/v1/papers/no/such/", "Paper not found."),
        ("get", "/api/v1/papers/no/such/summaries/", "Paper not found."),
        ("get", "/api/v1/papers/no/such/bibtex/", "Paper not found."),
        ("get", "/api/v1/summaries/999999/", "Summary not found."),
        ("get", "/api/v1/summaries/999999/comments/", "Summary not found."),
        ("get", "/api/v1/summaries/999999/diff/", "Summary not found."),
        ("get", "/api/v1/summaries/999999/revisions/", "Summary not found."),
        ("get", "/api/v1/summaries/999999/revisions/1/", "Summary not found."),
        ("put", "/api/v1/summaries/999999/vote/", "Summary not found."),
        ("get", "/api/v1/comments/999999/", "Comment not found."),
        ("get", "/api/v1/users/nobody/", "User not found."),
        ("get", "/api/v1/users/nobody/summaries/", "User not found."),
        ("get", "/api/v1/demos/999999/", "Demo not found."),
        ("post", "/api/v1/demos/999999/runs/", "Demo not found."),
        ("post", "/api/v1/demos/999999/approval/", "Demo not found."),
        ("get", "/api/v1/demos/runs/999999/", "Run not found."),
    ],
)
def test_not_found_names_resource(token_client, method, path, message):
    response = getattr(token_client, method)(path, {}, format="json")

    assert response.status_code == 404
    assert response.json()["message"] == message


@pytest.mark.django_db
def test_inactive_member_not_found_names_user(api_client):
    UserFactory(username="gone", is_active=False)

    response = api_client.get("/api/v1/users/gone/")

    assert response.json()["message"] == "User not found."
