"""Start an IPython kernel under a memory limit, tied to the process that started it.

The kernelspec's argv runs ``python -m demos.kernel_launcher -f <connection
file>``. Before it replaces itself with ``ipykernel_launcher`` it:

- limits its address space to ``SHORTSCIENCE_KERNEL_MEMORY_BYTES`` (RLIMIT_AS),
  so an allocation past the limit raises MemoryError or kills the kernel,
  never the worker;
- asks Linux to send it SIGKILL when its parent dies (PR_SET_PDEATHSIG), so
  a worker killed mid-run leaves no kernel behind.

It imports nothing from Django or the project, to start fast.
"""

import ctypes
import os
import resource
import signal
import sys

MEMORY_VARIABLE = "SHORTSCIENCE_KERNEL_MEMORY_BYTES"
PR_SET_PDEATHSIG = 1


def limit_memory(limit_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


def die_with_parent() -> None:
    """Get SIGKILL when the parent exits; exit now if it already has."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    expected_parent = os.environ.get("JPY_PARENT_PID")
    if expected_parent and os.getppid() != int(expected_parent):
        sys.exit("The process that started this kernel has already exited.")


def main() -> None:
    limit = int(os.environ.get(MEMORY_VARIABLE) or 0)
    if limit > 0:
        limit_memory(limit)
    die_with_parent()
    python = sys.executable
    os.execv(python, [python, "-m", "ipykernel_launcher", *sys.argv[1:]])  # noqa: S606


if __name__ == "__main__":
    main()
