from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class SummaryQuerySet(models.QuerySet):
    """Summary queries; every page, API view and search starts from ``visible_to``."""

    def visible_to(self, user) -> "SummaryQuerySet":
        """Keep the summaries that ``user`` may see: public ones and their own.

        A private summary exists only for its author. ``user`` may be an
        ``AnonymousUser`` or ``None`` for a visitor who is not signed in.
        """
        if user is None or not user.is_authenticated:
            return self.filter(private=False)
        return self.filter(Q(private=False) | Q(author=user))

    def attributed_to(self, author, viewer) -> "SummaryQuerySet":
        """Keep the summaries that ``viewer`` may see credited to ``author``.

        Anonymous summaries are credited to nobody except for their own author,
        so a profile page never lists or counts them for anyone else.
        """
        queryset = self.visible_to(viewer).filter(author=author)
        if viewer is None or viewer.pk != author.pk:
            queryset = queryset.filter(anonymous=False)
        return queryset


class Summary(models.Model):
    """A member's Markdown summary of a paper, with its HTML rendered at save."""

    paper = models.ForeignKey(
        "papers.Paper", on_delete=models.CASCADE, related_name="summaries"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="summaries"
    )
    source = models.TextField(help_text="Markdown with LaTeX math.")
    html = models.TextField(editable=False, help_text="Sanitised HTML with MathML.")
    excerpt = models.TextField(
        editable=False, help_text="HTML of the opening blocks, for lists."
    )
    private = models.BooleanField(
        default=False, help_text="Only you can see a private summary."
    )
    anonymous = models.BooleanField(
        default=False, help_text="Your name is not shown with an anonymous summary."
    )
    score = models.IntegerField(default=0, editable=False)
    popularity = models.FloatField(
        default=0,
        editable=False,
        help_text="Rank of the Popular tab; see summaries.services.popularity_of.",
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Number of the current revision; an edit must name it.",
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "summaries"
        ordering = ["-score", "-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "author"], name="summary_one_per_author_per_paper"
            ),
        ]
        indexes = [
            models.Index(fields=["-score", "-created"]),
            models.Index(fields=["-popularity", "-id"], name="summary_popularity_idx"),
        ]

    def __str__(self) -> str:
        return f"Summary of {self.paper} (#{self.pk})"

    def get_absolute_url(self) -> str:
        return reverse("summaries:detail", kwargs={"pk": self.pk})

    def author_shown_to(self, viewer):
        """Return the author to credit on a page for ``viewer``, or None if hidden."""
        if not self.anonymous:
            return self.author
        if (
            viewer is not None
            and viewer.is_authenticated
            and viewer.pk == self.author_id
        ):
            return self.author
        return None


class SummaryRevision(models.Model):
    """The source of one saved version of a summary; number 1 is the first save."""

    summary = models.ForeignKey(
        Summary, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    source = models.TextField()
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["summary", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["summary", "number"], name="revision_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of summary #{self.summary_id}"


class Vote(models.Model):
    """One member's +1 or -1 on a summary; the summary's score is their sum."""

    UP = 1
    DOWN = -1
    VALUE_CHOICES = [(UP, "+1"), (DOWN, "-1")]

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    value = models.SmallIntegerField(choices=VALUE_CHOICES)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["summary", "user"], name="vote_one_per_user_per_summary"
            ),
            models.CheckConstraint(
                condition=Q(value__in=[1, -1]), name="vote_value_plus_or_minus_one"
            ),
        ]
        indexes = [models.Index(fields=["summary", "created"])]

    def __str__(self) -> str:
        return f"{self.value:+d} by {self.user_id} on summary #{self.summary_id}"
