"""Writes for papers: importing BibTeX text."""

import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, models, transaction
from django.utils import timezone

from search import services as search_services
from shortscience import pagecache
from shortscience.markup import render_title

from .bibtex import AuthorName, ParsedPaper, ParseFailure, parse_bibtex
from .models import Author, Authorship, Paper

logger = logging.getLogger(__name__)

# Entries written per transaction. Each batch holds SQLite's write lock for
# a fraction of a second, so other writers (votes, comments) are not kept
# waiting for a whole large file.
BATCH_SIZE = 1000

# Parameters per SQL statement: SQLite's historical compile-time limit.
MAX_QUERY_PARAMS = 999

# Paper fields that an import sets from the entry. The submitter and the
# timestamps are set here.
IMPORTED_FIELDS = (
    "entry_type",
    "title",
    "year",
    "month",
    "venue",
    "abstract",
    "arxiv_id",
    "doi",
    "url",
    "bibtex",
)

# The columns an import writes from the entry, in the order of the value
# tuples compared below: its fields and the rendered title.
STORED_FIELDS = (*IMPORTED_FIELDS, "title_html")

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    """Counts of an import and the entries that failed, by line."""

    source_name: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[ParseFailure] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """The number of entries and blocks that were not imported."""
        return len(self.failures)


def import_bibtex(
    text: str,
    *,
    source_name: str = "",
    progress: Progress | None = None,
    submitted_by=None,
) -> ImportReport:
    """Create or update a paper for each entry of BibTeX text, by bibtex_key.

    Importing the same text again changes nothing. An entry whose key
    exists replaces the paper's metadata, raw entry and ordered author list.
    ``submitted_by`` is set on the papers this import creates and is never
    changed on existing ones. Authors are shared between papers by display
    name. Entries that fail to parse or do not fit the database fields are
    reported in the returned report and the others are still imported.

    Entries are written in transactions of ``BATCH_SIZE`` entries, and
    ``progress(done, total)`` is called after each one. ``source_name``
    (such as a file name) only appears in the log.
    """
    parsed = parse_bibtex(text)
    report = ImportReport(source_name=source_name, failures=list(parsed.failures))
    papers = []
    for paper in parsed.papers:
        problem = _field_length_problem(paper)
        if problem is None:
            papers.append(paper)
        else:
            report.failures.append(ParseFailure(paper.bibtex_key, paper.line, problem))
    author_ids: dict[str, int] = {}
    submitter_id = submitted_by.pk if submitted_by is not None else None
    for start in range(0, len(papers), BATCH_SIZE):
        batch = papers[start : start + BATCH_SIZE]
        _import_batch(batch, submitter_id, author_ids, report)
        if progress is not None:
            progress(start + len(batch), len(papers))
    report.failures.sort(key=lambda failure: failure.line)
    if report.created or report.updated:
        pagecache.invalidate(pagecache.CATALOG, pagecache.FEED)
    logger.info(
        "Imported BibTeX from %s: %d created, %d updated, %d unchanged, %d failed.",
        source_name or "text",
        report.created,
        report.updated,
        report.unchanged,
        report.failed,
    )
    return report


@functools.cache
def _max_lengths(model: type[models.Model], names: tuple[str, ...]) -> list:
    """Return (field, max_length) for the model's fields that have a limit."""
    limits = [(name, model._meta.get_field(name).max_length) for name in names]
    return [(name, limit) for name, limit in limits if limit]


def _field_length_problem(paper: ParsedPaper) -> str | None:
    """Describe the first value too long for its database column, if any."""
    for name, limit in _max_lengths(Paper, ("bibtex_key", *IMPORTED_FIELDS)):
        value = getattr(paper, name)
        if isinstance(value, str) and len(value) > limit:
            return _too_long(name, value, limit)
    for author in paper.authors:
        problem = _author_length_problem(author)
        if problem is not None:
            return problem
    return None


@functools.lru_cache(maxsize=65536)
def _author_length_problem(author: AuthorName) -> str | None:
    # Cached because the same people recur across a file's entries.
    names = ("name", "first", "von", "last", "jr")
    for name, limit in _max_lengths(Author, names):
        value = author.display_name if name == "name" else getattr(author, name)
        if len(value) > limit:
            return _too_long(f"author {name}", value, limit)
    return None


def _too_long(label: str, value: str, limit: int) -> str:
    return f"{label} is too long: {len(value)} characters, at most {limit} are allowed"


def _import_batch(
    batch: Sequence[ParsedPaper],
    submitter_id: int | None,
    author_ids: dict[str, int],
    report: ImportReport,
) -> None:
    """Write one batch of papers in a transaction and count the outcomes.

    ``author_ids`` maps display names to author ids. The batches of one
    import share it, and each adds the authors it needs.
    """
    # NOTE: when two imports create the same key at the same moment on
    # PostgreSQL, the later batch fails with IntegrityError. Importing that
    # file again completes it. SQLite serialises writers, so it cannot happen.
    with transaction.atomic():
        stored = _stored_papers([paper.bibtex_key for paper in batch])
        stored_authors = _author_names_by_paper([row[0] for row in stored.values()])
        created, updated, author_lists, replaced = [], [], [], []
        for parsed in batch:
            values = _imported_values(parsed)
            row = stored.get(parsed.bibtex_key)
            if row is None:
                created.append((parsed.bibtex_key, values))
                author_lists.append((parsed.bibtex_key, parsed.authors))
                continue
            paper_id = row[0]
            names = [author.display_name for author in parsed.authors]
            authors_changed = stored_authors.get(paper_id, []) != names
            if authors_changed:
                author_lists.append((parsed.bibtex_key, parsed.authors))
                replaced.append(paper_id)
            if authors_changed or values != row[1:]:
                updated.append((*values, paper_id))
        now = timezone.now()
        paper_ids = {key: row[0] for key, row in stored.items()}
        paper_ids.update(_insert_papers(created, submitter_id, now))
        _update_papers(updated, now)
        _replace_authorships(author_lists, replaced, paper_ids, author_ids)
        _index_papers(batch, paper_ids, {key for key, _ in created}, updated)
    report.created += len(created)
    report.updated += len(updated)
    report.unchanged += len(batch) - len(created) - len(updated)


def _index_papers(
    batch: Sequence[ParsedPaper],
    paper_ids: dict[str, int],
    created: set[str],
    updated: list[tuple],
) -> None:
    """Write the search documents of the created and updated papers of a batch."""
    updated_ids = {row[-1] for row in updated}
    search_services.write_paper_documents(
        [
            search_services.paper_document(
                paper_ids[parsed.bibtex_key],
                title=parsed.title,
                authors=[author.display_name for author in parsed.authors],
                abstract=parsed.abstract,
                details=[
                    getattr(parsed, name) for name in search_services.DETAIL_FIELDS
                ],
            )
            for parsed in batch
            if parsed.bibtex_key in created
            or paper_ids[parsed.bibtex_key] in updated_ids
        ]
    )


def _imported_values(parsed: ParsedPaper) -> tuple:
    """Return the paper's column values in STORED_FIELDS order."""
    values = tuple(getattr(parsed, name) for name in IMPORTED_FIELDS)
    return (*values, render_title(parsed.title))


def _stored_papers(keys: list[str]) -> dict[str, tuple]:
    """Return (id, *STORED_FIELDS) of the stored papers with these keys."""
    return {
        row[0]: row[1:]
        for chunk in _chunks(keys)
        for row in Paper.objects.filter(bibtex_key__in=chunk).values_list(
            "bibtex_key", "pk", *STORED_FIELDS
        )
    }


def _author_names_by_paper(paper_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for chunk in _chunks(paper_ids):
        rows = (
            Authorship.objects.filter(paper_id__in=chunk)
            .order_by("paper_id", "position")
            .values_list("paper_id", "author__name")
        )
        for paper_id, name in rows:
            names.setdefault(paper_id, []).append(name)
    return names


def _replace_authorships(
    author_lists: list[tuple[str, tuple[AuthorName, ...]]],
    replaced: list[int],
    paper_ids: dict[str, int],
    author_ids: dict[str, int],
) -> None:
    """Write the author lists of new papers and of the ``replaced`` ids."""
    _add_author_ids(
        [author for _, authors in author_lists for author in authors], author_ids
    )
    for chunk in _chunks(replaced):
        Authorship.objects.filter(paper_id__in=chunk).delete()
    _insert_rows(
        Authorship,
        ("paper", "author", "position"),
        [
            (paper_ids[key], author_ids[author.display_name], position)
            for key, authors in author_lists
            for position, author in enumerate(authors)
        ],
    )


def _add_author_ids(authors: list[AuthorName], author_ids: dict[str, int]) -> None:
    """Add the ids of these authors to ``author_ids``, creating missing authors."""
    needed: dict[str, AuthorName] = {}
    for author in authors:
        if author.display_name not in author_ids:
            needed.setdefault(author.display_name, author)
    if not needed:
        return
    # Inserting every needed name and skipping the existing ones takes one
    # pass, and is safe when another import creates the same author meanwhile.
    _insert_rows(
        Author,
        ("name", "first", "von", "last", "jr"),
        [(a.display_name, a.first, a.von, a.last, a.jr) for a in needed.values()],
        ignore_conflicts=True,
    )
    author_ids.update(
        (name, pk)
        for chunk in _chunks(list(needed))
        for name, pk in Author.objects.filter(name__in=chunk).values_list("name", "pk")
    )


def _insert_papers(
    rows: list[tuple[str, tuple]], submitter_id: int | None, now: datetime
) -> dict[str, int]:
    """Insert new papers from (key, imported values) pairs; return their ids."""
    stamp = Paper._meta.get_field("created").get_db_prep_save(now, connection)
    _insert_rows(
        Paper,
        ("bibtex_key", *STORED_FIELDS, "submitted_by", "created", "updated"),
        [(key, *values, submitter_id, stamp, stamp) for key, values in rows],
    )
    return {
        key: pk
        for chunk in _chunks([key for key, _ in rows])
        for key, pk in Paper.objects.filter(bibtex_key__in=chunk).values_list(
            "bibtex_key", "pk"
        )
    }


def _update_papers(rows: list[tuple], now: datetime) -> None:
    """Update papers from rows of STORED_FIELDS values followed by the id.

    This runs one UPDATE per row, because ``bulk_update`` builds a CASE
    expression per field and row in Python, which took about 4 ms per paper
    in bench/import_bibtex.py.
    """
    if not rows:
        return
    stamp = Paper._meta.get_field("updated").get_db_prep_save(now, connection)
    quote = connection.ops.quote_name
    columns = [Paper._meta.get_field(name).column for name in STORED_FIELDS]
    columns.append(Paper._meta.get_field("updated").column)
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    # Table and column names come from the model, never from input.
    sql = (
        f"UPDATE {quote(Paper._meta.db_table)} SET {assignments} "  # noqa: S608
        f"WHERE {quote(Paper._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*row[:-1], stamp, row[-1]) for row in rows])


def _insert_rows(
    model: type[models.Model],
    field_names: Sequence[str],
    rows: list[tuple],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert rows of database-ready values without building model instances.

    ``bulk_create`` prepares a model instance per row and took about four
    times as long for the authorships of a 10,000-entry file
    (bench/import_bibtex.py). Values must already be in database form:
    strings, integers, None or prepared timestamps. ``ignore_conflicts``
    skips rows that break a unique constraint (``ON CONFLICT DO NOTHING``,
    SQLite 3.24+ and PostgreSQL).
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(n).column) for n in field_names)
    row_sql = "(" + ", ".join(["%s"] * len(field_names)) + ")"
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    # Table and column names come from the model, never from input.
    insert = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # sqlite3 runs one prepared statement over all rows in C, two to
            # three times as fast as multi-row VALUES lists.
            cursor.executemany(insert + row_sql + suffix, rows)
            return
        # psycopg2's executemany sends one statement per row, so here many
        # rows go into each statement.
        for chunk in _chunks(rows, MAX_QUERY_PARAMS // len(field_names)):
            values = ", ".join([row_sql] * len(chunk))
            cursor.execute(
                insert + values + suffix, [value for row in chunk for value in row]
            )


def _chunks(items: list, size: int = MAX_QUERY_PARAMS // 2) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
