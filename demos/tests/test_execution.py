"""Running notebooks in limited kernels: memory, time, output and GPU limits."""

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from celery.exceptions import SoftTimeLimitExceeded

from demos import isolation
from demos.execution import Limits, NotebookRun, detect_gpus
from demos.tests.factories import make_notebook


def limits(**overrides) -> Limits:
    values = {
        "cell_timeout": 20,
        "run_timeout": 60,
        "memory_limit_mb": 1024,
        "cell_output_max_bytes": 100_000,
        "run_output_max_bytes": 200_000,
        "interrupt_grace": 1.0,
    }
    values.update(overrides)
    return Limits(**values)


def execute(*sources, resource_class="cpu", kernel_user="", **overrides):
    notebook = nbformat.reads(make_notebook(*sources), as_version=4)
    run = NotebookRun(
        notebook,
        limits=limits(**overrides),
        resource_class=resource_class,
        kernel_user=kernel_user,
    )
    result = run.run()
    return run, result


def kernel_alive(pgid) -> bool:
    """Tell whether any process of the kernel's group exists, zombies included."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            return True
    return False


def stdout_of(cell) -> str:
    return "".join(out.get("text", "") for out in cell.outputs)


@pytest.fixture(scope="module")
def memory_run():
    """The kernel-death case: cell 2 allocates far past the memory limit."""
    return execute(
        "print('ok')",
        "block = bytearray(8 * 1024**3)",
        "print('after')",
        memory_limit_mb=768,
    )


def test_memory_run_fails(memory_run):
    assert memory_run[1].status == "failed"


def test_memory_run_names_cell_two(memory_run):
    assert memory_run[1].failed_cell == 2


def test_memory_run_names_reason(memory_run):
    assert "MemoryError" in memory_run[1].error


def test_memory_run_names_limit(memory_run):
    assert "768 MiB" in memory_run[1].error


def test_memory_run_keeps_partial_output(memory_run):
    assert stdout_of(memory_run[1].cells[0]) == "ok\n"


def test_memory_run_skips_rest(memory_run):
    assert memory_run[1].cells[2].status == "not_run"


def test_memory_run_leaves_no_kernel(memory_run):
    assert not kernel_alive(memory_run[0].kernel_pgid)


def test_killed_kernel_fails_run():
    run, result = execute(
        "print('ok')", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "1"
    )
    assert result.failed_cell == 2
    assert "kernel died (killed by SIGKILL)" in result.error
    assert not kernel_alive(run.kernel_pgid)


def test_kernel_exit_is_not_blamed_on_memory():
    _, result = execute("import os\nos._exit(9)")
    assert result.failed_cell == 1
    assert "exited with status 9" in result.error
    assert "memory" not in result.error


def test_kernel_crash_is_not_blamed_on_memory():
    _, result = execute("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)")
    assert "crashed (killed by SIGSEGV)" in result.error
    assert "memory" not in result.error


@pytest.fixture(scope="module")
def timeout_run():
    """The timeout case: cell 1 never ends, with a per-cell limit of 5 s."""
    started = time.monotonic()
    run, result = execute("while True: pass", "x = 1", "print(x)", cell_timeout=5)
    return run, result, time.monotonic() - started


def test_timeout_run_times_out(timeout_run):
    assert timeout_run[1].status == "timed_out"


def test_timeout_run_fails_cell_one(timeout_run):
    assert timeout_run[1].failed_cell == 1


def test_timeout_run_marks_rest_not_run(timeout_run):
    assert [cell.status for cell in timeout_run[1].cells] == [
        "timed_out",
        "not_run",
        "not_run",
    ]


def test_timeout_run_ends_within_limit(timeout_run):
    assert timeout_run[2] < 60


def test_timeout_run_leaves_no_kernel(timeout_run):
    assert not kernel_alive(timeout_run[0].kernel_pgid)


def test_ignored_interrupt_kills_kernel():
    run, result = execute(
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass",
        "x = 1",
        cell_timeout=2,
    )
    assert result.status == "timed_out"
    assert not kernel_alive(run.kernel_pgid)


def test_whole_run_limit():
    # The run's clock starts before the kernel does, so a busy machine may
    # spend seconds of the limit before the first cell.
    _, result = execute(
        "x = 1",
        "import time\ntime.sleep(1)",
        "time.sleep(60)",
        run_timeout=8,
    )
    assert result.status == "timed_out"
    assert result.failed_cell in {2, 3}
    assert result.cells[0].status == "ok"
    assert "whole-run limit of 8 s" in result.error


def test_long_stream_cut_and_marked():
    _, result = execute(
        "for i in range(5000):\n    print('x' * 99)",
        cell_output_max_bytes=10_000,
    )
    kept = stdout_of(result.cells[0])
    assert result.status == "succeeded"
    assert 0 < len(kept) <= 10_000
    assert result.cells[0].dropped_bytes > 400_000


def test_kernel_gets_no_secrets(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "do-not-leak")
    monkeypatch.setenv("DATABASE_URL", "postgres://user:secret@db/site")
    _, result = execute("import os\nprint(sorted(os.environ))")
    names = stdout_of(result.cells[0])
    assert "SECRET_KEY" not in names
    assert "DATABASE_URL" not in names


def test_cpu_run_hides_gpus():
    _, result = execute("import os\nprint(repr(os.environ['CUDA_VISIBLE_DEVICES']))")
    assert stdout_of(result.cells[0]) == "''\n"


def test_gpu_run_fails_without_gpu():
    if detect_gpus():
        pytest.skip("this host has a GPU")
    started = time.monotonic()
    run, result = execute("print(1)", resource_class="gpu")
    assert result.status == "failed"
    assert "needs a GPU" in result.error
    assert run.kernel_pgid is None
    assert time.monotonic() - started < 5


def test_worker_never_imports_torch():
    execute("import torch\nprint(torch.__version__)")
    assert "torch" not in sys.modules


@pytest.fixture(scope="module")
def error_run():
    """The exception case: cell 2 raises, after cell 1 printed."""
    return execute("print('one')", "print('two')\nraise ValueError('bad')", "1")


def test_error_run_fails_cell_two(error_run):
    assert error_run[1].failed_cell == 2


def test_error_run_keeps_earlier_outputs(error_run):
    assert stdout_of(error_run[1].cells[0]) == "one\n"


def test_error_run_keeps_failed_cell_outputs(error_run):
    outputs = error_run[1].cells[1].outputs
    assert outputs[0]["text"] == "two\n"
    assert outputs[-1]["ename"] == "ValueError"


def test_error_run_marks_cells(error_run):
    assert [cell.status for cell in error_run[1].cells] == ["ok", "error", "not_run"]


@pytest.fixture(scope="module")
def cell_timeout_run():
    """The per-cell limit case: cell 2 prints, then never ends."""
    return execute(
        "print('one')",
        "print('two', flush=True)\nwhile True: pass",
        "1",
        cell_timeout=3,
    )


def test_cell_timeout_keeps_earlier_outputs(cell_timeout_run):
    assert stdout_of(cell_timeout_run[1].cells[0]) == "one\n"


def test_cell_timeout_keeps_partial_output(cell_timeout_run):
    assert stdout_of(cell_timeout_run[1].cells[1]) == "two\n"


def test_cell_timeout_marks_cells(cell_timeout_run):
    assert [cell.status for cell in cell_timeout_run[1].cells] == [
        "ok",
        "timed_out",
        "not_run",
    ]


@pytest.fixture(scope="module")
def run_timeout_run():
    """The whole-run limit case: cell 2 prints, then sleeps past the run's limit."""
    return execute(
        "print('one')",
        "import time\nprint('two', flush=True)\ntime.sleep(30)",
        "1",
        run_timeout=4,
    )


def test_run_timeout_keeps_earlier_outputs(run_timeout_run):
    assert stdout_of(run_timeout_run[1].cells[0]) == "one\n"


def test_run_timeout_keeps_partial_output(run_timeout_run):
    assert stdout_of(run_timeout_run[1].cells[1]) == "two\n"


def test_run_timeout_marks_cells(run_timeout_run):
    assert [cell.status for cell in run_timeout_run[1].cells] == [
        "ok",
        "timed_out",
        "not_run",
    ]


def test_stopped_run_keeps_outputs():
    """A run stopped from outside, as Celery's soft time limit stops it."""

    def stop(signum, frame):
        raise SoftTimeLimitExceeded()

    notebook = nbformat.reads(
        make_notebook(
            "print('one')",
            "import time\nprint('two', flush=True)\ntime.sleep(120)",
            "1",
        ),
        as_version=4,
    )
    run = NotebookRun(notebook, limits=limits(cell_timeout=300, run_timeout=300))
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(6)
    try:
        with pytest.raises(SoftTimeLimitExceeded):
            run.run()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    result = run.stopped_result(status="timed_out", error="stopped")

    assert result.status == "timed_out"
    assert result.failed_cell == 2
    assert [cell.status for cell in result.cells] == ["ok", "timed_out", "not_run"]
    assert stdout_of(result.cells[0]) == "one\n"
    assert stdout_of(result.cells[1]) == "two\n"
    assert not kernel_alive(run.kernel_pgid)


def running_as_root() -> bool:
    return os.geteuid() == 0


def process_alive(pid: int) -> bool:
    """Tell whether ``pid`` is a live process; a zombie counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}


PR_GET_DUMPABLE = 3


def test_kernel_is_non_dumpable():
    _, result = execute(
        f"import ctypes\nprint(ctypes.CDLL(None).prctl({PR_GET_DUMPABLE}, 0, 0, 0, 0))"
    )
    assert stdout_of(result.cells[0]) == "0\n"


def test_kernel_has_memory_limit():
    _, result = execute(
        "import resource\nprint(resource.getrlimit(resource.RLIMIT_AS))",
        memory_limit_mb=900,
    )
    limit = 900 * 1024 * 1024
    assert stdout_of(result.cells[0]) == f"({limit}, {limit})\n"


def test_kernel_path_hides_project_modules():
    _, result = execute(
        "import importlib.util\nprint(importlib.util.find_spec('kernel_launcher'))"
    )
    assert stdout_of(result.cells[0]) == "None\n"


def test_setsid_child_killed_after_run():
    _, result = execute(
        "import subprocess\n"
        "print(subprocess.check_output(\n"
        "    'setsid sleep 300 >/dev/null 2>&1 & echo $!', shell=True, text=True\n"
        "), end='')"
    )
    pid = int(stdout_of(result.cells[0]))
    assert result.status == "succeeded"
    assert not process_alive(pid)


def test_forked_setsid_child_killed_after_run():
    if not running_as_root():
        pytest.skip("a worker that is not root cannot read a non-dumpable fork")
    _, result = execute(
        "import os, time\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os.setsid()\n"
        "    time.sleep(300)\n"
        "    os._exit(0)\n"
        "print(pid)"
    )
    pid = int(stdout_of(result.cells[0]))
    assert not process_alive(pid)


def test_sweep_spares_processes_of_other_runs():
    bystander = subprocess.Popen(  # noqa: S603
        [shutil.which("sleep"), "300"], start_new_session=True
    )
    try:
        execute("print(1)")
        assert process_alive(bystander.pid)
    finally:
        bystander.kill()
        bystander.wait()


def test_kernel_user_without_root_fails():
    """A worker that is not root fails the run instead of running it as itself."""
    if running_as_root():
        reader, writer = os.pipe()
        child = os.fork()
        if child == 0:
            # Drop to nobody in a child, so the check sees a worker that is
            # not root; only builtins and loaded modules are used after it.
            try:
                os.setgid(65534)
                os.setuid(65534)
                error = ""
                try:
                    isolation.kernel_account("nobody")
                except isolation.KernelUserError as caught:
                    error = str(caught)
                os.write(writer, error.encode())
            finally:
                os._exit(0)
        os.close(writer)
        message = os.read(reader, 4096).decode()
        os.close(reader)
        os.waitpid(child, 0)
    else:
        _, result = execute("print(1)", kernel_user="nobody")
        assert result.status == "failed"
        message = result.error
    assert "not root" in message
    assert "DEMOS_KERNEL_USER" in message


def test_unknown_kernel_user_fails():
    _, result = execute("print(1)", kernel_user="no-such-user-7f3a")
    assert result.status == "failed"
    assert "no such user" in result.error
    assert result.cells[0].status == "not_run"


SWITCH_USER = """
import json, os, sys
from demos import kernel_launcher
kernel_launcher.switch_user("nobody", connection_file=sys.argv[1])
print(json.dumps([os.getresuid(), os.getresgid(), os.getgroups()]))
"""


def test_switch_user_drops_to_nobody(tmp_path):
    if not running_as_root():
        pytest.skip("only root can switch users")
    connection_file = tmp_path / "kernel.json"
    connection_file.write_text("{}")
    connection_file.chmod(0o600)
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SWITCH_USER, str(connection_file)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
        check=False,
    )
    nobody = pwd.getpwnam("nobody")
    assert completed.returncode == 0, completed.stderr
    uids, gids, groups = json.loads(completed.stdout)
    assert uids == [nobody.pw_uid] * 3
    assert gids == [nobody.pw_gid] * 3
    assert set(groups) == set(os.getgrouplist("nobody", nobody.pw_gid))
    assert connection_file.stat().st_uid == nobody.pw_uid


def python_runs_as(account) -> bool:
    """Tell whether ``account`` can start this Python and import its stdlib."""
    try:
        completed = subprocess.run(
            [sys.executable, "-c", "import json, ctypes, sqlite3"],
            user=account.pw_uid,
            group=account.pw_gid,
            extra_groups=[],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except OSError:
        return False
    return completed.returncode == 0


def test_kernel_runs_as_kernel_user(tmp_path):
    if not running_as_root():
        pytest.skip("only a worker running as root can switch the kernel's user")
    nobody = pwd.getpwnam("nobody")
    if not python_runs_as(nobody):
        pytest.skip(f"user nobody cannot run {sys.executable} or read its stdlib")
    secret = tmp_path / "secret"
    secret.write_text("site secret")
    secret.chmod(0o600)
    _, result = execute(
        "import os\nprint(os.getuid(), os.getgid())",
        f"open({str(secret)!r}).read()",
        kernel_user="nobody",
    )
    assert stdout_of(result.cells[0]) == f"{nobody.pw_uid} {nobody.pw_gid}\n"
    assert result.cells[1].outputs[-1]["ename"] == "PermissionError"
