"""Fixtures shared by every app's tests."""

import pytest
from django.conf import settings

# Chromium fixtures for the end-to-end tests of any app.
pytest_plugins = ["shortscience.tests.browser"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Keep files written by a test out of the project's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def frontpage_dir():
    """Return the folder of the real ShortScience front page, or skip the test.

    It is SHORTSCIENCE_SHARED_DATA/data/shortscience-frontpage, by default in
    the ``shared`` folder beside the project.
    """
    folder = settings.FRONTPAGE_DATA_DIR
    if not (folder / "papers.bib").is_file():
        pytest.skip(f"no real data at {folder}; set SHORTSCIENCE_SHARED_DATA")
    return folder


@pytest.fixture
def api_client():
    """Return a DRF test client that sends and expects JSON."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def member(db):
    """Return a signed-up member."""
    from accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def token_client(member):
    """Return an API client that authenticates as ``member`` with an API token."""
    from rest_framework.test import APIClient

    from accounts.services import create_api_token

    _, key = create_api_token(user=member, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client
