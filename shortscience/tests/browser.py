"""Shared parts of the end-to-end tests in a real headless Chromium.

They need Chromium at /usr/bin/chromium (Debian's ``chromium`` package, which
``.ci/run`` installs) or at $CHROMIUM_PATH, and are skipped without it. The
``browser`` and ``page`` fixtures are in this folder's conftest.py.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
PASSWORD = "correct-horse-battery"

# The ``pytestmark`` of every browser test module.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium not found; install Debian's chromium"
    ),
]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
