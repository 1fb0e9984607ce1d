"""Pages for members: sign-up, public profile and profile settings."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from shortscience import pagecache
from summaries.models import Summary
from summaries.selectors import score_of_author, votes_by_viewer, with_listing_data

from .forms import ProfileForm, SignupForm
from .models import User

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
        form.save()
        # Bylines on every cached page show the display name.
        pagecache.invalidate(pagecache.SITE)
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile", username=request.user.username)
    return render(
        request,
        "accounts/settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
