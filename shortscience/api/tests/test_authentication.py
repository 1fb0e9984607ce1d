"""Token and session authentication of API calls."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import authenticate_api_key, create_api_token
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("scheme", ["Bearer", "Token", "bearer"])
def test_api_accepts_schemes(member, scheme):
    _, key = create_api_token(user=member, name="s")
    client = APIClient()

    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"{scheme} {key}")

    assert response.json()["username"] == member.username


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ss_unknown", "Bearer a b", "Token ss_\u00e9"],
)
def test_api_rejects_bad_tokens(header):
    response = APIClient().get("/api/v1/papers/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_revoked_token_is_401(member):
    token, key = create_api_token(user=member, name="s")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    token.delete()

    response = client.get("/api/v1/me/")

    assert response.status_code == 401


def test_inactive_member_token_is_401(member):
    _, key = create_api_token(user=member, name="s")
    member.is_active = False
    member.save()

    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 401


def test_use_records_last_used(member):
    token, key = create_api_token(user=member, name="s")

    APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert ApiToken.objects.get(pk=token.pk).last_used is not None


def test_last_used_written_once_a_minute(member, django_assert_num_queries):
    token, key = create_api_token(user=member, name="s")
    recent = timezone.now() - timedelta(seconds=10)
    ApiToken.objects.filter(pk=token.pk).update(last_used=recent)

    with django_assert_num_queries(1):
        authenticate_api_key(key)

    assert ApiToken.objects.get(pk=token.pk).last_used == recent


def test_session_write_needs_csrf(member):
    summary = SummaryFactory()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.put(f"/api/v1/summaries/{summary.pk}/vote/", {"value": 1})

    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]


def test_session_read_works(member):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.get("/api/v1/me/")

    assert response.json()["username"] == member.username
