from django.urls import path

from . import api

app_name = "demos-api"

urlpatterns = [
    path("", api.DemoList.as_view(), name="list"),
    path("<int:pk>/", api.DemoDetail.as_view(), name="detail"),
    path("<int:pk>/runs/", api.DemoRuns.as_view(), name="runs"),
    path("runs/<int:pk>/", api.RunDetail.as_view(), name="run"),
]
