"""Writes for demos: create, revise and approve notebooks; request and run them.

A run request is served in one of three ways: from the cache (a finished
run with the same cache key), by joining the run of that key already
queued or running, or by queueing a new run. Workers call ``execute_run``,
which is safe to call twice for one run.
"""

import hashlib
import logging
import os
import socket
from dataclasses import dataclass
from datetime import timedelta

import kombu.exceptions
import nbformat
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shortscience import pagecache
from shortscience.exceptions import ServiceError

from . import notebooks
from .execution import Limits, NotebookRun
from .models import Demo, DemoRevision, DemoRun
from .rendering import render_cells

logger = logging.getLogger(__name__)

# Seconds a worker gets past a run's own limit to start the kernel and
# store the outputs. The Celery soft limit is this far past the run's
# limit, the hard limit twice as far, and the sweep waits three times.
RUN_MARGIN = 60

STALE_RUN_ERROR = (
    "The worker stopped before this run finished: it was killed, lost its "
    "host or passed its hard time limit. Request the run again."
)
WORKER_TIME_LIMIT_ERROR = (
    "The run passed its worker's time limit, which is a minute past its own "
    "whole-run limit, so it was stopped."
)
SEND_FAILED_ERROR = (
    "The run could not be sent to the worker queue, so it never started. "
    "Try again in a minute."
)


@dataclass
class RunRequest:
    """A run request's run, and how it was served: cached, joined or queued."""

    run: DemoRun
    outcome: str


def invalidate_demo_pages(demo_id: int) -> None:
    """Make stale the cached page that shows this demo's section.

    A paper-level demo shows on its paper's page, a summary's demo on that
    summary's page; visitors' cached copies must show new runs and states.
    """
    row = (
        Demo.objects.filter(pk=demo_id)
        .values_list("paper__bibtex_key", "summary_id")
        .first()
    )
    if row is None:
        return
    bibtex_key, summary_id = row
    if summary_id is None:
        pagecache.invalidate(pagecache.paper_scope(bibtex_key))
    else:
        pagecache.invalidate(pagecache.summary_scope(summary_id))


def create_demo(
    *,
    paper,
    owner,
    title: str,
    notebook: bytes | str,
    summary=None,
    description: str = "",
    resource_class: str = Demo.ResourceClass.CPU,
    parameters: dict | None = None,
    limits: dict | None = None,
) -> Demo:
    """Attach a notebook to ``paper`` (and ``summary``), awaiting staff approval.

    ``limits`` may set ``cell_timeout``, ``run_timeout`` and
    ``memory_limit_mb``. Raises ServiceError when the notebook is invalid,
    the summary is of another paper or is not ``owner``'s.
    """
    if summary is not None:
        if summary.paper_id != paper.pk:
            raise ServiceError("The summary is of another paper.", field="summary")
        if owner is not None and summary.author_id != owner.pk and not owner.is_staff:
            raise ServiceError(
                "A demo can be attached only to your own summary.",
                code="forbidden",
                field="summary",
            )
    if resource_class not in Demo.ResourceClass.values:
        raise ServiceError(
            f"Resource class {resource_class!r} is not cpu or gpu.",
            field="resource_class",
        )
    parsed = notebooks.parse_notebook(notebook)
    with transaction.atomic():
        demo = Demo.objects.create(
            paper=paper,
            summary=summary,
            owner=owner,
            title=title.strip() or "Demo",
            description=description,
            resource_class=resource_class,
            parameters=notebooks.check_parameters(parameters or {}),
            **_checked_limits(limits or {}),
        )
        _add_revision(demo, parsed, user=owner)
    invalidate_demo_pages(demo.pk)
    logger.info(
        "Demo created: demo_id=%s paper_id=%s user_id=%s",
        demo.pk,
        paper.pk,
        getattr(owner, "pk", None),
    )
    return demo


def _checked_limits(limits: dict) -> dict:
    allowed = {"cell_timeout", "run_timeout", "memory_limit_mb"}
    unknown = set(limits) - allowed
    if unknown:
        raise ServiceError(f"Unknown limits: {', '.join(sorted(unknown))}.")
    for name, value in limits.items():
        if not isinstance(value, int) or value <= 0:
            raise ServiceError(f"{name} must be a positive whole number.", field=name)
    return limits


def _add_revision(demo: Demo, notebook: nbformat.NotebookNode, *, user) -> DemoRevision:
    text = nbformat.writes(notebook)
    number = (
        demo.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    revision = DemoRevision.objects.create(
        demo=demo,
        number=number,
        notebook=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        created_by=user,
    )
    demo.current_revision = revision
    demo.save(update_fields=["current_revision", "updated"])
    return revision


def revise_notebook(*, demo: Demo, user, notebook: bytes | str) -> DemoRevision:
    """Store a new revision of the notebook; it runs again only once approved.

    Its owner or staff may revise it. A revision by someone who is not
    staff sends the demo back to awaiting approval, because the code changed.
    """
    if not (user.is_staff or user.pk == demo.owner_id):
        raise ServiceError("Only the demo's owner can change it.", code="forbidden")
    parsed = notebooks.parse_notebook(notebook)
    with transaction.atomic():
        # Waits for an approval in progress; see set_approval.
        Demo.objects.select_for_update().filter(pk=demo.pk).first()
        revision = _add_revision(demo, parsed, user=user)
        if not user.is_staff:
            demo.approval = Demo.Approval.PENDING
            demo.approved_by = None
            demo.approved_at = None
        demo.latest_success = None
        demo.save(
            update_fields=[
                "approval",
                "approved_by",
                "approved_at",
                "latest_success",
                "updated",
            ]
        )
    invalidate_demo_pages(demo.pk)
    logger.info(
        "Demo revised: demo_id=%s revision=%s user_id=%s",
        demo.pk,
        revision.number,
        user.pk,
    )
    return revision


def set_approval(
    *, demo: Demo, user, approved: bool, revision: int | None = None
) -> Demo:
    """Approve the demo's current revision so it may run, or reject it; staff only.

    ``revision`` is the number of the revision the reviewer saw. Approval
    needs it, and a rejection checks it when given. Raises ServiceError
    with code ``conflict`` when another revision has been uploaded since,
    so that this call never approves a revision uploaded after the review.
    """
    if not user.is_staff:
        raise ServiceError("Only staff can approve demos.", code="forbidden")
    if approved and revision is None:
        raise ServiceError(
            "Approval needs the number of the notebook revision you reviewed.",
            field="revision",
        )
    with transaction.atomic():
        # Locked, so that a revision uploaded meanwhile waits for this to end
        # and then sends the demo back to awaiting approval.
        locked = (
            Demo.objects.select_for_update(of=("self",))
            .select_related("current_revision")
            .defer("current_revision__notebook")
            .get(pk=demo.pk)
        )
        _check_reviewed_revision(locked, revision, approved=approved)
        demo.approval = Demo.Approval.APPROVED if approved else Demo.Approval.REJECTED
        demo.approved_by = user if approved else None
        demo.approved_at = timezone.now() if approved else None
        demo.save(update_fields=["approval", "approved_by", "approved_at", "updated"])
    invalidate_demo_pages(demo.pk)
    logger.info(
        "Demo approval set: demo_id=%s approval=%s revision=%s user_id=%s",
        demo.pk,
        demo.approval,
        revision,
        user.pk,
    )
    return demo


def _check_reviewed_revision(
    demo: Demo, revision: int | None, *, approved: bool
) -> None:
    current = demo.current_revision
    if current is None and approved:
        raise ServiceError(
            "This demo has no notebook yet, so there is nothing to approve.",
            code="conflict",
        )
    if current is not None and revision is not None and revision != current.number:
        raise ServiceError(
            f"You reviewed revision {revision}, but the demo's current notebook "
            f"is revision {current.number}. Review revision {current.number}, "
            "then approve it.",
            code="conflict",
            field="revision",
        )


def run_cache_key(demo: Demo, parameters: dict) -> str:
    notebook = nbformat.reads(demo.current_revision.notebook, as_version=4)
    return notebooks.cache_key(
        notebook, parameters=parameters, resource_class=demo.resource_class
    )


def request_run(
    *, demo: Demo, user, force: bool = False, parameters: dict | None = None
) -> RunRequest:
    """Serve a run of ``demo`` from the cache, join one in progress, or queue one.

    Members may request runs of approved demos; ``force`` (run again past
    the cache) and ``parameters`` other than the demo's are for staff. A
    forced request still joins a run of the same key that is in progress.
    Raises ServiceError with code ``unavailable`` when the new run could not
    be sent to the broker; that run is then marked failed.
    """
    _check_may_request(demo, user, force=force, parameters=parameters)
    values = demo.parameters if parameters is None else parameters
    values = notebooks.check_parameters(values)
    key = run_cache_key(demo, values)
    sweep_stale_runs(cache_key=key)
    if not force:
        cached = (
            DemoRun.objects.filter(cache_key=key, status=DemoRun.Status.SUCCEEDED)
            .order_by("-finished")
            .first()
        )
        if cached is not None:
            _point_demo_at(demo, cached)
            logger.info(
                "Demo run served from cache: demo_id=%s run_id=%s", demo.pk, cached.pk
            )
            return RunRequest(run=cached, outcome="cached")
    active = DemoRun.objects.filter(cache_key=key, status__in=DemoRun.ACTIVE).first()
    if active is not None:
        _point_demo_at(demo, active)
        return RunRequest(run=active, outcome="joined")
    try:
        with transaction.atomic():
            run = _queue_run(demo, user, key=key, parameters=values, force=force)
    except IntegrityError:
        # Another request queued the same key between the check and the insert.
        active = DemoRun.objects.get(cache_key=key, status__in=DemoRun.ACTIVE)
        _point_demo_at(demo, active)
        return RunRequest(run=active, outcome="joined")
    # The run is sent when the transaction commits. Inside a caller's
    # transaction that happens later, and a failed send shows on the run.
    if run.status == DemoRun.Status.FAILED:
        raise ServiceError(SEND_FAILED_ERROR, code="unavailable")
    return RunRequest(run=run, outcome="queued")


def _check_may_request(demo: Demo, user, *, force: bool, parameters) -> None:
    if user is None or not user.is_authenticated:
        raise ServiceError("Log in to run a demo.", code="forbidden")
    if not demo.is_approved:
        raise ServiceError(
            "This demo has not been approved by staff, so it cannot run yet.",
            code="forbidden",
        )
    if (force or parameters is not None) and not user.is_staff:
        raise ServiceError(
            "Only staff can run a demo again past its cached outputs or with "
            "other parameters.",
            code="forbidden",
        )


def _queue_run(demo: Demo, user, *, key: str, parameters: dict, force: bool):
    revision = demo.current_revision
    notebook = nbformat.reads(revision.notebook, as_version=4)
    run = DemoRun.objects.create(
        demo=demo,
        revision=revision,
        cache_key=key,
        parameters=parameters,
        resource_class=demo.resource_class,
        queue=settings.DEMOS_QUEUES[demo.resource_class],
        cell_timeout=demo.cell_timeout,
        run_timeout=demo.run_timeout,
        memory_limit_mb=demo.memory_limit_mb,
        forced=force,
        requested_by=user,
        cell_count=len(
            notebooks.code_sources(notebooks.inject_parameters(notebook, parameters))
        ),
    )
    _point_demo_at(demo, run)
    transaction.on_commit(lambda: enqueue_run(run))
    logger.info(
        "Demo run queued: demo_id=%s run_id=%s queue=%s user_id=%s",
        demo.pk,
        run.pk,
        run.queue,
        user.pk,
    )
    return run


def enqueue_run(run: DemoRun) -> bool:
    """Send the run to its queue, with Celery limits past the run's own.

    Returns whether the message was sent. A run that cannot be sent, for
    example because the broker is unreachable after Celery's publish
    retries, is marked failed: left queued, it would never start, and every
    later request for its cache key would join it.
    """
    from .tasks import execute_run

    try:
        execute_run.apply_async(
            args=[run.pk],
            queue=run.queue,
            soft_time_limit=run.run_timeout + RUN_MARGIN,
            time_limit=run.run_timeout + 2 * RUN_MARGIN,
        )
    except (kombu.exceptions.OperationalError, OSError):
        logger.exception(
            "Demo run could not be sent to its queue: run_id=%s demo_id=%s queue=%s",
            run.pk,
            run.demo_id,
            run.queue,
        )
        _fail_unsent_run(run)
        return False
    return True


def _fail_unsent_run(run: DemoRun) -> None:
    now = timezone.now()
    DemoRun.objects.filter(pk=run.pk, status=DemoRun.Status.QUEUED).update(
        status=DemoRun.Status.FAILED, error=SEND_FAILED_ERROR, finished=now
    )
    run.refresh_from_db(fields=["status", "error", "finished"])
    invalidate_demo_pages(run.demo_id)


def _point_demo_at(demo: Demo, run: DemoRun) -> None:
    fields = {"latest_run": run}
    if (
        run.status == DemoRun.Status.SUCCEEDED
        and run.revision_id == demo.current_revision_id
    ):
        fields["latest_success"] = run
    Demo.objects.filter(pk=demo.pk).update(**fields)
    for name, value in fields.items():
        setattr(demo, name, value)
    invalidate_demo_pages(demo.pk)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_run(run_id: int) -> DemoRun | None:
    """Mark a queued run running for this process; None if it must not start.

    A run that is already running elsewhere is left alone. One marked
    running by a process of this host that no longer exists lost its worker
    (the message came back after the process died), so it is failed.
    """
    now = timezone.now()
    claimed = DemoRun.objects.filter(pk=run_id, status=DemoRun.Status.QUEUED).update(
        status=DemoRun.Status.RUNNING,
        started=now,
        worker=worker_name(),
        deadline=None,
        progress_cell=0,
    )
    run = DemoRun.objects.select_related("demo", "revision").filter(pk=run_id).first()
    if run is None:
        logger.warning("Demo run not found: run_id=%s", run_id)
        return None
    if claimed:
        run.deadline = now + timedelta(seconds=run.run_timeout + 3 * RUN_MARGIN)
        run.attempts += 1
        run.save(update_fields=["deadline", "attempts"])
        invalidate_demo_pages(run.demo_id)
        return run
    if run.status == DemoRun.Status.RUNNING and _worker_is_gone(run.worker):
        _finish(run, status=DemoRun.Status.FAILED, error=STALE_RUN_ERROR)
        logger.warning(
            "Demo run lost its worker: run_id=%s worker=%s", run.pk, run.worker
        )
        return None
    logger.info("Demo run not started again: run_id=%s status=%s", run.pk, run.status)
    return None


def _worker_is_gone(worker: str) -> bool:
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def execute_run(run_id: int) -> DemoRun | None:
    """Run a queued run's notebook and store its outputs; safe to call twice."""
    run = claim_run(run_id)
    if run is None:
        return None
    logger.info(
        "Demo run started: run_id=%s demo_id=%s worker=%s",
        run.pk,
        run.demo_id,
        run.worker,
    )
    notebook = notebooks.inject_parameters(
        nbformat.reads(run.revision.notebook, as_version=4), run.parameters
    )
    execution = NotebookRun(
        notebook,
        limits=Limits(
            cell_timeout=run.cell_timeout,
            run_timeout=run.run_timeout,
            memory_limit_mb=run.memory_limit_mb,
            cell_output_max_bytes=settings.DEMOS_CELL_OUTPUT_MAX_BYTES,
            run_output_max_bytes=settings.DEMOS_RUN_OUTPUT_MAX_BYTES,
            startup_timeout=settings.DEMOS_KERNEL_STARTUP_TIMEOUT,
            interrupt_grace=settings.DEMOS_INTERRUPT_GRACE,
        ),
        resource_class=run.resource_class,
        on_progress=lambda number, count: _record_progress(run, number, count),
        cache_dir=settings.DEMOS_CACHE_DIR,
        kernel_user=settings.DEMOS_KERNEL_USER,
    )
    try:
        result = execution.run()
    except SoftTimeLimitExceeded:
        # The outputs so far are still in memory: store them with the run.
        logger.warning("Demo run passed its Celery time limit: run_id=%s", run.pk)
        result = execution.stopped_result(
            status=DemoRun.Status.TIMED_OUT, error=WORKER_TIME_LIMIT_ERROR
        )
    rendered = render_cells(run.pk, result.cells)
    _finish(
        run,
        status=result.status,
        error=result.error,
        failed_cell=result.failed_cell,
        environment=result.environment,
        cells=rendered.cells,
        truncated=rendered.truncated or result.output_truncated,
    )
    return run


def _record_progress(run: DemoRun, number: int, count: int) -> None:
    # Kept on the instance too, which ``_finish`` saves over the row.
    run.progress_cell = number
    run.cell_count = count
    DemoRun.objects.filter(pk=run.pk, status=DemoRun.Status.RUNNING).update(
        progress_cell=number, cell_count=count
    )


def _finish(
    run: DemoRun,
    *,
    status: str,
    error: str = "",
    failed_cell: int | None = None,
    environment: dict | None = None,
    cells: list | None = None,
    truncated: bool = False,
) -> None:
    run.status = status
    run.error = _without_nul(error)
    run.failed_cell = failed_cell
    run.finished = timezone.now()
    if environment is not None:
        run.environment = _without_nul(environment)
    if cells is not None:
        run.cells = _without_nul(cells)
    run.output_truncated = truncated
    if status == DemoRun.Status.SUCCEEDED:
        run.progress_cell = run.cell_count
    run.save(
        update_fields=[
            "status",
            "error",
            "failed_cell",
            "finished",
            "environment",
            "cells",
            "output_truncated",
            "progress_cell",
        ]
    )
    if status == DemoRun.Status.SUCCEEDED:
        Demo.objects.filter(pk=run.demo_id, current_revision=run.revision_id).update(
            latest_success=run
        )
    invalidate_demo_pages(run.demo_id)
    log = logger.info if status == DemoRun.Status.SUCCEEDED else logger.warning
    log(
        "Demo run finished: run_id=%s demo_id=%s status=%s failed_cell=%s seconds=%s",
        run.pk,
        run.demo_id,
        status,
        failed_cell,
        run.duration,
    )


def _without_nul(value):
    """Replace NUL characters, which PostgreSQL cannot store in text or jsonb.

    A notebook may print any character, so outputs and error messages get
    U+FFFD in place of each NUL, as a Markdown renderer does.
    """
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


def fail_run(run_id: int, *, status: str, error: str) -> None:
    """Finish a running run that its task gave up on, for example past a time limit."""
    run = DemoRun.objects.filter(pk=run_id, status=DemoRun.Status.RUNNING).first()
    if run is not None:
        _finish(run, status=status, error=error, failed_cell=run.progress_cell or None)


def sweep_stale_runs(*, cache_key: str | None = None) -> int:
    """Fail runs marked running past their deadline, whose worker is gone.

    Returns how many were failed. Queued runs are left alone: a GPU run
    waits in its queue until a GPU worker takes it.
    """
    stale = DemoRun.objects.filter(
        status=DemoRun.Status.RUNNING, deadline__lt=timezone.now()
    )
    if cache_key is not None:
        stale = stale.filter(cache_key=cache_key)
    demo_ids = set(stale.values_list("demo_id", flat=True))
    count = stale.update(
        status=DemoRun.Status.FAILED, error=STALE_RUN_ERROR, finished=timezone.now()
    )
    for demo_id in demo_ids:
        invalidate_demo_pages(demo_id)
    if count:
        logger.warning("Stale demo runs failed: count=%s", count)
    return count


def load_site_demo(
    *,
    paper,
    title: str,
    notebook: bytes | str,
    description: str = "",
    resource_class: str = Demo.ResourceClass.CPU,
    limits: dict | None = None,
) -> tuple[Demo, bool]:
    """Create or update a demo written for the site, approved to run.

    The demo is found by paper and title. A changed notebook becomes a new
    revision; the same notebook adds nothing. Returns the demo and whether
    anything changed.
    """
    parsed = notebooks.parse_notebook(notebook)
    text = nbformat.writes(parsed)
    fields = {
        "description": description,
        "resource_class": resource_class,
        "approval": Demo.Approval.APPROVED,
        **_checked_limits(limits or {}),
    }
    with transaction.atomic():
        demo = Demo.objects.filter(paper=paper, title=title, owner=None).first()
        if demo is None:
            demo = Demo.objects.create(
                paper=paper, title=title, approved_at=timezone.now(), **fields
            )
            changed = True
        else:
            changed = any(
                getattr(demo, name) != value for name, value in fields.items()
            )
            Demo.objects.filter(pk=demo.pk).update(**fields)
            demo.refresh_from_db()
        current = demo.current_revision
        if current is None or current.notebook != text:
            _add_revision(demo, parsed, user=None)
            changed = True
    if changed:
        invalidate_demo_pages(demo.pk)
        logger.info("Site demo loaded: demo_id=%s paper_id=%s", demo.pk, paper.pk)
    return demo, changed
