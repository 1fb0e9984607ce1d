"""Who may call what: reads are open, writes need a signed-in member.

Which member may change which row (the author of a summary, for instance)
is decided by the services, which raise ``ServiceError``; these classes
only decide whether a request gets to a view at all.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class ReadOnlyOrAuthenticated(BasePermission):
    """Allow reads to everyone and writes to signed-in members."""

    message = "Sign in or send an API token to make changes."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)


class Authenticated(BasePermission):
    """Allow only signed-in members, for reads about the caller themselves."""

    message = "Sign in or send an API token."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)
