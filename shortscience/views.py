"""Site-wide views that belong to no app."""

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.views.decorators.http import require_safe

FAVICON = "img/favicon.svg"


@require_safe
def favicon(request):
    """Redirect ``/favicon.ico``, which browsers request by default, to the SVG icon.

    The target is the icon's unhashed static address, which WhiteNoise also
    serves in production, so a browser that keeps the permanent redirect
    still finds the icon after a deploy changes its hashed name.
    """
    return HttpResponsePermanentRedirect(settings.STATIC_URL + FAVICON)
