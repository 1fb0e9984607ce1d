"""API tokens: the settings page, hashing, limits and revoking."""

import re

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from accounts.services import (
    MAX_TOKENS_PER_USER,
    authenticate_api_key,
    create_api_token,
)
from accounts.tests.factories import UserFactory
from accounts.tokens import hash_key
from shortscience.exceptions import ServiceError

pytestmark = pytest.mark.django_db

KEY_PATTERN = re.compile(r"ss_[A-Za-z0-9_-]{43}")


def test_page_needs_login(client):
    response = client.get(reverse("accounts:tokens"))

    assert response.status_code == 302


def test_page_creates_token_and_shows_key_once(client, member):
    client.force_login(member)

    created = client.post(reverse("accounts:tokens"), {"name": "reading list"})
    again = client.get(reverse("accounts:tokens"))

    key = KEY_PATTERN.search(created.content.decode()).group()
    assert created.status_code == 201
    assert key not in again.content.decode()
    assert "reading list" in again.content.decode()
    assert key[:8] in again.content.decode()


def test_page_is_not_cached(client, member):
    client.force_login(member)

    response = client.post(reverse("accounts:tokens"), {"name": "x"})

    assert "no-store" in response["Cache-Control"]


def test_page_rejects_duplicate_name(client, member):
    client.force_login(member)
    create_api_token(user=member, name="bot")

    response = client.post(reverse("accounts:tokens"), {"name": "bot"})

    assert response.status_code == 400
    assert ApiToken.objects.filter(user=member).count() == 1


def test_only_hash_is_stored(member):
    token, key = create_api_token(user=member, name="script")

    stored = ApiToken.objects.get(pk=token.pk)

    assert stored.key_hash == hash_key(key)
    assert key not in (stored.key_hash, stored.prefix, stored.name)


def test_revoke_from_page(client, member):
    client.force_login(member)
    token, key = create_api_token(user=member, name="old")

    response = client.post(reverse("accounts:revoke-token", args=[token.pk]))

    assert response.status_code == 302
    assert authenticate_api_key(key) is None


def test_revoke_other_members_token_is_404(client, member):
    client.force_login(member)
    token, _ = create_api_token(user=UserFactory(), name="theirs")

    response = client.post(reverse("accounts:revoke-token", args=[token.pk]))

    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_token_limit(member):
    for number in range(MAX_TOKENS_PER_USER):
        create_api_token(user=member, name=f"t{number}")

    with pytest.raises(ServiceError) as raised:
        create_api_token(user=member, name="one more")

    assert raised.value.field == "name"


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_bad_token_name(member, name):
    with pytest.raises(ServiceError):
        create_api_token(user=member, name=name)
