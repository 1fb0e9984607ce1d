from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A site member: the author of summaries, votes and comments."""

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
