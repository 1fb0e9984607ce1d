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


def test_me_patch_changes_profile(token_client, member):
    response = token_client.patch(
        "/api/v1/me/", {"display_name": "  Ada   Lovelace ", "about": "Reads."}
    )

    member.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["display_name"] == "Ada Lovelace"
    assert response.json()["about"] == "Reads."
    assert member.display_name == "Ada Lovelace"
    assert member.about == "Reads."


def test_me_patch_keeps_omitted_fields(token_client, member):
    member.display_name = "Ada"
    member.about = "Before."
    member.save()

    response = token_client.patch("/api/v1/me/", {"about": "After."})

    member.refresh_from_db()
    assert response.status_code == 200
    assert member.display_name == "Ada"
    assert member.about == "After."


def test_me_patch_clears_display_name(token_client, member):
    member.display_name = "Ada"
    member.save()

    response = token_client.patch("/api/v1/me/", {"display_name": ""})

    assert response.status_code == 200
    assert response.json()["display_name"] == ""


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"display_name": "Admin"}, "display_name", "reserved"),
        ({"display_name": "taken"}, "display_name", "taken"),
        ({"display_name": "b\u043eb"}, "display_name", "mixed_script"),
        ({"display_name": "x" * 101}, "display_name", "max_length"),
        ({"about": "x" * 5001}, "about", "max_length"),
        ({"about": "a\x00b"}, "about", "null_characters_not_allowed"),
        ({"display_name": ["Ada"]}, "display_name", "invalid"),
        ({"display_name": None}, "display_name", "null"),
        ({"username": "other"}, "username", "unknown_field"),
    ],
)
def test_me_patch_rejects_invalid(token_client, member, body, field, code):
    UserFactory(username="taken")
    before = (member.display_name, member.about)

    response = token_client.patch("/api/v1/me/", body)

    member.refresh_from_db()
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"][0]["field"] == field
    assert response.json()["errors"][0]["code"] == code
    assert (member.display_name, member.about) == before


def test_me_patch_message_as_on_settings_page(token_client, client, member):
    client.force_login(member)

    api = token_client.patch("/api/v1/me/", {"display_name": "Moderator"})
    page = client.post("/settings/profile/", {"display_name": "Moderator"})

    message = api.json()["errors"][0]["message"]
    assert message == page.context["form"].errors["display_name"][0]


def test_me_patch_keeps_legacy_display_name(token_client, member):
    member.display_name = "Admin"
    member.save()

    response = token_client.patch("/api/v1/me/", {"about": "Still here."})

    assert response.status_code == 200
    assert response.json()["display_name"] == "Admin"


def test_me_patch_needs_authentication(api_client):
    response = api_client.patch("/api/v1/me/", {"about": "x"})

    assert response.status_code == 401


def test_me_patch_shows_on_cached_pages(token_client, member, settings, client):
    settings.PAGE_CACHE_SECONDS = 300
    summary = SummaryFactory(author=member)
    before = client.get(summary.get_absolute_url())

    token_client.patch("/api/v1/me/", {"display_name": "Grace Hopper"})
    after = client.get(summary.get_absolute_url())

    assert "Grace Hopper" not in before.text
    assert "Grace Hopper" in after.text
