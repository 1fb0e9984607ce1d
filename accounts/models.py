from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.db import models
from django.urls import reverse

from .display_names import skeleton


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
    display_name_skeleton = models.CharField(
        max_length=400,
        blank=True,
        db_index=True,
        editable=False,
        help_text="The form that look-alike display names share, set on save.",
    )
    about = models.TextField(
        blank=True, max_length=5000, help_text="A few lines about you, in plain text."
    )

    def __str__(self) -> str:
        return self.public_name

    def save(self, *args, **kwargs) -> None:
        """Save the member, deriving ``display_name_skeleton`` first."""
        self.display_name_skeleton = skeleton(self.display_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "display_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "display_name_skeleton"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", kwargs={"username": self.username})

    @property
    def public_name(self) -> str:
        """The name shown on pages: the display name, else the username."""
        return self.display_name or self.username


class ApiToken(models.Model):
    """A named key with which a member's scripts call the API.

    Only a SHA-256 hash of the key is stored; the key itself is shown once,
    when the token is created. ``prefix`` (the key's first characters) lets
    the member tell their tokens apart.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for.")
    prefix = models.CharField(max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API token"
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"], name="api_token_unique_name_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
