from django.conf import settings
from django.db import models
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shortscience.markup import render_title

from .paths import bibtex_path, paper_path


class Author(models.Model):
    """A person named in a paper's author list, stored as BibTeX name parts."""

    name = models.CharField(
        max_length=255, unique=True, help_text="Display form: First von Last, Jr."
    )
    first = models.CharField(max_length=255, blank=True)
    von = models.CharField(max_length=100, blank=True)
    last = models.CharField(max_length=255)
    jr = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["last", "first"]

    def __str__(self) -> str:
        return self.name


class Paper(models.Model):
    """A paper, addressed by its BibTeX key, with metadata decoded to Unicode."""

    bibtex_key = models.CharField(
        "BibTeX key",
        max_length=255,
        unique=True,
        help_text="Stored verbatim; may contain / : . ( ) as DBLP keys do.",
    )
    entry_type = models.CharField(max_length=32, default="article")
    title = models.CharField(max_length=1000)
    title_html = models.TextField(
        "title HTML",
        blank=True,
        editable=False,
        help_text="The title with its $..$ formulas as MathML, set on save.",
    )
    authors = models.ManyToManyField(
        Author, through="Authorship", related_name="papers"
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    venue = models.CharField(max_length=500, blank=True, db_index=True)
    abstract = models.TextField(blank=True)
    arxiv_id = models.CharField("arXiv id", max_length=50, blank=True, db_index=True)
    doi = models.CharField("DOI", max_length=255, blank=True, db_index=True)
    url = models.URLField("URL", max_length=1000, blank=True)
    bibtex = models.TextField(
        "BibTeX entry", blank=True, help_text="The raw entry as imported, for export."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submitted_papers",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """Save the paper, rendering ``title_html`` from the title first.

        ``QuerySet.update()`` skips this, so a title changed that way keeps
        a stale ``title_html``; the import in ``services`` sets both.
        """
        self.title_html = render_title(self.title)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = {*update_fields, "title_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return paper_path(self.bibtex_key)

    def get_bibtex_url(self) -> str:
        return bibtex_path(self.bibtex_key)

    @property
    def title_markup(self) -> SafeString:
        """The title as HTML for pages: ``title_html``, or the escaped title."""
        if self.title_html:
            return mark_safe(self.title_html)  # noqa: S308 -- rendered and sanitised
        return escape(self.title)

    @property
    def author_names(self) -> list[str]:
        """Author display names in order; uses prefetched authorships when present."""
        return [a.author.name for a in self.authorships.all()]


class Authorship(models.Model):
    """One author's place in a paper's ordered author list."""

    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="authorships"
    )
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="authorships"
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "position"], name="authorship_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} ({self.position + 1})"
