"""Run many small notebooks in a row and watch memory and kernel processes.

After a run whose kernel dies past its memory limit, 50 small runs follow.
The script prints the worker's resident memory every 10 runs and the
kernel processes left at the end, which must be none.

    .venv/bin/python bench/demo_runs.py
"""

import os
import resource
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.test")
django.setup()

import nbformat  # noqa: E402

from demos.execution import Limits, NotebookRun  # noqa: E402
from demos.tests.factories import make_notebook  # noqa: E402

LIMITS = Limits(
    cell_timeout=20,
    run_timeout=60,
    memory_limit_mb=768,
    cell_output_max_bytes=100_000,
    run_output_max_bytes=200_000,
)


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def kernels_left() -> int:
    count = 0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"ipykernel_launcher" in cmdline.read_bytes():
                count += 1
        except OSError:
            continue
    return count


def run(*sources) -> tuple[str, float]:
    notebook = nbformat.reads(make_notebook(*sources), as_version=4)
    started = time.perf_counter()
    result = NotebookRun(notebook, limits=LIMITS).run()
    return result.status, time.perf_counter() - started


def main() -> None:
    before = kernels_left()
    status, seconds = run("print('ok')", "x = bytearray(8 * 1024**3)", "print('after')")
    print(
        f"kernel-death run: {status} in {seconds:.2f} s, worker RSS {rss_mib():.0f} MiB"
    )
    durations = []
    for index in range(1, 51):
        status, seconds = run("print(sum(range(1000)))")
        assert status == "succeeded", status
        durations.append(seconds)
        if index % 10 == 0:
            print(f"after {index:2d} small runs: worker RSS {rss_mib():.0f} MiB")
    durations.sort()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    median = durations[len(durations) // 2]
    print(f"small run: median {median:.2f} s, max {durations[-1]:.2f} s")
    print(f"worker peak RSS {peak:.0f} MiB")
    print(f"kernel processes left: {kernels_left() - before}")


if __name__ == "__main__":
    main()
