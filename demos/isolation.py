"""Keep a run's kernel apart from the worker: its user, and what it leaves behind.

``kernel_account`` checks the optional user that kernels run as. The
kernel launcher switches to it; only a worker running as root can do that.

On Linux, ``kill_run_processes`` kills what a run's kernel left behind. A
kernel starts as the leader of its own session, with a marker variable
unique to the run in its environment. Its children inherit both. A child
that calls setsid() leaves the session but keeps the marker. At the end of
a run the worker stops, then kills, every process of the kernel's user
that is in the kernel's session or carries the marker, and every process
below one of those.

NOTE: a process that leaves the session and also clears its environment
escapes. So does a process forked without exec that leaves the session,
unless the worker is root. It inherits the kernel's non-dumpable flag, so
a worker of the same user may not read its environment. Untrusted
notebooks belong in a container or VM.
"""

import contextlib
import logging
import os
import pwd
import signal
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

PROC = Path("/proc")
MARKER_VARIABLE = "SHORTSCIENCE_DEMO_RUN"
# Rounds of looking for processes to stop: a process found in one round may
# have started children before it was stopped.
MAX_ROUNDS = 20
# Seconds to wait for killed processes to exit.
KILL_WAIT = 5


class KernelUserError(Exception):
    """The user that kernels should run as cannot be used by this worker."""


def kernel_account(name: str) -> pwd.struct_passwd | None:
    """Return the account kernels run as, or None when ``name`` is empty.

    Raises KernelUserError when the user does not exist, or when this
    process is not root and so cannot switch a kernel to it: such a run
    must fail rather than run unprotected.
    """
    if not name:
        return None
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        raise KernelUserError(
            f"DEMOS_KERNEL_USER is {name!r}, but no such user exists on the "
            "worker's host. Create the user or change the setting."
        ) from None
    if os.geteuid() != 0:
        raise KernelUserError(
            f"DEMOS_KERNEL_USER is {name!r}, but the worker runs as uid "
            f"{os.geteuid()}, not root, so it cannot start the kernel as that "
            "user. Run the worker as root, or unset DEMOS_KERNEL_USER to run "
            "kernels as the worker's own user."
        )
    return account


@dataclass(frozen=True)
class ProcessEntry:
    """One process as /proc shows it, readable whatever its dumpable flag."""

    pid: int
    ppid: int
    session: int
    uid: int


def list_processes() -> list[ProcessEntry]:
    """Return the live processes, zombies left out; empty without /proc."""
    entries = []
    for folder in PROC.glob("[0-9]*"):
        try:
            stat = (folder / "stat").read_text()
            status = (folder / "status").read_text()
        except OSError:
            continue  # exited meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] in {"Z", "X"}:
            continue
        entries.append(
            ProcessEntry(
                pid=int(folder.name),
                ppid=int(fields[1]),
                session=int(fields[3]),
                uid=_real_uid(status),
            )
        )
    return entries


def _real_uid(status: str) -> int:
    for line in status.splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    return -1


def carries_marker(pid: int, marker: str) -> bool:
    """Tell whether process ``pid`` has the run's marker in its environment.

    False when the environment cannot be read, as for a non-dumpable
    process of the same user read by a worker that is not root.
    """
    try:
        environ = (PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return False
    return f"{MARKER_VARIABLE}={marker}".encode() in environ.split(b"\0")


def find_run_processes(*, session: int | None, marker: str, uid: int) -> set[int]:
    """Return the pids of ``uid``'s processes in ``session`` or with ``marker``.

    Processes below those are included. This process and its ancestors
    never are.
    """
    processes = [entry for entry in list_processes() if entry.uid == uid]
    children = defaultdict(list)
    for entry in processes:
        children[entry.ppid].append(entry.pid)
    found = {
        entry.pid
        for entry in processes
        if (session is not None and entry.session == session)
        or carries_marker(entry.pid, marker)
    }
    pending = list(found)
    while pending:
        for child in children[pending.pop()]:
            if child not in found:
                found.add(child)
                pending.append(child)
    return found - _this_process_and_ancestors()


def _this_process_and_ancestors() -> set[int]:
    pids = {0, 1}
    pid = os.getpid()
    while pid > 1 and pid not in pids:
        pids.add(pid)
        try:
            stat = (PROC / str(pid) / "stat").read_text()
        except OSError:
            break
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return pids


def kill_run_processes(*, session: int | None, marker: str, uid: int) -> set[int]:
    """Stop, then kill, the processes a run left behind; return their pids.

    Stopping them all first keeps each one below its parent, so that a
    process forking as fast as it can is still found, up to MAX_ROUNDS
    rounds.
    """
    if not PROC.is_dir():
        return set()
    stopped: set[int] = set()
    for _ in range(MAX_ROUNDS):
        found = find_run_processes(session=session, marker=marker, uid=uid)
        new = found - stopped
        if not new:
            break
        for pid in new:
            _send(pid, signal.SIGSTOP)
        stopped |= new
    else:
        logger.error(
            "Kernel processes still starting after %s rounds: session=%s count=%s",
            MAX_ROUNDS,
            session,
            len(stopped),
        )
    for pid in stopped:
        _send(pid, signal.SIGKILL)
    _wait_until_gone(stopped)
    if stopped:
        logger.info(
            "Killed processes left by a kernel: session=%s pids=%s",
            session,
            sorted(stopped),
        )
    return stopped


def _wait_until_gone(pids: set[int]) -> None:
    """Wait until ``pids`` have exited; SIGKILL is delivered asynchronously."""
    deadline = time.monotonic() + KILL_WAIT
    remaining = set(pids)
    while remaining and time.monotonic() < deadline:
        remaining = {pid for pid in remaining if _is_alive(pid)}
        if remaining:
            time.sleep(0.05)
    if remaining:
        logger.error(
            "Kernel processes still alive %s s after SIGKILL: pids=%s",
            KILL_WAIT,
            sorted(remaining),
        )


def _is_alive(pid: int) -> bool:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}


def _send(pid: int, signum: int) -> None:
    # The process may have exited, or belong to another user by now.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signum)
