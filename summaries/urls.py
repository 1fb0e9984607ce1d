from django.urls import path

from . import views

app_name = "summaries"

urlpatterns = [
    path("summaries/new/", views.create, name="create"),
    path("summary/<int:pk>/", views.detail, name="detail"),
    path("summary/<int:pk>/edit/", views.edit, name="edit"),
    path("summary/<int:pk>/delete/", views.delete, name="delete"),
    path("summary/<int:pk>/history/", views.history, name="history"),
    path("summary/<int:pk>/vote/", views.vote, name="vote"),
    path("preview/", views.preview, name="preview"),
]
