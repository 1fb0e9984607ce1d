from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.db import models


class User(AbstractUser):
    """A site member: the author of summaries, votes and comments."""

    # ASCII only: Unicode look-alikes (a Cyrillic letter o in "bob") would
    # let one member pass for another in URLs and bylines.
    username_validator = ASCIIUsernameValidator()
    username = models.CharField(
        "username",
        max_length=150,
        unique=True,
        help_text="150 characters or fewer: English letters, digits and @ . + - _",
        validators=[username_validator],
        error_messages={"unique": "A member with that username already exists."},
    )
    display_name = models.CharField(max_length=100, blank=True)
    about = models.TextField(
        blank=True, max_length=5000, help_text="A few lines about you, in plain text."
    )

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        """The name shown on pages: the display name, else the username."""
        return self.display_name or self.username
