"""The text that search indexes, one row per paper and one per summary.

``search.services`` writes these rows whenever a service changes a paper or
a summary. Each database builds its index from them: PostgreSQL keeps a
generated, weighted ``vector`` column with a GIN index, and SQLite keeps
FTS5 tables that triggers update from these rows (see the migrations).
Neither ``vector`` nor the FTS5 tables appear in the models, because their
types exist on one database only.
"""

from django.db import models


class PaperDocument(models.Model):
    """A paper's searchable text, by weight: title A, authors B, abstract C.

    ``details`` (venue, year, BibTeX key, arXiv id and DOI) has weight D.
    """

    paper = models.OneToOneField(
        "papers.Paper",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
    )
    title = models.TextField()
    authors = models.TextField(blank=True, help_text="Author names, comma-separated.")
    abstract = models.TextField(blank=True)
    details = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Search text of paper #{self.paper_id}"


class SummaryDocument(models.Model):
    """A summary's text without markup or formulas (weight C).

    Whether a reader may see it is decided at query time by
    ``Summary.objects.visible_to``, so a summary made private drops out of
    other readers' results at once.
    """

    summary = models.OneToOneField(
        "summaries.Summary",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
    )
    # The summary's paper, copied so that matches group by paper without a join.
    paper = models.ForeignKey(
        "papers.Paper", on_delete=models.CASCADE, related_name="+"
    )
    body = models.TextField()

    def __str__(self) -> str:
        return f"Search text of summary #{self.summary_id}"
