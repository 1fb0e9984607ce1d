"""Celery tasks for demos. Task names are a contract with queued messages.

``demos.execute_run`` is sent to ``demos-cpu`` or ``demos-gpu`` by
``services.enqueue_run`` with time limits from the run; the sweep is routed
to the ``default`` queue by ``CELERY_TASK_ROUTES``.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import celeryd_after_setup, worker_init, worker_process_init
from django.conf import settings
from django.db import InterfaceError, OperationalError

from . import services
from .execution import GPUUnavailable, require_gpu
from .kernel_launcher import make_non_dumpable
from .models import DemoRun

logger = logging.getLogger(__name__)


@shared_task(
    name="demos.execute_run",
    acks_late=True,
    ignore_result=True,
    # Only a database that is briefly unreachable is worth another try; the
    # claim makes a retry of a run that already started a no-op.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    max_retries=3,
)
def execute_run(run_id: int) -> None:
    """Execute the demo run ``run_id`` unless it is already running or done."""
    try:
        services.execute_run(run_id)
    except SoftTimeLimitExceeded:
        # A limit passed during execution is handled by services.execute_run,
        # which keeps the outputs. This one passed while the run was claimed
        # or its result stored.
        logger.warning("Demo run passed its Celery time limit: run_id=%s", run_id)
        services.fail_run(
            run_id,
            status=DemoRun.Status.TIMED_OUT,
            error=services.WORKER_TIME_LIMIT_ERROR,
        )


@shared_task(name="demos.sweep_stale_runs", ignore_result=True)
def sweep_stale_runs() -> int:
    """Fail runs still marked running after their deadline; returns how many."""
    return services.sweep_stale_runs()


@celeryd_after_setup.connect
def check_gpu_worker(sender, instance, **kwargs) -> None:
    """Stop a worker that consumes the GPU queue on a host without a GPU.

    Such a worker would take GPU runs only to fail them; stopped, it leaves
    them waiting in the queue for a host that has one.
    """
    gpu_queue = settings.DEMOS_QUEUES["gpu"]
    if gpu_queue not in instance.app.amqp.queues.consume_from:
        return
    try:
        gpus = require_gpu()
    except GPUUnavailable as error:
        logger.critical("Worker %s cannot serve %s: %s", sender, gpu_queue, error)
        raise SystemExit(f"{gpu_queue}: {error}") from None
    logger.info("Worker %s serves %s on %s", sender, gpu_queue, ", ".join(gpus))


@worker_init.connect
@worker_process_init.connect
def protect_worker_memory(**kwargs) -> None:
    """Make worker processes non-dumpable, on Linux.

    Kernels run as the worker's user unless DEMOS_KERNEL_USER is set. A
    non-dumpable worker keeps their code from ptracing it or reading its
    memory and its environment, with the database URL and secret key, under
    /proc. Pool processes forked from the main one inherit the flag.
    """
    make_non_dumpable()
