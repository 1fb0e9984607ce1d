import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_signup_creates_account_and_logs_in(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "newreader",
            "email": "newreader@example.org",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(username="newreader").exists()
    assert "_auth_user_id" in client.session


def test_signup_with_mismatched_passwords_keeps_fields(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "newreader",
            "email": "newreader@example.org",
            "password1": "a-long-unusual-passphrase",
            "password2": "something-else-entirely",
        },
    )

    assert response.status_code == 400
    assert 'value="newreader"' in response.text


def test_login_and_logout(client):
    UserFactory(username="reader")

    login = client.post(
        reverse("login"), {"username": "reader", "password": "correct-horse-battery"}
    )
    logout = client.post(reverse("logout"))

    assert login.status_code == 302
    assert logout.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_working_link(client):
    UserFactory(username="forgetful", email="forgetful@example.org")

    client.post(reverse("password_reset"), {"email": "forgetful@example.org"})
    (message,) = mail.outbox
    link = re.search(r"http://testserver(/accounts/reset/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "fresh-secret-words", "new_password2": "fresh-secret-words"},
    )

    assert done.status_code == 302
    assert User.objects.get(username="forgetful").check_password("fresh-secret-words")


def test_profile_settings_saves_display_name(client):
    member = UserFactory()
    client.force_login(member)

    client.post(
        reverse("accounts:settings"), {"display_name": "Dr. Reader", "about": "Hi"}
    )

    member.refresh_from_db()
    assert member.display_name == "Dr. Reader"


def test_profile_of_unknown_member_is_404(client):
    assert client.get(reverse("accounts:profile", args=["nobody"])).status_code == 404


@pytest.mark.parametrize("name", ["Anonymous", "ADMIN", "taken-name", "Other Person"])
def test_display_name_cannot_pass_for_another(client, name):
    UserFactory(username="taken-name", display_name="Other Person")
    member = UserFactory()
    client.force_login(member)

    response = client.post(
        reverse("accounts:settings"), {"display_name": name, "about": ""}
    )

    member.refresh_from_db()
    assert response.status_code == 400
    assert member.display_name != name


def test_signup_rejects_lookalike_and_case_variant_usernames(client):
    UserFactory(username="bob")
    for username in ["b\u043eb", "BOB"]:
        response = client.post(
            reverse("accounts:signup"),
            {
                "username": username,
                "email": f"{len(username)}-{username.lower()}@example.org",
                "password1": "a-long-unusual-passphrase",
                "password2": "a-long-unusual-passphrase",
            },
        )
        assert response.status_code == 400, username
    assert User.objects.count() == 1


def test_signup_rejects_dot_only_usernames(client):
    for username in [".", "..", "..."]:
        response = client.post(
            reverse("accounts:signup"),
            {
                "username": username,
                "email": f"dots{len(username)}@example.org",
                "password1": "a-long-unusual-passphrase",
                "password2": "a-long-unusual-passphrase",
            },
        )
        assert response.status_code == 400, username
        assert "besides dots" in response.content.decode(), username
    assert not User.objects.exists()
