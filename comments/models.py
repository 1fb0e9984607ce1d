from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class CommentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CommentQuerySet":
        """Keep comments on summaries that ``user`` may see (see Summary.visible_to)."""
        if user is None or not user.is_authenticated:
            return self.filter(summary__private=False)
        return self.filter(Q(summary__private=False) | Q(summary__author=user))


class Comment(models.Model):
    """A Markdown comment on a summary; ``parent`` makes it a reply.

    Deleting is soft: the row stays with its text cleared, so replies keep
    their place in the thread.
    """

    summary = models.ForeignKey(
        "summaries.Summary", on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    source = models.TextField(help_text="Markdown with LaTeX math.")
    html = models.TextField(editable=False)
    created = models.DateTimeField(auto_now_add=True)
    edited = models.DateTimeField(null=True, blank=True, editable=False)
    deleted = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["summary", "created"])]

    def __str__(self) -> str:
        return f"Comment #{self.pk} on summary #{self.summary_id}"

    def get_absolute_url(self) -> str:
        return reverse("summaries:detail", kwargs={"pk": self.summary_id}) + (
            f"#comment-{self.pk}"
        )

    @property
    def is_deleted(self) -> bool:
        return self.deleted is not None

    def author_shown_to(self, viewer, summary):
        """Return the author to credit for ``viewer``, or None if hidden.

        On an anonymous summary, its author's own comments are not credited
        to them, since that would name the summary's author. ``summary`` is
        this comment's summary, passed in to save a query per comment.
        """
        if not summary.anonymous or self.author_id != summary.author_id:
            return self.author
        if (
            viewer is not None
            and viewer.is_authenticated
            and viewer.pk == self.author_id
        ):
            return self.author
        return None
