"""The site's addresses plus a minimal view that the page benchmark compares with."""

from django.http import HttpResponse
from django.urls import path

from shortscience.urls import urlpatterns as site_urlpatterns


def minimal(request):
    """Return a fixed short text: the cost of Django and its middleware alone."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal), *site_urlpatterns]
