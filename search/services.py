"""Writes for search: keep the indexed text of papers and summaries current.

Paper and summary services call these after every change that alters
searchable text. Deleting a paper or a summary deletes its document through
the foreign key's cascade.
"""

import logging
from collections.abc import Iterable

from django.db import connection, transaction

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
    rows = [
        paper_document(
            row[0],
            title=row[1],
            authors=names.get(row[0], []),
            abstract=row[2],
            details=row[3:],
        )
        for row in Paper.objects.filter(pk__in=ids).values_list(*fields)
    ]
    write_paper_documents(rows)
    return len(rows)


def paper_document(
    paper_id: int, *, title: str, authors: list[str], abstract: str, details
) -> tuple:
    """Return the document row of one paper for ``write_paper_documents``.

    ``details`` are the values of ``DETAIL_FIELDS``, in that order.
    """
    return (
        paper_id,
        index_text(title),
        index_text(", ".join(authors)),
        index_text(abstract),
        details_text(details),
    )


def write_paper_documents(rows: list[tuple]) -> None:
    """Insert or replace paper documents from ``paper_document`` rows.

    Raw SQL, because ``bulk_create`` prepares a model instance per row and
    took about half of the indexing time of bench/import_bibtex.py.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(PaperDocument._meta.db_table)
    columns = ["paper_id", "title", "authors", "abstract", "details"]
    names = ", ".join(quote(column) for column in columns)
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns[1:])
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # Table and column names come from the model, never from input.
    insert = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608
    conflict = f" ON CONFLICT ({quote('paper_id')}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(insert + row_sql + conflict, rows)
            return
        for start in range(0, len(rows), CHUNK_SIZE):
            chunk = rows[start : start + CHUNK_SIZE]
            values = ", ".join([row_sql] * len(chunk))
            cursor.execute(
                insert + values + conflict, [value for row in chunk for value in row]
            )


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
