"""Writes for search: keep the indexed text of papers and summaries current.

Paper and summary services call these after every change that alters
searchable text. Deleting a paper or a summary deletes its document through
the foreign key's cascade.
"""

import logging
from collections.abc import Iterable

from django.db import transaction

from papers.models import Authorship, Paper
from summaries.models import Summary

from .models import PaperDocument, SummaryDocument
from .text import details_text, html_to_text, index_text

logger = logging.getLogger(__name__)

# Rows read and written per query when indexing many papers or summaries.
CHUNK_SIZE = 500

# Paper fields indexed with the lowest weight, D.
DETAIL_FIELDS = ("venue", "year", "bibtex_key", "arxiv_id", "doi")


def index_papers(paper_ids: Iterable[int]) -> int:
    """Write the search documents of these papers from their stored rows.

    Returns the number of documents written. Ids of missing papers are
    ignored.
    """
    ids = list(paper_ids)
    written = 0
    for start in range(0, len(ids), CHUNK_SIZE):
        written += _index_paper_chunk(ids[start : start + CHUNK_SIZE])
    return written


def _index_paper_chunk(ids: list[int]) -> int:
    names: dict[int, list[str]] = {}
    authorships = (
        Authorship.objects.filter(paper_id__in=ids)
        .order_by("paper_id", "position")
        .values_list("paper_id", "author__name")
    )
    for paper_id, name in authorships:
        names.setdefault(paper_id, []).append(name)
    fields = ("pk", "title", "abstract", *DETAIL_FIELDS)
    documents = [
        PaperDocument(
            paper_id=row[0],
            title=index_text(row[1]),
            authors=index_text(", ".join(names.get(row[0], []))),
            abstract=index_text(row[2]),
            details=details_text(row[3:]),
        )
        for row in Paper.objects.filter(pk__in=ids).values_list(*fields)
    ]
    PaperDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["paper"],
        update_fields=["title", "authors", "abstract", "details"],
    )
    return len(documents)


def index_summary(summary: Summary) -> None:
    """Write the search document of ``summary`` from its rendered HTML."""
    index_summaries([summary])


def index_summaries(summaries: Iterable[Summary]) -> int:
    """Write the search documents of these summaries; return how many."""
    documents = [
        SummaryDocument(
            summary_id=summary.pk,
            paper_id=summary.paper_id,
            body=html_to_text(summary.html),
        )
        for summary in summaries
    ]
    for start in range(0, len(documents), CHUNK_SIZE):
        SummaryDocument.objects.bulk_create(
            documents[start : start + CHUNK_SIZE],
            update_conflicts=True,
            unique_fields=["summary"],
            update_fields=["paper", "body"],
        )
    return len(documents)


def rebuild_index() -> tuple[int, int]:
    """Write every paper's and summary's document again; return both counts.

    Documents of deleted rows are already gone through the cascade, so this
    only adds and refreshes.
    """
    with transaction.atomic():
        papers = index_papers(Paper.objects.values_list("pk", flat=True).iterator())
        summaries = 0
        queryset = Summary.objects.only("pk", "paper_id", "html").order_by("pk")
        batch: list[Summary] = []
        for summary in queryset.iterator(chunk_size=CHUNK_SIZE):
            batch.append(summary)
            if len(batch) == CHUNK_SIZE:
                summaries += index_summaries(batch)
                batch = []
        summaries += index_summaries(batch)
    logger.info("Search index rebuilt: papers=%s summaries=%s", papers, summaries)
    return papers, summaries
