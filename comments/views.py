"""Pages for comments: post or reply, edit and delete, all on the summary page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from comments.selectors import comment_threads, flatten_threads
from shortscience import drafts
from shortscience.exceptions import ServiceError
from summaries.selectors import get_visible_summary, votes_by_viewer

from . import services
from .forms import CommentForm
from .models import Comment


def _get_visible_comment(pk: int, viewer) -> Comment:
    queryset = Comment.objects.visible_to(viewer).select_related("summary")
    return get_object_or_404(queryset, pk=pk)


def _login_to_comment(request, summary_pk):
    """Send a visitor to log in, then back to the form they posted from.

    The login page returns to ``next`` with a GET, and this POST-only
    address returns 405 to a GET. So ``next`` is the summary page at the
    comment form, or at the comment that a reply responds to.
    """
    parent = request.POST.get("parent", "")
    is_id = parent.isascii() and parent.isdigit()
    anchor = f"comment-{parent}" if is_id else "comment-form"
    summary_url = reverse("summaries:detail", args=[summary_pk])
    return redirect_to_login(f"{summary_url}#{anchor}")


@require_POST
def create(request, summary_pk):
    """Post a comment or a reply; on an error, show the summary page with the text."""
    if not request.user.is_authenticated:
        return _login_to_comment(request, summary_pk)
    summary = get_visible_summary(pk=summary_pk, viewer=request.user)
    form = CommentForm(request.POST)
    status = 400
    parent = None
    if form.is_valid():
        parent_id = form.cleaned_data["parent"]
        if parent_id:
            parent = Comment.objects.filter(pk=parent_id, summary=summary).first()
        try:
            if parent_id and parent is None:
                raise ServiceError(
                    "The comment you are replying to does not exist.", field="parent"
                )
            comment = services.create_comment(
                summary=summary,
                author=request.user,
                source=form.cleaned_data["source"],
                parent=parent,
            )
        except ServiceError as error:
            field = "source" if error.field == "parent" else error.field
            form.add_error(field, error.message)
            status = error.status
        else:
            parent_id = parent.pk if parent is not None else None
            drafts.mark_saved(request, drafts.reply_address(request.path, parent_id))
            return redirect(comment)
    # A failed reply reopens under the comment it answers, when that comment
    # still takes replies; otherwise the text goes to the form at the bottom.
    reply_in_place = parent is not None and not parent.is_deleted
    threads = flatten_threads(comment_threads(summary=summary))
    return render(
        request,
        "summaries/detail.html",
        {
            "summary": summary,
            "paper": summary.paper,
            "comments": threads,
            "comment_form": CommentForm() if reply_in_place else form,
            "reply_form": form if reply_in_place else None,
            "failed_parent": parent.pk if reply_in_place else None,
            "votes": votes_by_viewer(viewer=request.user, summaries=[summary]),
        },
        status=status,
    )


@login_required
def edit(request, pk):
    """Edit one's own comment."""
    comment = _get_visible_comment(pk, request.user)
    if comment.author_id != request.user.pk:
        raise PermissionDenied("Only the author can edit this comment.")
    form = CommentForm(request.POST or None, initial={"source": comment.source})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_comment(
                comment=comment, editor=request.user, source=form.cleaned_data["source"]
            )
        except ServiceError as error:
            form.add_error("source", error.message)
            status = error.status
        else:
            drafts.mark_saved(request, request.get_full_path())
            return redirect(comment)
    elif form.errors:
        status = 400
    return render(
        request,
        "comments/edit.html",
        {"form": form, "comment": comment, "summary": comment.summary},
        status=status,
    )


@login_required
@require_POST
def delete(request, pk):
    """Soft-delete one's own comment (staff may delete any)."""
    comment = _get_visible_comment(pk, request.user)
    try:
        services.delete_comment(comment=comment, user=request.user)
    except ServiceError as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, "The comment is deleted.")
    return redirect(comment.summary)
