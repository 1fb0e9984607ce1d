"""Pages for members: sign-up, public profile, profile settings, API tokens."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shortscience.exceptions import ServiceError
from summaries.models import Summary
from summaries.selectors import score_of_author, votes_by_viewer, with_listing_data

from . import services
from .forms import ApiTokenForm, ProfileForm, SignupForm
from .models import User
from .selectors import api_tokens_of

PAGE_SIZE = 20


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome! Your account is ready.")
        return redirect("home")
    return render(
        request,
        "registration/signup.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def profile(request, username):
    """Show a member's profile with the summaries credited to them.

    Anonymous summaries are neither listed nor counted for other viewers.
    """
    member = get_object_or_404(User, username=username, is_active=True)
    summaries = with_listing_data(
        Summary.objects.attributed_to(member, request.user)
    ).order_by("-created", "-pk")
    page = Paginator(summaries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/profile.html",
        {
            "member": member,
            "page": page,
            "score": score_of_author(author=member, viewer=request.user),
            "votes": votes_by_viewer(viewer=request.user, summaries=page.object_list),
        },
    )


@login_required
def settings(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.save_profile(form)
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile", username=request.user.username)
    return render(
        request,
        "accounts/settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
def api_tokens(request):
    """List the member's API tokens and create one, showing its key only once.

    The new key is rendered into this response, never stored in the session
    or a message, because the database keeps only its hash.
    """
    form = ApiTokenForm(request.POST or None)
    new_key = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = services.create_api_token(
                user=request.user, name=form.cleaned_data["name"]
            )
        except ServiceError as error:
            form.add_error("name", error.message)
            status = error.status
        else:
            status = 201
            form = ApiTokenForm()
    elif form.errors:
        status = 400
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": api_tokens_of(user=request.user),
            "new_key": new_key,
        },
        status=status,
    )


@login_required
@require_POST
def revoke_api_token(request, pk):
    """Revoke one of the member's API tokens at once."""
    try:
        services.revoke_api_token(user=request.user, token_id=pk)
    except ServiceError:
        raise Http404("No such token.") from None
    messages.success(request, "The token is revoked; scripts using it now get 401.")
    return redirect("accounts:tokens")
