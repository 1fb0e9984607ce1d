from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from shortscience.health import health
from shortscience.views import favicon
from summaries import views as summary_views

urlpatterns = [
    path("", summary_views.home, name="home"),
    path("", include("papers.urls")),
    path("", include("summaries.urls")),
    path("", include("comments.urls")),
    path("", include("accounts.urls")),
    path("", include("demos.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("shortscience.api.urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
]

handler400 = "shortscience.api.exceptions.bad_request"
handler500 = "shortscience.api.exceptions.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
