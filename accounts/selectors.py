"""Reads for members: public profiles and API tokens."""

from django.shortcuts import get_object_or_404

from .models import ApiToken, User


def get_active_member(*, username: str) -> User:
    """Return the active member with this username, or raise Http404."""
    return get_object_or_404(User, username=username, is_active=True)


def api_tokens_of(*, user):
    """Return ``user``'s API tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created", "-pk")
