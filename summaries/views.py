"""Pages for summaries: home feed, summary page, editor, history and votes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from comments.forms import CommentForm
from comments.selectors import comment_threads, flatten_threads
from papers.models import Paper
from shortscience import drafts, pagecache
from shortscience.exceptions import ServiceError
from shortscience.pagination import feed_page
from shortscience.redirects import is_safe_redirect

from . import services
from .diff import diff_sources
from .forms import SummaryForm, VoteForm
from .models import Summary
from .selectors import (
    FEED_TABS,
    get_visible_summary,
    summary_feed,
    votes_by_viewer,
)

PAGE_SIZE = 20


@pagecache.cache_page_for_visitors(pagecache.feed)
def home(request):
    """List summaries under the Popular, Recent and Top tabs, paginated."""
    tab = request.GET.get("tab", "popular")
    if tab not in FEED_TABS:
        tab = "popular"
    page = feed_page(
        summary_feed(viewer=request.user, tab=tab), request.GET.get("page"), PAGE_SIZE
    )
    return render(
        request,
        "summaries/home.html",
        {
            "tab": tab,
            "tabs": FEED_TABS,
            "page": page,
            "votes": votes_by_viewer(viewer=request.user, summaries=page.object_list),
        },
    )


@pagecache.cache_page_for_visitors(
    pagecache.catalog, lambda pk: pagecache.summary_scope(pk)
)
def detail(request, pk):
    """Show one summary with its paper, votes and comment threads."""
    summary = get_visible_summary(pk=pk, viewer=request.user)
    threads = flatten_threads(comment_threads(summary=summary))
    return render(
        request,
        "summaries/detail.html",
        {
            "summary": summary,
            "paper": summary.paper,
            "comments": threads,
            "comment_form": CommentForm(),
            "votes": votes_by_viewer(viewer=request.user, summaries=[summary]),
        },
    )


def _save_error(form: SummaryForm, error: ServiceError) -> int:
    """Show ``error`` on the form, keeping the typed text; return the status."""
    message = error.message
    if isinstance(error, services.VersionConflict):
        message += (
            " Your text is kept in the editor; compare it with the current "
            "version and save again."
        )
    form.add_error(error.field if error.field in form.fields else None, message)
    return error.status


@login_required
def create(request):
    """Write a summary of the paper named by ``?paper=<bibtex_key>``."""
    paper = get_object_or_404(Paper, bibtex_key=request.GET.get("paper", ""))
    existing = Summary.objects.filter(paper=paper, author=request.user).first()
    if existing is not None:
        messages.info(request, "You have already summarised this paper; edit it here.")
        return redirect("summaries:edit", pk=existing.pk)
    form = SummaryForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            summary = services.create_summary(
                paper=paper,
                author=request.user,
                source=form.cleaned_data["source"],
                private=form.cleaned_data["private"],
                anonymous=form.cleaned_data["anonymous"],
            )
        except ServiceError as error:
            status = _save_error(form, error)
        else:
            drafts.mark_saved(request, request.get_full_path())
            messages.success(request, "Your summary is published.")
            return redirect(summary)
    elif form.errors:
        status = 400
    return render(
        request,
        "summaries/form.html",
        {"form": form, "paper": paper, "summary": None},
        status=status,
    )


@login_required
def edit(request, pk):
    """Edit one's own summary; a conflicting save keeps the typed text."""
    summary = get_visible_summary(pk=pk, viewer=request.user)
    if summary.author_id != request.user.pk:
        raise PermissionDenied("Only the author can edit this summary.")
    form = SummaryForm(
        request.POST or None,
        instance=summary if request.method != "POST" else None,
        initial={"base_version": summary.version},
        require_base_version=True,
    )
    status = 200
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            summary = services.update_summary(
                summary=summary,
                editor=request.user,
                source=form.cleaned_data["source"],
                private=form.cleaned_data["private"],
                anonymous=form.cleaned_data["anonymous"],
                base_version=form.cleaned_data["base_version"],
            )
        except ServiceError as error:
            status = _save_error(form, error)
            if isinstance(error, services.VersionConflict):
                # Show the newer text beside the editor's, and let a second
                # save go through on purpose.
                current = Summary.objects.get(pk=summary.pk)
                form.data = form.data.copy()
                form.data["base_version"] = current.version
        else:
            drafts.mark_saved(request, request.get_full_path())
            messages.success(request, "Your summary is saved.")
            return redirect(summary)
    elif form.errors:
        status = 400
    return render(
        request,
        "summaries/form.html",
        {
            "form": form,
            "paper": summary.paper,
            "summary": summary,
            "conflict_current": current,
        },
        status=status,
    )


@login_required
def delete(request, pk):
    """Ask to confirm, then delete one's own summary."""
    summary = get_visible_summary(pk=pk, viewer=request.user)
    if request.method == "POST":
        try:
            services.delete_summary(summary=summary, user=request.user)
        except ServiceError as error:
            raise PermissionDenied(error.message) from error
        messages.success(request, "The summary is deleted.")
        return redirect(summary.paper)
    if summary.author_id != request.user.pk and not request.user.is_staff:
        raise PermissionDenied("Only the author can delete this summary.")
    return render(request, "summaries/confirm_delete.html", {"summary": summary})


def history(request, pk):
    """List the revisions and show the difference between two of them."""
    summary = get_visible_summary(pk=pk, viewer=request.user)
    revisions = list(summary.revisions.select_related("editor"))
    by_number = {revision.number: revision for revision in revisions}
    newest = revisions[0].number if revisions else 1
    try:
        new = int(request.GET.get("new", newest))
        old = int(request.GET.get("old", max(new - 1, 1)))
    except ValueError:
        return HttpResponseBadRequest("Revision numbers must be whole numbers.")
    if old not in by_number or new not in by_number:
        return HttpResponseBadRequest(
            f"Unknown revision: this summary has revisions 1 to {newest}."
        )
    return render(
        request,
        "summaries/history.html",
        {
            "summary": summary,
            "paper": summary.paper,
            "revisions": revisions,
            "old": by_number[old],
            "new": by_number[new],
            "diff": diff_sources(by_number[old].source, by_number[new].source),
            "show_editors": not summary.anonymous
            or summary.author_id == request.user.pk,
        },
    )


@login_required
@require_POST
def vote(request, pk):
    """Record a +1 or -1, or remove the vote with 0, then go back to the page."""
    summary = get_visible_summary(pk=pk, viewer=request.user)
    form = VoteForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("A vote is +1, -1 or 0 (to remove it).")
    value = form.cleaned_data["value"] or None
    try:
        services.cast_vote(summary=summary, user=request.user, value=value)
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect(_safe_next(request, summary.get_absolute_url()))


@login_required
@require_POST
def preview(request):
    """Render Markdown to HTML with the same pipeline as a saved summary."""
    source = request.POST.get("source", "")
    if not source.strip():
        return HttpResponse("")
    try:
        rendered = services.render_summary_source(source)
    except ServiceError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain")
    return HttpResponse(rendered.html)


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if is_safe_redirect(request, target):
        return target
    return default
