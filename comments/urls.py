from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("summary/<int:summary_pk>/comments/", views.create, name="create"),
    path("comment/<int:pk>/edit/", views.edit, name="edit"),
    path("comment/<int:pk>/delete/", views.delete, name="delete"),
]
