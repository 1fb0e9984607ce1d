"""Tests for display-name rules: look-alikes, invisible characters, site labels."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.display_names import skeleton, validate_display_name
from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CYRILLIC_O = "\u043e"
GREEK_RHO = "\u03a1"
FULL_WIDTH_BOB = "\uff22\uff2f\uff22"


def post_name(client, member, name: str):
    client.force_login(member)
    return client.post(
        reverse("accounts:settings"), {"display_name": name, "about": "kept"}
    )


def rejection_code(name: str, member) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_display_name(name, member=member)
    return caught.value.code


# skeleton


@pytest.mark.parametrize(
    "name",
    [
        "bob",
        "BOB",
        FULL_WIDTH_BOB,
        "b\u200bob",
        f"b{CYRILLIC_O}b",
        "B0B",
        "  bob  ",
    ],
)
def test_skeleton_of_bob_lookalikes(name):
    assert skeleton(name) == "bob"


def test_skeleton_keeps_distinct_names_apart():
    assert skeleton("Robert") != skeleton("Roberta")
    assert skeleton("Zoë") != skeleton("Zoe")


# validate_display_name


@pytest.mark.parametrize(
    ("name", "code"),
    [
        (FULL_WIDTH_BOB, "taken"),
        ("b\u200bob", "invisible"),
        ("b\u2060ob", "invisible"),
        ("bob\u202e", "invisible"),
        ("b\x07ob", "invisible"),
        ("\u3164", "invisible"),
        (f"Anonym{CYRILLIC_O}us", "mixed_script"),
        (f"{GREEK_RHO}obert", "mixed_script"),
        ("Anonymous (the summary's author)", "reserved"),
        ("Anonymous", "reserved"),
        ("anonymous reader", "reserved"),
        ("ANONYM0US", "reserved"),
        ("The summary\u2019s author", "reserved"),
        ("Admin", "reserved"),
        ("ShortScience", "reserved"),
        ("bob", "taken"),
        ("B0B", "taken"),
        ("ROBERT", "taken"),
    ],
)
def test_lookalike_rejected(name, code):
    UserFactory(username="bob", display_name="Robert")
    member = UserFactory(username="writer", display_name="")
    assert rejection_code(name, member) == code


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("Anna Karenina", "Anna Karenina"),
        ("\u0410\u043b\u0435\u043a\u0441\u0435\u0439", "Алексей"),
        ("\u65e5\u672c\u8a9e", "日本語"),
        ("Zoe\u0308", "Zoë"),
        ("\uff2a\uff41\uff4e\uff45", "Jane"),
        ("  Dr.   Reader ", "Dr. Reader"),
        ("", ""),
    ],
)
def test_valid_name_stored_normalised(name, stored):
    member = UserFactory(username="writer", display_name="")
    assert validate_display_name(name, member=member) == stored


def test_own_username_allowed_as_display_name():
    member = UserFactory(username="writer", display_name="")
    assert validate_display_name("Writer", member=member) == "Writer"


def test_invisible_message_names_character():
    member = UserFactory(username="writer", display_name="")
    with pytest.raises(ValidationError) as caught:
        validate_display_name("b\u200bob", member=member)
    assert "U+200B (ZERO WIDTH SPACE)" in caught.value.messages[0]


def test_mixed_script_message_names_alphabets():
    member = UserFactory(username="writer", display_name="")
    with pytest.raises(ValidationError) as caught:
        validate_display_name(f"Anonym{CYRILLIC_O}us", member=member)
    assert "mixes Latin and Cyrillic letters" in caught.value.messages[0]


def test_legacy_lookalike_of_other_member_blocks_copy():
    legacy = UserFactory(username="old", display_name="")
    User.objects.filter(pk=legacy.pk).update(display_name="Grace Hopper")
    migration = importlib.import_module(
        "accounts.migrations.0004_display_name_skeleton"
    )
    migration.derive_existing_skeletons(apps, None)
    member = UserFactory(username="writer", display_name="")

    assert rejection_code("GRACE HOPPER", member) == "taken"


def test_migration_leaves_names_unchanged():
    legacy = UserFactory(username="old", display_name="")
    User.objects.filter(pk=legacy.pk).update(display_name=f"Anonym{CYRILLIC_O}us")
    migration = importlib.import_module(
        "accounts.migrations.0004_display_name_skeleton"
    )

    migration.derive_existing_skeletons(apps, None)

    legacy.refresh_from_db()
    assert legacy.display_name == f"Anonym{CYRILLIC_O}us"
    assert legacy.display_name_skeleton == "anonymous"


# Profile settings page


@pytest.mark.parametrize(
    "name",
    [
        FULL_WIDTH_BOB,
        "b\u200bob",
        f"Anonym{CYRILLIC_O}us",
        "Anonymous (the summary's author)",
    ],
)
def test_settings_rejects_lookalike(client, name):
    UserFactory(username="bob", display_name="")
    member = UserFactory(username="writer", display_name="Writer")

    response = post_name(client, member, name)

    member.refresh_from_db()
    assert response.status_code == 400
    assert member.display_name == "Writer"
    assert member.about != "kept"


def test_settings_error_keeps_typed_value(client):
    member = UserFactory(username="writer", display_name="Writer")
    name = f"Anonym{CYRILLIC_O}us"

    response = post_name(client, member, name)

    assert f'value="{name}"' in response.text
    assert "mixes Latin and Cyrillic letters in one word" in response.text
    assert "kept</textarea>" in response.text


def test_settings_stores_nfkc_name(client):
    member = UserFactory(username="writer", display_name="")

    response = post_name(client, member, "\uff2a\uff41\uff4e\uff45")

    member.refresh_from_db()
    assert response.status_code == 302
    assert member.display_name == "Jane"
    assert member.display_name_skeleton == "jane"


def test_settings_keeps_legacy_name(client):
    member = UserFactory(username="writer", display_name="")
    legacy = f"Anonym{CYRILLIC_O}us"
    User.objects.filter(pk=member.pk).update(display_name=legacy)
    member.refresh_from_db()

    response = post_name(client, member, legacy)

    member.refresh_from_db()
    assert response.status_code == 302
    assert member.display_name == legacy
    assert member.about == "kept"
