"""Fixtures shared by every app's tests."""

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Keep files written by a test out of the project's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
