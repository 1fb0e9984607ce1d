"""Request bodies with fields that no write accepts are rejected with 400."""

import pytest
from rest_framework import serializers

from comments.models import Comment
from comments.tests.factories import CommentFactory
from demos import services as demo_services
from demos.models import DemoRun
from demos.tests.factories import DemoFactory
from papers.tests.factories import PaperFactory
from shortscience.api.serializers import InputSerializer
from summaries.models import Summary, Vote
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db


class NoteSerializer(InputSerializer):
    title = serializers.CharField()
    private = serializers.BooleanField(default=False)


def test_unknown_field_is_invalid():
    serializer = NoteSerializer(data={"title": "A", "privat": True})

    assert not serializer.is_valid()
    assert list(serializer.errors) == ["privat"]
    assert serializer.errors["privat"][0].code == "unknown_field"
    assert "private, title" in str(serializer.errors["privat"][0])


def test_each_unknown_field_is_named():
    serializer = NoteSerializer(data={"title": "A", "privat": True, "tags": []})

    assert not serializer.is_valid()
    assert set(serializer.errors) == {"privat", "tags"}


def test_unknown_and_invalid_fields_reported_together():
    serializer = NoteSerializer(data={"title": "", "privat": True})

    assert not serializer.is_valid()
    assert set(serializer.errors) == {"title", "privat"}


def test_known_fields_are_valid():
    serializer = NoteSerializer(data={"title": "A", "private": True})

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"title": "A", "private": True}


def test_partial_update_rejects_unknown_field():
    serializer = NoteSerializer(data={"privat": True}, partial=True)

    assert not serializer.is_valid()
    assert list(serializer.errors) == ["privat"]


def test_non_object_body_keeps_usual_error():
    serializer = NoteSerializer(data=["privat"])

    assert not serializer.is_valid()
    assert list(serializer.errors) == ["non_field_errors"]


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(demo_services, "enqueue_run", lambda run: None)


def create_summary(member):
    paper = PaperFactory()
    body = {"paper": paper.bibtex_key, "source": "Text", "privat": True}
    return "post", "/api/v1/summaries/", body, lambda: not Summary.objects.exists()


def replace_summary(member):
    summary = SummaryFactory(author=member, source="Old")
    body = {
        "source": "New",
        "private": False,
        "anonymous": False,
        "base_version": summary.version,
        "privat": True,
    }

    def unchanged():
        summary.refresh_from_db()
        return summary.source == "Old"

    return "put", f"/api/v1/summaries/{summary.pk}/", body, unchanged


def edit_summary(member):
    summary = SummaryFactory(author=member, source="Old")
    body = {"source": "New", "base_version": summary.version, "privat": True}

    def unchanged():
        summary.refresh_from_db()
        return summary.source == "Old"

    return "patch", f"/api/v1/summaries/{summary.pk}/", body, unchanged


def vote(member):
    summary = SummaryFactory()
    body = {"value": 1, "weight": 5}
    path = f"/api/v1/summaries/{summary.pk}/vote/"
    return "put", path, body, lambda: not Vote.objects.exists()


def post_comment(member):
    summary = SummaryFactory()
    body = {"source": "A comment", "reply_to": 1}
    path = f"/api/v1/summaries/{summary.pk}/comments/"
    return "post", path, body, lambda: not Comment.objects.exists()


def edit_comment(member):
    comment = CommentFactory(author=member, source="Old")
    body = {"source": "New", "summary": 1}

    def unchanged():
        comment.refresh_from_db()
        return comment.source == "Old"

    return "patch", f"/api/v1/comments/{comment.pk}/", body, unchanged


def request_run(member):
    demo = DemoFactory()
    body = {"forced": True}
    path = f"/api/v1/demos/{demo.pk}/runs/"
    return "post", path, body, lambda: not DemoRun.objects.exists()


@pytest.mark.parametrize(
    "write",
    [
        create_summary,
        replace_summary,
        edit_summary,
        vote,
        post_comment,
        edit_comment,
        request_run,
    ],
)
def test_write_rejects_unknown_field(token_client, member, write):
    method, path, body, unchanged = write(member)
    # Each body ends with the one field that the write does not accept.
    *known, unknown = list(body)

    response = getattr(token_client, method)(path, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    items = response.json()["errors"]
    assert [item["field"] for item in items] == [unknown]
    assert items[0]["code"] == "unknown_field"
    assert all(name in items[0]["message"] for name in known)
    assert unchanged()
