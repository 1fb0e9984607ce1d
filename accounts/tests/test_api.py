"""The member endpoints: public profiles, the caller's profile, their summaries."""

import pytest

from accounts.tests.factories import UserFactory
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db


def test_profile_fields(api_client):
    UserFactory(username="ada.l+x@y", display_name="Ada", about="Reads papers.")

    data = api_client.get("/api/v1/users/ada.l+x@y/").json()

    assert data["username"] == "ada.l+x@y"
    assert data["display_name"] == "Ada"
    assert data["about"] == "Reads papers."
    assert data["summaries_url"].endswith("/api/v1/users/ada.l+x@y/summaries/")
    assert data["html_url"].endswith("/user/ada.l+x@y/")


def test_profile_score_skips_anonymous(api_client):
    writer = UserFactory(username="writer")
    SummaryFactory(author=writer, score=3)
    SummaryFactory(author=writer, score=5, anonymous=True)

    data = api_client.get("/api/v1/users/writer/").json()

    assert data["score"] == 3


def test_inactive_member_is_404(api_client):
    UserFactory(username="gone", is_active=False)

    response = api_client.get("/api/v1/users/gone/")

    assert response.status_code == 404


def test_user_summaries_skip_anonymous(api_client):
    writer = UserFactory(username="writer")
    shown = SummaryFactory(author=writer)
    SummaryFactory(author=writer, anonymous=True)

    response = api_client.get("/api/v1/users/writer/summaries/")

    assert [s["id"] for s in response.json()["results"]] == [shown.pk]


def test_user_summaries_of_self_include_anonymous(token_client, member):
    SummaryFactory(author=member)
    SummaryFactory(author=member, anonymous=True)

    response = token_client.get(f"/api/v1/users/{member.username}/summaries/")

    assert len(response.json()["results"]) == 2


def test_me_needs_authentication(api_client):
    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_me_shows_caller(token_client, member):
    response = token_client.get("/api/v1/me/")

    assert response.json()["username"] == member.username
