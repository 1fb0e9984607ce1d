"""Execute a notebook with nbclient in a fresh, limited kernel process.

Each run gets its own kernel, started by ``kernel_launcher`` with the
worker's Python, a memory limit, a scratch folder and an environment
without the site's secrets, as the user ``DEMOS_KERNEL_USER`` names if
set. When the run ends, the kernel's process group is killed, and
``isolation`` kills the processes that left it. A cell past its time limit, or past the
whole-run deadline, is interrupted and the kernel is then killed. Output is
capped per cell and per run while it arrives.

The worker never imports torch or any CUDA library: GPU presence is read
with ``nvidia-smi`` and, for GPU runs, checked inside the kernel.
"""

import asyncio
import atexit
import contextlib
import logging
import math
import os
import platform
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import zmq.asyncio
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from . import isolation, kernel_launcher
from .notebooks import FINGERPRINT_PACKAGES, KERNEL_NAME, environment_fingerprint

logger = logging.getLogger(__name__)

LAUNCHER_PATH = Path(kernel_launcher.__file__).resolve()

# Variables passed from the worker to the kernel; everything else (database
# URL, secret key, broker URL) stays out of the notebook's reach.
PASSED_VARIABLES = (
    "PATH",
    "LANG",
    "LC_ALL",
    "TZ",
    "LD_LIBRARY_PATH",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
)
GPU_VARIABLES = ("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES")

# Run inside the kernel of a GPU run before the notebook: the worker itself
# must not initialise CUDA.
GPU_PROBE = """\
import json as _json
try:
    import torch as _torch
except ImportError:
    _found = {"cuda": None, "name": None}
else:
    _ok = _torch.cuda.is_available()
    _found = {"cuda": _ok, "name": _torch.cuda.get_device_name(0) if _ok else None}
print(_json.dumps(_found))
"""


class GPUUnavailable(Exception):
    """A GPU run started on a host, or in a kernel, that has no usable GPU."""


@dataclass
class Limits:
    """Time and memory limits of one run; seconds and MiB."""

    cell_timeout: int
    run_timeout: int
    memory_limit_mb: int
    cell_output_max_bytes: int
    run_output_max_bytes: int
    startup_timeout: int = 60
    interrupt_grace: float = 3.0


@dataclass
class CellResult:
    """The outcome of one notebook cell in a run, with the outputs it kept."""

    index: int
    cell_type: str
    source: str
    number: int | None = None
    status: str = "not_run"
    outputs: list = field(default_factory=list)
    execution_count: int | None = None
    dropped_bytes: int = 0


@dataclass
class ExecutionResult:
    """The outcome of a run: ``succeeded``, ``failed`` or ``timed_out``."""

    status: str
    cells: list[CellResult]
    environment: dict
    failed_cell: int | None = None
    error: str = ""

    @property
    def output_truncated(self) -> bool:
        return any(cell.dropped_bytes for cell in self.cells)


class ProjectKernelSpecManager(KernelSpecManager):
    """Provide the one kernelspec that demos run in, without files on disk."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name != KERNEL_NAME:
            raise NoSuchKernel(kernel_name)
        return project_kernel_spec()

    def find_kernel_specs(self) -> dict[str, str]:
        return {KERNEL_NAME: str(LAUNCHER_PATH.parent)}


def project_kernel_spec() -> KernelSpec:
    """Return the kernelspec: IPython on this process's Python, via the launcher."""
    return KernelSpec(
        argv=[sys.executable, str(LAUNCHER_PATH), "-f", "{connection_file}"],
        display_name="Python 3 (ShortScience demos)",
        language="python",
        interrupt_mode="signal",
        metadata={},
    )


class LimitedNotebookClient(NotebookClient):
    """A NotebookClient that drops output past a per-cell and a per-run cap."""

    def __init__(self, nb, km=None, *, cell_max_bytes: int, run_max_bytes: int, **kw):
        super().__init__(nb, km=km, **kw)
        self.cell_max_bytes = cell_max_bytes
        self.run_max_bytes = run_max_bytes
        self.kept_bytes: dict[int, int] = {}
        self.dropped_bytes: dict[int, int] = {}

    def output(self, outs, msg, display_id, cell_index):
        size = _message_size(msg)
        cell_total = self.kept_bytes.get(cell_index, 0) + size
        run_total = sum(self.kept_bytes.values()) + size
        if cell_total > self.cell_max_bytes or run_total > self.run_max_bytes:
            room = min(
                self.cell_max_bytes - self.kept_bytes.get(cell_index, 0),
                self.run_max_bytes - sum(self.kept_bytes.values()),
            )
            if msg["msg_type"] != "stream" or room <= 0:
                self._drop(cell_index, size)
                return None
            # Keep the start of a long stream and drop the rest.
            text = msg["content"]["text"]
            msg = {**msg, "content": {**msg["content"], "text": text[:room]}}
            self._drop(cell_index, size - room)
            size = room
        self.kept_bytes[cell_index] = self.kept_bytes.get(cell_index, 0) + size
        return super().output(outs, msg, display_id, cell_index)

    def _drop(self, cell_index: int, size: int) -> None:
        self.dropped_bytes[cell_index] = self.dropped_bytes.get(cell_index, 0) + size


def _message_size(msg: dict) -> int:
    content = msg.get("content", {})
    size = len(content.get("text", ""))
    for value in (content.get("data") or {}).values():
        size += len(value) if isinstance(value, str) else len(str(value))
    size += sum(len(line) for line in content.get("traceback", []))
    return size


def detect_gpus() -> list[str]:
    """Return the names of the NVIDIA GPUs that ``nvidia-smi`` lists, if any."""
    executable = shutil.which("nvidia-smi")
    if executable is None:
        return []
    try:
        completed = subprocess.run(  # noqa: S603
            [executable, "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        logger.warning(
            "nvidia-smi failed or timed out; the host counts as having no GPU"
        )
        return []
    if completed.returncode != 0:
        return []
    return [line.strip() for line in completed.stdout.splitlines() if line.strip()]


def require_gpu() -> list[str]:
    """Return the host's GPU names, or raise GPUUnavailable naming the fix."""
    gpus = detect_gpus()
    if not gpus:
        raise GPUUnavailable(
            "This demo needs a GPU, but the worker's host has none: nvidia-smi "
            "is missing or lists no device. Run the worker for the GPU queue "
            "only on a host with an NVIDIA GPU and its driver."
        )
    return gpus


def describe_environment(resource_class: str, gpus: list[str]) -> dict:
    """Record where a run happens: Python, package versions, host and device."""
    fingerprint = environment_fingerprint(resource_class)
    if gpus:
        device = f"GPU: {', '.join(gpus)}"
    else:
        device = f"CPU: {_cpu_model()} ({os.cpu_count()} cores)"
    return {
        "python": fingerprint["python"],
        "packages": {
            name: fingerprint["packages"].get(name) for name in FINGERPRINT_PACKAGES
        },
        "resource_class": resource_class,
        "device": device,
        "host": socket.gethostname(),
        "platform": platform.platform(terse=True),
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown processor"


def kernel_environment(workdir: Path, *, memory_limit_mb: int, gpu: bool) -> dict:
    """Build the kernel's environment: a few variables, never the site's secrets."""
    env = {name: os.environ[name] for name in PASSED_VARIABLES if name in os.environ}
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", "C.UTF-8")
    if gpu:
        env.update(
            {name: os.environ[name] for name in GPU_VARIABLES if name in os.environ}
        )
    else:
        # A CPU run must not take a GPU that a GPU run on the same host needs.
        env["CUDA_VISIBLE_DEVICES"] = ""
    cache_dir = Path(os.environ.get("DEMOS_CACHE_DIR") or workdir)
    env.update(
        HOME=str(workdir),
        TMPDIR=str(workdir),
        IPYTHONDIR=str(workdir / ".ipython"),
        MPLCONFIGDIR=str(cache_dir / "matplotlib"),
        PYTHONDONTWRITEBYTECODE="1",
        # glibc reserves up to 64 MiB of address space per thread arena,
        # which would count against the kernel's RLIMIT_AS.
        MALLOC_ARENA_MAX="2",
        SHORTSCIENCE_DEMO_DEVICE="cuda" if gpu else "cpu",
    )
    env[kernel_launcher.MEMORY_VARIABLE] = str(memory_limit_mb * 1024 * 1024)
    return env


ProgressCallback = Callable[[int, int], None]


class NotebookRun:
    """One execution of one notebook; call ``run()`` once."""

    def __init__(
        self,
        notebook: nbformat.NotebookNode,
        *,
        limits: Limits,
        resource_class: str = "cpu",
        on_progress: ProgressCallback | None = None,
        cache_dir: Path | None = None,
        kernel_user: str = "",
    ):
        self.notebook = nbformat.from_dict(notebook)
        self.limits = limits
        self.resource_class = resource_class
        self.on_progress = on_progress
        self.cache_dir = cache_dir
        self.cells = [
            CellResult(index=index, cell_type=cell.cell_type, source=cell.source)
            for index, cell in enumerate(self.notebook.cells)
        ]
        number = 0
        for result in self.cells:
            if result.cell_type == "code" and result.source.strip():
                number += 1
                result.number = number
        self.cell_count = number
        self.kernel_pgid: int | None = None
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._kernel_process = None
        self.kernel_user = kernel_user
        # Marks the kernel's environment, and so its children's, for the sweep.
        self.marker = secrets.token_hex(16)
        self._account = None
        self._client: NotebookClient | None = None
        self._gpus: list[str] = []
        # The cell being executed, left set on a cell that failed or timed out.
        self._running: CellResult | None = None

    def run(self) -> ExecutionResult:
        """Execute the notebook and return the result; a failing cell is in the result.

        The kernel is driven by an event loop in a second thread, so that
        ``on_progress`` runs in the calling thread, where Django's database
        connection may be used.
        """
        gpus: list[str] = []
        if self.resource_class == "gpu":
            try:
                gpus = require_gpu()
            except GPUUnavailable as error:
                return self._result("failed", gpus, error=str(error))
        try:
            self._account = isolation.kernel_account(self.kernel_user)
        except isolation.KernelUserError as error:
            logger.error("Demo kernel not started: %s", error)
            return self._result("failed", gpus, error=str(error))
        workdir = Path(tempfile.mkdtemp(prefix="shortscience-demo-"))
        if self._account is not None:
            # The kernel writes its sockets and scratch files here.
            os.chown(workdir, self._account.pw_uid, self._account.pw_gid)
        outcome: dict = {}

        def drive_kernel() -> None:
            try:
                outcome["result"] = asyncio.run(self._run(workdir, gpus))
            except BaseException as error:  # re-raised in the calling thread
                outcome["error"] = error
            finally:
                self._events.put(None)

        thread = threading.Thread(target=drive_kernel, name="demo-kernel", daemon=True)
        thread.start()
        finished = False
        try:
            while (event := self._events.get()) is not None:
                if self.on_progress is not None:
                    self.on_progress(*event)
            finished = True
        finally:
            if not finished:
                self._cancel()
            thread.join(timeout=None if finished else self.limits.interrupt_grace + 5)
            self._kill_kernel_group()
            self._kill_leftover_processes()
            shutil.rmtree(workdir, ignore_errors=True)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]

    def stopped_result(self, *, status: str, error: str) -> ExecutionResult:
        """Return the result of a run that ``run()`` raised out of, with what it kept.

        For a caller interrupted mid-run, for example by Celery's soft time
        limit. Cells that finished keep their outputs. The cell that was
        running keeps the outputs that had arrived, and is marked
        ``timed_out`` for a ``timed_out`` run and ``error`` otherwise, even
        if the kernel thread marked it first as the kernel was stopped.
        """
        cell = self._running
        failed_cell = None
        if cell is not None:
            if self._client is not None:
                self._collect(self._client, cell, self.notebook.cells[cell.index])
            cell.status = "timed_out" if status == "timed_out" else "error"
            failed_cell = cell.number
        return self._result(status, self._gpus, failed_cell=failed_cell, error=error)

    def _cancel(self) -> None:
        """Stop the kernel thread's work, after the caller was interrupted."""
        if self._loop is None or self._task is None:
            return
        # A closed loop raises RuntimeError: its work is over anyway.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._task.cancel)

    def _result(self, status, gpus, *, failed_cell=None, error="") -> ExecutionResult:
        return ExecutionResult(
            status=status,
            cells=self.cells,
            environment=describe_environment(self.resource_class, gpus),
            failed_cell=failed_cell,
            error=error,
        )

    async def _run(self, workdir: Path, gpus: list[str]) -> ExecutionResult:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._gpus = gpus
        limits = self.limits
        env = kernel_environment(
            workdir, memory_limit_mb=limits.memory_limit_mb, gpu=bool(gpus)
        )
        env[isolation.MARKER_VARIABLE] = self.marker
        if self._account is not None:
            env[kernel_launcher.USER_VARIABLE] = self._account.pw_name
            # The kernel's user may not write to the worker's cache folder.
            env["MPLCONFIGDIR"] = str(workdir / "matplotlib")
        elif self.cache_dir is not None:
            env["MPLCONFIGDIR"] = str(self.cache_dir / "matplotlib")
        # Unix sockets in the run's own folder, not TCP ports on localhost. One
        # ZeroMQ context serves every run: a context per run is never freed.
        manager = AsyncKernelManager(
            context=zmq.asyncio.Context.instance(),
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=ProjectKernelSpecManager(),
            transport="ipc",
            ip=str(workdir / "kernel"),
            connection_file=str(workdir / "kernel.json"),
        )
        client = LimitedNotebookClient(
            self.notebook,
            km=manager,
            cell_max_bytes=limits.cell_output_max_bytes,
            run_max_bytes=limits.run_output_max_bytes,
            kernel_name=KERNEL_NAME,
            startup_timeout=limits.startup_timeout,
            shutdown_kernel="immediate",
            iopub_timeout=5,
            extra_arguments=["--HistoryManager.hist_file=:memory:"],
        )
        self._client = client
        deadline = time.monotonic() + limits.run_timeout
        try:
            return await self._run_in_kernel(client, env, workdir, gpus, deadline)
        finally:
            # nbclient registers this at exit and leaves it there when the
            # kernel fails to start.
            atexit.unregister(client._cleanup_kernel)

    async def _run_in_kernel(self, client, env, workdir, gpus, deadline):
        try:
            async with client.async_setup_kernel(env=env, cwd=str(workdir)):
                self.kernel_pgid = client.km.provisioner.pgid
                self._kernel_process = client.km.provisioner.process
                if gpus:
                    await self._check_kernel_gpu(client)
                return await self._execute_cells(client, gpus, deadline)
        except GPUUnavailable as error:
            return self._result("failed", gpus, error=str(error))
        except (RuntimeError, TimeoutError, DeadKernelError) as error:
            logger.warning("Kernel failed to start or stopped: %s", error)
            message = (
                f"The kernel failed to start or stopped before the first cell: "
                f"{error}. Its memory limit is {self.limits.memory_limit_mb} MiB."
            )
            if self._account is not None:
                message += (
                    f" It runs as user {self._account.pw_name}, who must be able "
                    f"to read the worker's Python installation ({sys.base_prefix})."
                )
            return self._result("failed", gpus, error=message)

    async def _check_kernel_gpu(self, client) -> None:
        probe = nbformat.v4.new_code_cell(GPU_PROBE)
        self.notebook.cells.append(probe)
        index = len(self.notebook.cells) - 1
        try:
            await client.async_execute_cell(probe, index, store_history=False)
        finally:
            self.notebook.cells.pop()
        text = "".join(out.get("text", "") for out in probe.outputs)
        if '"cuda": false' in text:
            raise GPUUnavailable(
                "This demo needs a GPU, but the kernel sees no CUDA device "
                "(torch.cuda.is_available() is False) although nvidia-smi lists "
                "one. Check CUDA_VISIBLE_DEVICES and the NVIDIA container runtime."
            )

    async def _execute_cells(self, client, gpus, deadline) -> ExecutionResult:
        limits = self.limits
        for result in self.cells:
            if result.number is None:
                result.status = "skipped" if result.cell_type == "code" else "markdown"
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return self._timed_out(result, gpus, whole_run=True)
            cell_limit = min(limits.cell_timeout, remaining)
            client.timeout = max(1, math.ceil(cell_limit))
            self._report_progress(result.number)
            cell = client.nb.cells[result.index]
            self._running = result
            try:
                await client.async_execute_cell(cell, result.index)
            except CellTimeoutError:
                self._collect(client, result, cell)
                await self._interrupt_then_kill(client)
                whole_run = cell_limit < limits.cell_timeout
                return self._timed_out(result, gpus, whole_run=whole_run)
            except CellExecutionError as error:
                self._collect(client, result, cell)
                result.status = "error"
                message = f"{error.ename}: {error.evalue}"
                if error.ename == "MemoryError":
                    message += (
                        f" (the kernel's memory limit is {limits.memory_limit_mb} MiB)"
                    )
                return self._failed(result, gpus, message)
            except DeadKernelError:
                self._collect(client, result, cell)
                result.status = "error"
                code = await _exit_code(client)
                return self._failed(
                    result, gpus, _kernel_death_message(code, limits.memory_limit_mb)
                )
            self._collect(client, result, cell)
            result.status = "ok"
            self._running = None
        return self._result("succeeded", gpus)

    def _collect(self, client, result: CellResult, cell) -> None:
        result.outputs = [dict(output) for output in cell.get("outputs", [])]
        result.execution_count = cell.get("execution_count")
        result.dropped_bytes = client.dropped_bytes.get(result.index, 0)

    def _report_progress(self, number: int) -> None:
        self._events.put((number, self.cell_count))

    def _failed(self, result, gpus, message) -> ExecutionResult:
        error = f"Cell {result.number} of {self.cell_count} failed. {message}"
        return self._result("failed", gpus, failed_cell=result.number, error=error)

    def _timed_out(self, result, gpus, *, whole_run: bool) -> ExecutionResult:
        result.status = "timed_out"
        if whole_run:
            reason = f"the whole-run limit of {self.limits.run_timeout} s"
        else:
            reason = f"the per-cell limit of {self.limits.cell_timeout} s"
        error = (
            f"Cell {result.number} of {self.cell_count} timed out: it passed "
            f"{reason}, so the kernel was interrupted and then stopped."
        )
        return self._result("timed_out", gpus, failed_cell=result.number, error=error)

    async def _interrupt_then_kill(self, client) -> None:
        """Interrupt the kernel, give it a moment to stop, then kill it."""
        manager = client.km
        try:
            await manager.interrupt_kernel()
            waited = 0.0
            while waited < self.limits.interrupt_grace:
                if not await manager.is_alive():
                    break
                try:
                    reply = await client.kc.shell_channel.get_msg(timeout=0.5)
                except Exception:  # queue.Empty, or the channel closed
                    waited += 0.5
                    continue
                if reply.get("msg_type") == "execute_reply":
                    break
        finally:
            if await manager.is_alive():
                await manager.shutdown_kernel(now=True)

    def _kill_kernel_group(self) -> None:
        """Kill whatever is left of the kernel's process group, and reap the kernel."""
        if self.kernel_pgid is None:
            return
        try:
            os.killpg(self.kernel_pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        else:
            logger.debug("Killed kernel process group %s", self.kernel_pgid)
        if self._kernel_process is not None:
            try:
                self._kernel_process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                logger.error("Kernel process %s did not exit", self.kernel_pgid)

    def _kill_leftover_processes(self) -> None:
        """Kill the kernel's processes that left its process group, as setsid() does."""
        uid = os.getuid() if self._account is None else self._account.pw_uid
        # The kernel leads its own session, whose id is the kernel's pid.
        isolation.kill_run_processes(
            session=self.kernel_pgid, marker=self.marker, uid=uid
        )


async def _exit_code(client) -> int | None:
    """Return the kernel process's exit code, negative for a signal; None if unknown."""
    provisioner = getattr(client.km, "provisioner", None) if client.km else None
    process = getattr(provisioner, "process", None)
    if process is None or process.poll() is None:
        return None
    return process.returncode


def _kernel_death_message(code: int | None, memory_limit_mb: int) -> str:
    """Describe how the kernel died, naming memory only where it is a likely cause.

    Past ``RLIMIT_AS`` an allocation fails inside the kernel (Python raises
    MemoryError), so the kernel dies of memory mostly by SIGKILL from the
    kernel's out-of-memory killer or a container limit.
    """
    if code is None:
        return "The kernel died while running the cell."
    if code >= 0:
        return f"The kernel exited with status {code} while running the cell."
    name = signal.Signals(-code).name
    if -code == signal.SIGKILL:
        return (
            f"The kernel died (killed by {name}), usually because the machine or "
            f"its container ran out of memory; the kernel's own memory limit is "
            f"{memory_limit_mb} MiB."
        )
    return f"The kernel crashed (killed by {name}) while running the cell."
