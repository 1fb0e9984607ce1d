"""Pages for demos: runs, live status, approval, uploads, revisions, output files."""

import logging
import mimetypes
import posixpath
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from papers.models import Paper
from shortscience.exceptions import ServiceError
from shortscience.redirects import is_safe_redirect
from summaries.models import Summary

from . import selectors, services
from .forms import DemoForm, NotebookRevisionForm
from .models import Demo, DemoRun
from .rendering import OUTPUT_FOLDER
from .review import review_revision
from .selectors import get_visible_demo, get_visible_run

logger = logging.getLogger(__name__)

# Output files are notebook content: served so that nothing in them can run
# in the site's origin even when opened directly.
OUTPUT_FILE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"
    ),
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "same-origin",
}
OUTPUT_TYPES = {".png", ".jpg", ".gif", ".svg"}
# A row id in a query parameter: ASCII digits that fit a bigint column.
ID_PATTERN = re.compile(r"[0-9]{1,18}")


def _demo_or_404(pk: int, user) -> Demo:
    try:
        return get_visible_demo(pk=pk, viewer=user)
    except Demo.DoesNotExist:
        raise Http404("No such demo.") from None


def _back(request, demo: Demo) -> str:
    target = request.POST.get("next", "")
    if is_safe_redirect(request, target):
        return f"{target}#demo-{demo.pk}"
    return f"{demo.paper.get_absolute_url()}#demo-{demo.pk}"


@require_POST
@login_required
def run(request, pk):
    """Request a run: from the cache, joining one in progress, or queued."""
    demo = _demo_or_404(pk, request.user)
    try:
        result = services.request_run(
            demo=demo, user=request.user, force=request.POST.get("force") == "1"
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        notice = {
            "cached": "Shown from the cache: this notebook already ran with this code.",
            "joined": "This notebook is already running; its progress shows below.",
            "queued": "The run is queued; its progress shows below.",
        }[result.outcome]
        messages.info(request, notice)
    return redirect(_back(request, demo))


@require_GET
def status(request, pk):
    """Return a run's state as JSON, for the page's progress poller."""
    try:
        run = get_visible_run(pk=pk, viewer=request.user)
    except DemoRun.DoesNotExist:
        raise Http404("No such run.") from None
    if run.status == DemoRun.Status.RUNNING:
        services.sweep_stale_runs(cache_key=run.cache_key)
        run.refresh_from_db(fields=["status", "error", "finished"])
    return JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "active": run.is_active,
            "progress_cell": run.progress_cell,
            "cell_count": run.cell_count,
            "queue": run.queue,
        }
    )


@require_GET
def fragment(request, pk):
    """Return one demo's part of the page, to replace it when a run ends."""
    demo = _demo_or_404(pk, request.user)
    demo = (
        Demo.objects.select_related(
            "current_revision",
            "latest_run",
            "latest_success",
            "latest_run__revision",
            "latest_success__revision",
        )
        .defer(
            "current_revision__notebook",
            "latest_run__revision__notebook",
            "latest_success__revision__notebook",
        )
        .get(pk=demo.pk)
    )
    html = render_to_string(
        "demos/_demo.html", {"demo": demo, "next": request.GET.get("next", "")}, request
    )
    return JsonResponse({"html": html})


@require_POST
@login_required
def approve(request, pk):
    """Approve or reject the revision of a demo that the form showed; staff only."""
    demo = _demo_or_404(pk, request.user)
    revision = request.POST.get("revision", "")
    try:
        services.set_approval(
            demo=demo,
            user=request.user,
            approved=request.POST.get("approve") == "1",
            revision=int(revision) if revision.isdigit() else None,
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Demo “{demo.title}” is now {demo.get_approval_display().lower()}.",
        )
    return redirect(_back(request, demo))


@login_required
def create(request):
    """Attach a notebook to the paper ``?paper=<key>``, or one's own summary."""
    paper = get_object_or_404(Paper, bibtex_key=request.GET.get("paper", ""))
    summary = None
    summary_id = request.GET.get("summary", "")
    if summary_id:
        if not ID_PATTERN.fullmatch(summary_id):
            message = (
                f"The summary id \u201c{summary_id}\u201d in the address is not a "
                "whole number. Open the form from your summary's page."
            )
            return render(request, "400.html", {"message": message}, status=400)
        summary = get_object_or_404(
            Summary, pk=int(summary_id), paper=paper, author=request.user
        )
    form = DemoForm(request.POST or None, request.FILES or None)
    status_code = 200
    if request.method == "POST" and form.is_valid():
        try:
            demo = services.create_demo(
                paper=paper,
                summary=summary,
                owner=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                resource_class=form.cleaned_data["resource_class"],
                notebook=_read_upload(form.cleaned_data["notebook"]),
            )
        except ServiceError as error:
            form.add_error(
                error.field if error.field in form.fields else None, error.message
            )
            status_code = error.status
        else:
            messages.success(request, f"Demo “{demo.title}” awaits approval by staff.")
            target = summary.get_absolute_url() if summary else paper.get_absolute_url()
            return redirect(f"{target}#demo-{demo.pk}")
    elif form.errors:
        status_code = 400
    return render(
        request,
        "demos/form.html",
        {"form": form, "paper": paper, "summary": summary},
        status=status_code,
    )


@require_POST
@login_required
def revise(request, pk):
    """Upload a new revision of a demo's notebook."""
    demo = _demo_or_404(pk, request.user)
    form = NotebookRevisionForm(request.POST, request.FILES)
    if not form.is_valid():
        if "notebook" in request.FILES:
            reason = " ".join(form.errors["notebook"])
        else:
            reason = "Choose a notebook (.ipynb) file to upload."
        _reject_revision(request, demo, reason)
        return redirect(_back(request, demo))
    try:
        revision = services.revise_notebook(
            demo=demo,
            user=request.user,
            notebook=_read_upload(form.cleaned_data["notebook"]),
        )
    except ServiceError as error:
        _reject_revision(request, demo, error.message)
    else:
        messages.success(request, _revised_notice(demo, revision.number))
    return redirect(_back(request, demo))


def _reject_revision(request, demo: Demo, reason: str) -> None:
    logger.warning(
        "Demo revision upload rejected: demo_id=%s user_id=%s reason=%s",
        demo.pk,
        request.user.pk,
        reason,
    )
    messages.error(request, f"No revision was stored. {reason}")


def _revised_notice(demo: Demo, number: int) -> str:
    if demo.approval == Demo.Approval.PENDING:
        return (
            f"Revision {number} is stored. The demo awaits approval by staff "
            "again, and runs once they approve this revision."
        )
    return (
        f"Revision {number} is stored; the demo stays "
        f"{demo.get_approval_display().lower()}."
    )


@require_GET
def revision(request, pk, number):
    """Show one revision's cells, its diff from the previous one, and the list.

    Stored outputs are not shown: they are not what the site runs.
    """
    try:
        demo = selectors.get_demo_for_review(pk=pk, viewer=request.user)
    except Demo.DoesNotExist:
        raise Http404("No such demo.") from None
    revisions = selectors.revisions_of(demo)
    selected = next((item for item in revisions if item.number == number), None)
    if selected is None:
        raise Http404(f"Demo “{demo.title}” has no revision {number}.")
    previous = next((item for item in revisions if item.number < number), None)
    texts = selectors.revision_notebooks(
        demo, [number] if previous is None else [number, previous.number]
    )
    review = review_revision(
        texts[number],
        previous=None if previous is None else texts[previous.number],
        parameters=demo.parameters,
    )
    summary = demo.summary
    return render(
        request,
        "demos/revision.html",
        {
            "demo": demo,
            "paper": demo.paper,
            "summary": summary,
            "revision": selected,
            "previous": previous,
            "revisions": revisions,
            "review": review,
            # The history of an anonymous summary names no editors, so its
            # demo names no uploaders: they are usually the summary's author.
            "show_uploaders": summary is None
            or summary.author_shown_to(request.user) is not None,
            "demo_url": _demo_url(demo),
        },
    )


def _demo_url(demo: Demo) -> str:
    target = demo.summary or demo.paper
    return f"{target.get_absolute_url()}#demo-{demo.pk}"


def _read_upload(upload) -> bytes:
    """Read at most one byte past the limit, so the service can reject it."""
    return upload.read(settings.DEMOS_NOTEBOOK_MAX_BYTES + 1)


@require_GET
def output_file(request, run_id, name):
    """Serve an image a run produced, with headers that keep it inert."""
    if (
        posixpath.basename(name) != name
        or posixpath.splitext(name)[1] not in OUTPUT_TYPES
    ):
        raise Http404("No such output file.")
    try:
        get_visible_run(pk=run_id, viewer=request.user)
    except DemoRun.DoesNotExist:
        raise Http404("No such output file.") from None
    path = f"{OUTPUT_FOLDER}/{run_id}/{name}"
    if not default_storage.exists(path):
        raise Http404("No such output file.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(path, "rb"), content_type=content_type)
    for header, value in OUTPUT_FILE_HEADERS.items():
        response[header] = value
    response["Cache-Control"] = "private, max-age=86400"
    return response
