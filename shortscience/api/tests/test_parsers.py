"""JSON request bodies: nesting beyond the limit is a 400, on every write."""

import pytest

from comments.tests.factories import CommentFactory
from demos.tests.factories import DemoFactory
from shortscience.api.parsers import MAX_DEPTH, nesting_depth
from summaries.tests.factories import SummaryFactory

SHAPE = {"status", "code", "message", "errors"}


def nested_body(depth: int) -> str:
    """Return a comment body ``depth`` levels deep, the outer object included."""
    arrays = depth - 1
    return '{"source": "x", "e": ' + "[" * arrays + "]" * arrays + "}"


@pytest.mark.parametrize(
    ("value", "depth"),
    [
        (1, 0),
        ("text", 0),
        ({}, 1),
        ([], 1),
        ({"a": [1, {"b": []}]}, 4),
        ([[], [[[]]], []], 4),
    ],
)
def test_nesting_depth(value, depth):
    assert nesting_depth(value) == depth


def test_nesting_depth_of_deep_value():
    value = []
    for _ in range(100_000):
        value = [value]

    assert nesting_depth(value) == 100_001


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
def test_deep_comment_body_is_parse_error(token_client, depth):
    summary = SummaryFactory()

    response = token_client.generic(
        "POST",
        f"/api/v1/summaries/{summary.pk}/comments/",
        nested_body(depth),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert set(response.json()) == SHAPE
    assert response.json()["code"] == "parse_error"
    assert f"more than {MAX_DEPTH} levels" in response.json()["message"]


@pytest.mark.django_db
def test_body_at_max_depth_is_parsed(token_client):
    summary = SummaryFactory()

    response = token_client.generic(
        "POST",
        f"/api/v1/summaries/{summary.pk}/comments/",
        nested_body(MAX_DEPTH),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"][0]["field"] == "e"


@pytest.mark.django_db
def test_deep_body_rejected_by_every_write(token_client, member):
    summary = SummaryFactory(author=member)
    comment = CommentFactory(author=member, summary=summary)
    demo = DemoFactory()
    writes = [
        ("POST", "/api/v1/summaries/"),
        ("PATCH", f"/api/v1/summaries/{summary.pk}/"),
        ("PUT", f"/api/v1/summaries/{summary.pk}/vote/"),
        ("POST", f"/api/v1/summaries/{summary.pk}/comments/"),
        ("PATCH", f"/api/v1/comments/{comment.pk}/"),
        ("POST", f"/api/v1/demos/{demo.pk}/runs/"),
    ]
    body = "[" * 1000 + "]" * 1000

    for method, path in writes:
        response = token_client.generic(
            method, path, body, content_type="application/json"
        )

        assert response.status_code == 400, (method, path)
        assert response.json()["code"] == "parse_error", (method, path)
