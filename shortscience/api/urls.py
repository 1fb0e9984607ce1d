"""Addresses of the API: ``/api/v1/`` resources, the schema and its docs.

Paper addresses end in the BibTeX key, which may contain slashes, so the
routes for a paper's summaries and BibTeX come before the paper's own
route, which takes the rest of the path as the key. The ``apipaperkey``
converter encodes a key that ends in ``summaries`` or ``bibtex`` so that
its address does not match those routes. Every address that no route
matches gets a JSON 404.
"""

from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from accounts.api import CurrentUser, UserDetail
from comments.api import CommentDetail, SummaryComments
from demos.api import DemoApproval, DemoDetail, DemoList, DemoRunRequest, RunDetail
from papers.api import PaperBibTeX, PaperDetail, PaperList, PaperSearch
from papers.paths import ApiPaperKeyConverter
from summaries.api import PaperSummaryList, SummaryViewSet, UserSummaryList

from . import schema  # noqa: F401  (registers the token scheme for the schema)
from .exceptions import not_found
from .views import ApiRoot

app_name = "api"

register_converter(ApiPaperKeyConverter, "apipaperkey")

ID = r"(?P<pk>[0-9]{1,18})"

router = SimpleRouter()
router.register("summaries", SummaryViewSet, basename="summary")

v1_patterns = [
    path("", ApiRoot.as_view(), name="root"),
    path("papers/", PaperList.as_view(), name="paper-list"),
    path(
        "papers/<apipaperkey:bibtex_key>/summaries/",
        PaperSummaryList.as_view(),
        name="paper-summaries",
    ),
    path(
        "papers/<apipaperkey:bibtex_key>/bibtex/",
        PaperBibTeX.as_view(),
        name="paper-bibtex",
    ),
    path(
        "papers/<apipaperkey:bibtex_key>/", PaperDetail.as_view(), name="paper-detail"
    ),
    path("search/", PaperSearch.as_view(), name="search"),
    *router.urls,
    re_path(
        rf"^summaries/{ID}/comments/$",
        SummaryComments.as_view(),
        name="summary-comments",
    ),
    re_path(rf"^comments/{ID}/$", CommentDetail.as_view(), name="comment-detail"),
    re_path(r"^users/(?P<username>[^/]+)/$", UserDetail.as_view(), name="user-detail"),
    re_path(
        r"^users/(?P<username>[^/]+)/summaries/$",
        UserSummaryList.as_view(),
        name="user-summaries",
    ),
    path("me/", CurrentUser.as_view(), name="me"),
    path("demos/", DemoList.as_view(), name="demo-list"),
    re_path(rf"^demos/{ID}/$", DemoDetail.as_view(), name="demo-detail"),
    re_path(rf"^demos/{ID}/runs/$", DemoRunRequest.as_view(), name="demo-runs"),
    re_path(rf"^demos/{ID}/approval/$", DemoApproval.as_view(), name="demo-approval"),
    re_path(rf"^demos/runs/{ID}/$", RunDetail.as_view(), name="demo-run-detail"),
]

urlpatterns = [
    path("v1/", include(v1_patterns)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^", not_found, name="not-found"),
]
