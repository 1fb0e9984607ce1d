"""Celery signal handlers of the demo tasks."""

import os
import subprocess
import sys
from pathlib import Path


def test_worker_processes_made_non_dumpable():
    code = (
        "import ctypes, django\n"
        "django.setup()\n"
        "from demos.tasks import protect_worker_memory\n"
        "protect_worker_memory()\n"
        # 3 is PR_GET_DUMPABLE.
        "print(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))\n"
    )
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "shortscience.settings.test"},
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "0\n"
