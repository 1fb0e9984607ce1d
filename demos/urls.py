from django.urls import path

from . import views

app_name = "demos"

urlpatterns = [
    path("demos/new/", views.create, name="create"),
    path("demos/<int:pk>/run/", views.run, name="run"),
    path("demos/<int:pk>/approve/", views.approve, name="approve"),
    path("demos/<int:pk>/revise/", views.revise, name="revise"),
    path(
        "demos/<int:pk>/revisions/<int:number>/",
        views.revision,
        name="revision",
    ),
    path("demos/<int:pk>/fragment/", views.fragment, name="fragment"),
    path("demos/runs/<int:pk>/status/", views.status, name="status"),
    path(
        "demos/runs/<int:run_id>/files/<str:name>",
        views.output_file,
        name="output-file",
    ),
]
