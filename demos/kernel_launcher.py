"""Start an IPython kernel under limits, tied to the process that started it.

The kernelspec's argv runs ``python demos/kernel_launcher.py -f <connection
file>``. Before it runs ``ipykernel_launcher`` in the same process it:

- limits its address space to ``SHORTSCIENCE_KERNEL_MEMORY_BYTES`` (RLIMIT_AS),
  so an allocation past the limit raises MemoryError or kills the kernel,
  never the worker;
- switches to the user named by ``SHORTSCIENCE_KERNEL_USER``, when set, for
  good: supplementary groups, gid, then uid. Only root may do this, so the
  launcher exits with an error when that variable is set and it is not root;
- requests SIGKILL from Linux when its parent dies (PR_SET_PDEATHSIG), so
  a worker killed mid-run leaves no kernel behind;
- makes itself non-dumpable (PR_SET_DUMPABLE 0): processes of the same user
  without CAP_SYS_PTRACE can no longer ptrace it or read its memory and
  environment under /proc.

The kernel runs in this process, not after an exec, because execve() makes
a process dumpable again. A change of uid clears the parent-death signal
and resets the dumpable flag, as prctl(2) documents, so both are set after
the switch.

It imports nothing from Django or the project, to start fast.
"""

import ctypes
import os
import pwd
import resource
import runpy
import signal
import sys

MEMORY_VARIABLE = "SHORTSCIENCE_KERNEL_MEMORY_BYTES"
USER_VARIABLE = "SHORTSCIENCE_KERNEL_USER"
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4


def limit_memory(limit_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


def _prctl(option: int, value: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    result = libc.prctl(option, value, 0, 0, 0)
    if result == -1:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl({option}, {value}) failed: {os.strerror(error)}")
    return result


def die_with_parent() -> None:
    """Get SIGKILL when the parent exits; exit now if it already has."""
    if not sys.platform.startswith("linux"):
        return
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    expected_parent = os.environ.get("JPY_PARENT_PID")
    if expected_parent and os.getppid() != int(expected_parent):
        sys.exit("The process that started this kernel has already exited.")


def make_non_dumpable() -> None:
    """Keep other processes of this user from ptracing this one or reading its memory.

    Linux only; elsewhere this does nothing. Forked children inherit the
    flag, and a child that calls execve() loses it.
    """
    if not sys.platform.startswith("linux"):
        return
    _prctl(PR_SET_DUMPABLE, 0)


def switch_user(name: str, *, connection_file: str | None) -> None:
    """Become user ``name`` for good, giving it the kernel's connection file.

    Raises SystemExit with the reason when this process is not root, the
    user does not exist, or root could be regained afterwards.
    """
    if os.geteuid() != 0:
        sys.exit(
            f"{USER_VARIABLE} is {name!r}, but the kernel launcher runs as uid "
            f"{os.geteuid()}, not root, so it cannot switch to that user."
        )
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        sys.exit(f"{USER_VARIABLE} is {name!r}, but no such user exists.")
    if connection_file:
        # Written by the worker, readable by its owner only.
        os.chown(connection_file, account.pw_uid, account.pw_gid)
    os.initgroups(name, account.pw_gid)
    os.setgid(account.pw_gid)
    os.setuid(account.pw_uid)
    try:
        os.setuid(0)
    except PermissionError:
        return
    sys.exit(f"Switched to user {name!r}, but could still regain root; stopping.")


def _connection_file(arguments: list[str]) -> str | None:
    for position, argument in enumerate(arguments[:-1]):
        if argument == "-f":
            return arguments[position + 1]
    return None


def main() -> None:
    limit = int(os.environ.get(MEMORY_VARIABLE) or 0)
    if limit > 0:
        limit_memory(limit)
    user = os.environ.get(USER_VARIABLE)
    if user:
        switch_user(user, connection_file=_connection_file(sys.argv[1:]))
    die_with_parent()
    make_non_dumpable()
    # As `python -m ipykernel_launcher` would: the working folder first on
    # the path, not this file's folder, whose modules would shadow a
    # notebook's imports. ipykernel_launcher removes it while it loads.
    sys.path[0] = os.getcwd()
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
