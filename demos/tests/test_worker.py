"""Demo runs through a real Celery worker process with Redis as the broker.

The worker consumes a CPU queue whose name is unique to this test module,
so test sessions running side by side (pytest-xdist, other checkouts) never
take each other's messages. Both demo notebooks run once, for all tests.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from demos import services
from demos.management.commands.load_demo_notebooks import NOTEBOOK_DIR, SITE_DEMOS
from demos.models import Demo, DemoRun
from demos.tests.brokers import use_broker, using_broker
from demos.tests.factories import DemoRunFactory, make_notebook
from shortscience.celery import app as celery_app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("SHORTSCIENCE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PREFIX = f"test-{uuid.uuid4().hex[:8]}-"
CPU_QUEUE = f"{PREFIX}demos-cpu"
GPU_QUEUE = f"{PREFIX}demos-gpu"
RUN_WAIT = 240
# A memory limit no other test uses, so this test's kernels can be found.
MARKED_MEMORY_MB = 1537


def database_url() -> str:
    """Describe the test database so that the worker process opens the same one."""
    values = connection.settings_dict
    if values["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(values['NAME']).resolve()}"
    user = values["USER"] or ""
    password = f":{values['PASSWORD']}" if values["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    host = values["HOST"] or "127.0.0.1"
    port = values["PORT"] or 5432
    return f"postgres://{credentials}{host}:{port}/{values['NAME']}"


def worker_environment(media_root: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="shortscience.settings.test",
        TEST_CELERY_BROKER_URL=REDIS_URL,
        DATABASE_URL=database_url(),
        DEMOS_QUEUE_PREFIX=PREFIX,
        MEDIA_ROOT=str(media_root),
    )
    return env


def start_worker(queues: str, env: dict, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "celery", "-A", "shortscience", "worker",
        "-Q", queues, "--pool", "prefork", "--concurrency", "1",
        "--without-mingle", "--without-gossip", "--without-heartbeat",
        "-n", f"{PREFIX}{queues}@%h", "--loglevel", "INFO",
    ]  # fmt: skip
    return subprocess.Popen(  # noqa: S603
        command,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        cwd=settings.BASE_DIR,
    )


def wait_for(condition, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(message)


@pytest.fixture(scope="module")
def broker():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    # Fresh connection and producer pools on the way in and out, so that no
    # test sends to a broker it did not choose, or through a closed pool.
    with using_broker(REDIS_URL):
        yield client
        client.delete(CPU_QUEUE, GPU_QUEUE)


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("worker-media")


@pytest.fixture(scope="module")
def worker(broker, media_root, django_db_setup, django_db_blocker, tmp_path_factory):
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with django_db_blocker.unblock():
        env = worker_environment(media_root)
    process = start_worker(CPU_QUEUE, env, log)
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(autouse=True)
def _settings(settings, media_root):
    settings.MEDIA_ROOT = media_root
    settings.DEMOS_QUEUES = {"cpu": CPU_QUEUE, "gpu": GPU_QUEUE}


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create(username=f"member-{uuid.uuid4().hex[:6]}")


def wait_finished(run: DemoRun) -> DemoRun:
    def finished():
        run.refresh_from_db()
        return run.status in DemoRun.FINISHED

    wait_for(finished, RUN_WAIT, f"run {run.pk} still {run.status} after {RUN_WAIT} s")
    return run


@pytest.mark.parametrize("entry", SITE_DEMOS, ids=lambda entry: entry["file"])
def test_site_demo_end_to_end(worker, member, entry):
    from papers.tests.factories import PaperFactory

    paper = PaperFactory(bibtex_key=entry["bibtex_key"])
    demo, _ = services.load_site_demo(
        paper=paper,
        title=entry["title"],
        notebook=(NOTEBOOK_DIR / entry["file"]).read_bytes(),
        limits=entry["limits"],
    )
    first = services.request_run(demo=demo, user=member)
    run = wait_finished(first.run)
    started = time.perf_counter()
    again = services.request_run(demo=demo, user=member)
    cache_seconds = time.perf_counter() - started

    assert first.outcome == "queued"
    assert run.status == DemoRun.Status.SUCCEEDED, run.error
    assert run.progress_cell == run.cell_count
    assert run.environment["device"].startswith("CPU")
    figures = "".join(cell.get("outputs_html", "") for cell in run.cells)
    assert figures.count('<img class="demo-figure"') >= 2
    assert (
        len(list((settings.MEDIA_ROOT / "demos" / "runs" / str(run.pk)).iterdir())) >= 2
    )
    assert again.outcome == "cached"
    assert again.run == run
    assert cache_seconds < 0.5


def test_gpu_run_waits_without_gpu_worker(worker, broker, member):
    from papers.tests.factories import PaperFactory

    demo = services.load_site_demo(
        paper=PaperFactory(),
        title="Waits for a GPU",
        notebook=make_notebook("print(1)"),
        resource_class=Demo.ResourceClass.GPU,
    )[0]
    run = services.request_run(demo=demo, user=member).run
    wait_for(lambda: broker.llen(GPU_QUEUE) == 1, 10, "the GPU run was not queued")
    time.sleep(1)
    run.refresh_from_db()
    assert run.status == DemoRun.Status.QUEUED
    assert run.queue == GPU_QUEUE


def test_killed_worker_process_fails_run(worker, member):
    from papers.tests.factories import PaperFactory

    notebook = make_notebook(
        "print('started', flush=True)", "import time\ntime.sleep(120)"
    )
    demo = services.load_site_demo(
        paper=PaperFactory(),
        title="Killed",
        notebook=notebook,
        limits={"memory_limit_mb": MARKED_MEMORY_MB, "run_timeout": 300},
    )[0]
    run = services.request_run(demo=demo, user=member).run

    def sleeping():
        run.refresh_from_db()
        return run.status == DemoRun.Status.RUNNING and run.progress_cell == 2

    wait_for(sleeping, RUN_WAIT, "the run never reached its second cell")
    wait_for(lambda: marked_kernels(), 10, "no kernel process found")
    os.kill(int(run.worker.rpartition(":")[2]), signal.SIGKILL)
    wait_finished(run)

    assert run.status == DemoRun.Status.FAILED
    assert "worker stopped" in run.error
    wait_for(lambda: not marked_kernels(), 10, "a kernel outlived its worker")


def test_worker_time_limit_keeps_outputs(worker, member):
    from demos.tasks import execute_run
    from papers.tests.factories import PaperFactory

    notebook = make_notebook(
        "print('one')",
        "import time\nprint('two', flush=True)\ntime.sleep(120)",
        "print(3)",
    )
    demo = services.load_site_demo(
        paper=PaperFactory(),
        title="Past the worker's limit",
        notebook=notebook,
        limits={"cell_timeout": 300, "run_timeout": 300},
    )[0]
    run = DemoRunFactory(
        demo=demo,
        queue=CPU_QUEUE,
        cell_timeout=300,
        run_timeout=300,
        cell_count=3,
    )
    # A Celery soft limit far below the run's own limits, so that the
    # worker's limit is what stops the run.
    execute_run.apply_async(
        args=[run.pk], queue=CPU_QUEUE, soft_time_limit=20, time_limit=80
    )
    wait_finished(run)

    assert run.status == DemoRun.Status.TIMED_OUT
    assert "worker's time limit" in run.error
    assert run.failed_cell == 2
    assert run.progress_cell == 2
    assert [cell["status"] for cell in run.cells] == ["ok", "timed_out", "not_run"]
    assert "one" in run.cells[0]["outputs_html"]
    assert "two" in run.cells[1]["outputs_html"]


def marked_kernels() -> list[int]:
    """Return the pids of live kernels started with this module's memory limit."""
    marker = f"SHORTSCIENCE_KERNEL_MEMORY_BYTES={MARKED_MEMORY_MB * 1024 * 1024}"
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker.encode() in environ.read_bytes().split(b"\0"):
                state = (
                    (environ.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
                )
                if state != "Z":
                    found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


def test_broker_switch_keeps_sending(broker):
    """Tasks still send after switching away from a broker and back, twice."""
    probe_queue = f"{PREFIX}probe"
    try:
        for url in ("memory://", REDIS_URL, "memory://", REDIS_URL):
            use_broker(url)
            celery_app.send_task("demos.probe", queue=probe_queue)
        assert broker.llen(probe_queue) == 2
    finally:
        use_broker(REDIS_URL)
        broker.delete(probe_queue)


def test_gpu_worker_refuses_host_without_gpu(broker, media_root, tmp_path):
    from demos.execution import detect_gpus

    if detect_gpus():
        pytest.skip("this host has a GPU")
    log = tmp_path / "gpu-worker.log"
    process = start_worker(GPU_QUEUE, worker_environment(media_root), log)
    try:
        code = process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the GPU worker kept running on a host without a GPU")
    assert code != 0
    assert "needs a GPU" in log.read_text()
