from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("settings/profile/", views.settings, name="settings"),
    path("settings/tokens/", views.api_tokens, name="tokens"),
    path(
        "settings/tokens/<int:pk>/revoke/",
        views.revoke_api_token,
        name="revoke-token",
    ),
    path("user/<str:username>/", views.profile, name="profile"),
]
