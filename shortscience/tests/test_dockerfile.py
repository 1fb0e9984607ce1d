"""The Dockerfile copies what exists and its build steps run on this checkout.

No image is built here: that needs a Docker daemon and registry access.
"""

import os
import re
import shlex
import subprocess
import sys

from django.conf import settings

DOCKERFILE = settings.BASE_DIR / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """Return (instruction, arguments) pairs, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, arguments = line.partition(" ")
            pairs.append((name.upper(), arguments.strip()))
    return pairs


def test_dockerfile_copies_existing_files():
    for name, arguments in instructions():
        if name == "COPY":
            *sources, _ = shlex.split(arguments)
            for source in sources:
                assert (settings.BASE_DIR / source).exists(), source


def test_dockerfile_runs_as_unprivileged_user():
    users = [arguments for name, arguments in instructions() if name == "USER"]
    assert users
    assert users[-1] not in {"root", "0"}


def test_dockerfile_installs_demo_kernel_packages():
    runs = " ".join(arguments for name, arguments in instructions() if name == "RUN")
    assert "'.[demos]'" in runs


def test_dockerignore_leaves_out_local_state():
    ignored = (settings.BASE_DIR / ".dockerignore").read_text().split()
    for path in (".git", ".venv", "db.sqlite3*", "media", "var"):
        assert path in ignored


def test_collectstatic_runs_with_production_settings(tmp_path):
    """The image's collectstatic step, with the settings the image runs."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shortscience.settings.production",
        "SECRET_KEY": "collectstatic-only-" + "k3y-" * 12,
        "STATIC_ROOT": str(tmp_path),
    }
    environment.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").is_file()
