"""The SQL of search on each database, behind one small interface.

``PostgresBackend`` matches ``websearch_to_tsquery('english', ...)`` against
the weighted ``vector`` columns and ranks with ``ts_rank``; ``SqliteBackend``
turns the same query syntax into an FTS5 expression and ranks with
``bm25``. A paper's score is its own document's rank plus the best rank of
its summaries that the reader may see, so both databases order papers the
same way even though their rank values differ.

Every method takes ``visible``, the SQL and parameters of the ids of the
summaries the reader may see, built from ``Summary.objects.visible_to``.
"""

import re
from dataclasses import dataclass

from django.db import connection

from .text import MARK_END, MARK_START

# Summaries shown under each paper in the results.
SUMMARIES_PER_PAPER = 3

# Maximum number of paper documents, and of summary documents, ranked per
# query. A broad word can match most of the table, and ranking every match
# would cost a read of each one's vector, so the candidates are taken as the
# index returns them, papers whose title matches first.
MAX_CANDIDATES = 500
# Maximum number of summaries with every word of a phrase query that
# PostgreSQL reads to find those that contain the phrase.
PHRASE_EXAMINED = 2000

Visible = tuple[str, tuple]


@dataclass(frozen=True)
class RankedPaper:
    paper_id: int
    score: float


@dataclass(frozen=True)
class Ranking:
    """One page of ranked papers and the number of papers found.

    ``capped`` is true when a query matched more than ``MAX_CANDIDATES``
    documents of a kind, so ``total`` counts only the ranked candidates.
    """

    total: int
    capped: bool
    papers: list[RankedPaper]


@dataclass(frozen=True)
class PaperSnippet:
    """A matched paper's title, authors and abstract, with marks around matches."""

    title: str
    authors: str
    abstract: str


@dataclass(frozen=True)
class SummarySnippet:
    summary_id: int
    paper_id: int
    rank: float
    body: str


def get_backend():
    """Return the backend for the default database's vendor."""
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise NotImplementedError(f"search does not support {connection.vendor!r}")


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def _ranking(sql: str, params: tuple) -> Ranking:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return Ranking(total=0, capped=False, papers=[])
    return Ranking(
        total=rows[0][2],
        capped=bool(rows[0][3]),
        papers=[RankedPaper(row[0], row[1]) for row in rows],
    )


def _best_per_paper(rows: list[SummarySnippet]) -> list[SummarySnippet]:
    """Keep the ``SUMMARIES_PER_PAPER`` best-ranked snippets of each paper."""
    kept: dict[int, list[SummarySnippet]] = {}
    for row in sorted(rows, key=lambda row: (-row.rank, row.summary_id)):
        papers = kept.setdefault(row.paper_id, [])
        if len(papers) < SUMMARIES_PER_PAPER:
            papers.append(row)
    return [row for rows in kept.values() for row in rows]


class PostgresBackend:
    _QUERY = "websearch_to_tsquery('english', %s)"
    _WHOLE = f'HighlightAll=true, StartSel="{MARK_START}", StopSel="{MARK_END}"'
    _FRAGMENTS = (
        f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=30, MinWords=12, '
        'MaxFragments=2, FragmentDelimiter=" … "'
    )

    def prepare(self, query: str) -> str | None:
        """Return the query as the database takes it, or None if it has no words."""
        return query if re.search(r"\w", query) else None

    def ranked_papers(
        self, query: str, visible: Visible, *, limit: int, offset: int
    ) -> Ranking:
        """Rank the candidate papers and return one page of them, best first."""
        visible_sql, visible_params = visible
        q = q_loose = self._QUERY
        # A LIMIT without ORDER BY lets PostgreSQL stop reading matches once
        # it has enough, and ts_rank runs only on the rows it keeps. The GIN
        # index stores no word positions, so a phrase is checked by reading
        # each summary that has all its words: at most PHRASE_EXAMINED of them.
        loose, examined = query, MAX_CANDIDATES
        if '"' in query and '-"' not in query:
            # The same words without quotes match every phrase match. An
            # excluded phrase is left out of this, since dropping its quotes
            # would require its words.
            loose, examined = query.replace('"', " "), PHRASE_EXAMINED
        sql = f"""
            WITH paper_ids AS MATERIALIZED (
                (
                    SELECT paper_id FROM search_paperdocument
                    WHERE title_vector @@ {q} LIMIT %s
                )
                UNION
                (
                    SELECT paper_id FROM search_paperdocument
                    WHERE vector @@ {q} LIMIT %s
                )
            ),
            paper_hits AS MATERIALIZED (
                SELECT d.paper_id, ts_rank(d.vector, {q}) AS rank
                FROM search_paperdocument d JOIN paper_ids USING (paper_id)
            ),
            summary_hits AS MATERIALIZED (
                SELECT d.paper_id, ts_rank(d.vector, {q}) AS rank, d.examined
                FROM (
                    SELECT summary_id, paper_id, vector, count(*) OVER () AS examined
                    FROM (
                        SELECT summary_id, paper_id, vector
                        FROM search_summarydocument
                        WHERE vector @@ {q_loose}
                        LIMIT %s
                    ) limited
                ) d
                WHERE d.vector @@ {q} AND d.summary_id IN ({visible_sql})
                LIMIT %s
            ),
            hits AS (
                SELECT paper_id, rank FROM paper_hits
                UNION ALL
                SELECT paper_id, max(rank) FROM summary_hits GROUP BY paper_id
            )
            SELECT paper_id, sum(rank) AS score, count(*) OVER (),
                (SELECT count(*) FROM paper_hits) >= %s
                    OR (SELECT count(*) FROM summary_hits) >= %s
                    OR (SELECT coalesce(max(examined), 0) FROM summary_hits) >= %s
            FROM hits
            GROUP BY paper_id
            ORDER BY score DESC, paper_id DESC
            LIMIT %s OFFSET %s
        """  # noqa: S608 -- only placeholders and SQL built by the ORM go in
        cap = MAX_CANDIDATES
        params = (query, cap, query, cap, query, query, loose, examined, query)
        params += (*visible_params, cap, cap, cap, examined, limit, offset)
        return _ranking(sql, params)

    def paper_snippets(self, query: str, paper_ids: list[int]) -> dict:
        """Return {paper_id: PaperSnippet} for these papers, matched or not."""
        if not paper_ids:
            return {}
        q = self._QUERY
        sql = f"""
            SELECT paper_id,
                ts_headline('english', title, {q}, %s),
                ts_headline('english', authors, {q}, %s),
                ts_headline('english', abstract, {q}, %s)
            FROM search_paperdocument
            WHERE paper_id IN ({_placeholders(paper_ids)})
        """  # noqa: S608 -- only placeholders go in
        params = (query, self._WHOLE, query, self._WHOLE)
        params += (query, self._FRAGMENTS, *paper_ids)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {row[0]: PaperSnippet(*row[1:]) for row in cursor.fetchall()}

    def summary_snippets(
        self, query: str, paper_ids: list[int], visible: Visible
    ) -> list[SummarySnippet]:
        """Return the best visible matching summaries of these papers, marked."""
        if not paper_ids:
            return []
        visible_sql, visible_params = visible
        q = self._QUERY
        sql = f"""
            SELECT summary_id, paper_id, rank,
                ts_headline('english', body, {q}, %s)
            FROM (
                SELECT d.summary_id, d.paper_id, d.body,
                    ts_rank(d.vector, {q}) AS rank,
                    row_number() OVER (
                        PARTITION BY d.paper_id
                        ORDER BY ts_rank(d.vector, {q}) DESC, d.summary_id
                    ) AS place
                FROM search_summarydocument d
                WHERE d.paper_id IN ({_placeholders(paper_ids)})
                    AND d.vector @@ {q}
                    AND d.summary_id IN ({visible_sql})
            ) best
            WHERE place <= %s
        """  # noqa: S608 -- only placeholders and SQL built by the ORM go in
        params = (query, self._FRAGMENTS, query, query, *paper_ids, query)
        params += (*visible_params, SUMMARIES_PER_PAPER)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [SummarySnippet(*row) for row in cursor.fetchall()]


# A quoted phrase (closing quote optional) or a run of other characters,
# either one possibly negated by a leading minus, as websearch_to_tsquery reads.
_CHUNK = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_WORD = re.compile(r"\w+")


def fts5_query(query: str) -> str | None:
    """Translate web search syntax into an FTS5 expression, or None if empty.

    Words must all match, ``"a b"`` is a phrase, ``or`` between two terms
    makes either do, and a leading ``-`` excludes a term. Every word is
    quoted, so FTS5 operators and punctuation in the input stay plain text.
    """
    groups: list[list[str]] = []
    excluded: list[str] = []
    join_next = False
    for match in _CHUNK.finditer(query):
        negated = bool(match[1] or match[3])
        text = match[2] if match[2] is not None else match[4]
        if match[2] is None and text.lower() == "or" and groups:
            join_next = True
            continue
        words = _WORD.findall(text)
        if not words:
            continue
        phrase = '"' + " ".join(words) + '"'
        if negated:
            excluded.append(phrase)
        elif join_next:
            groups[-1].append(phrase)
        else:
            groups.append([phrase])
        join_next = False
    if not groups:
        return None
    expression = " AND ".join(
        group[0] if len(group) == 1 else "(" + " OR ".join(group) + ")"
        for group in groups
    )
    if excluded:
        expression = f"({expression}) NOT ({' OR '.join(excluded)})"
    return expression


class SqliteBackend:
    # bm25 column weights: title, authors, abstract, details.
    _PAPER_WEIGHTS = "10.0, 4.0, 2.0, 1.0"
    _SNIPPET_TOKENS = 24

    def prepare(self, query: str) -> str | None:
        """Return the FTS5 expression for the query, or None if it has no words."""
        return fts5_query(query)

    def ranked_papers(
        self, query: str, visible: Visible, *, limit: int, offset: int
    ) -> Ranking:
        """Rank the candidate papers and return one page of them, best first."""
        visible_sql, visible_params = visible
        # MATERIALIZED keeps each FTS5 query whole: flattened into the join,
        # SQLite could no longer call bm25 on it. FTS5 ranks every match, so
        # the candidates are the best-ranked ones.
        sql = f"""
            WITH paper_hits AS MATERIALIZED (
                SELECT rowid AS paper_id,
                    -bm25(search_paper_fts, {self._PAPER_WEIGHTS}) AS rank
                FROM search_paper_fts
                WHERE search_paper_fts MATCH %s
                ORDER BY rank DESC
                LIMIT %s
            ),
            summary_matches AS MATERIALIZED (
                SELECT rowid AS summary_id, -bm25(search_summary_fts) AS rank
                FROM search_summary_fts
                WHERE search_summary_fts MATCH %s
            ),
            summary_hits AS MATERIALIZED (
                SELECT d.paper_id, matches.rank
                FROM summary_matches matches
                JOIN search_summarydocument d ON d.summary_id = matches.summary_id
                WHERE d.summary_id IN ({visible_sql})
                ORDER BY matches.rank DESC
                LIMIT %s
            ),
            hits AS (
                SELECT paper_id, rank FROM paper_hits
                UNION ALL
                SELECT paper_id, max(rank) FROM summary_hits GROUP BY paper_id
            )
            SELECT paper_id, sum(rank) AS score, count(*) OVER (),
                (SELECT count(*) FROM paper_hits) >= %s
                    OR (SELECT count(*) FROM summary_hits) >= %s
            FROM hits
            GROUP BY paper_id
            ORDER BY score DESC, paper_id DESC
            LIMIT %s OFFSET %s
        """  # noqa: S608 -- only placeholders and SQL built by the ORM go in
        cap = MAX_CANDIDATES
        params = (query, cap, query, *visible_params, cap, cap, cap, limit, offset)
        return _ranking(sql, params)

    def paper_snippets(self, query: str, paper_ids: list[int]) -> dict:
        """Return {paper_id: PaperSnippet} for the papers whose own text matches."""
        if not paper_ids:
            return {}
        sql = f"""
            SELECT rowid,
                highlight(search_paper_fts, 0, %s, %s),
                highlight(search_paper_fts, 1, %s, %s),
                snippet(search_paper_fts, 2, %s, %s, '…', {self._SNIPPET_TOKENS})
            FROM search_paper_fts
            WHERE search_paper_fts MATCH %s
                AND rowid IN ({_placeholders(paper_ids)})
        """  # noqa: S608 -- only placeholders go in
        marks = (MARK_START, MARK_END)
        params = (*marks, *marks, *marks, query, *paper_ids)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {row[0]: PaperSnippet(*row[1:]) for row in cursor.fetchall()}

    def summary_snippets(
        self, query: str, paper_ids: list[int], visible: Visible
    ) -> list[SummarySnippet]:
        """Return the best visible matching summaries of these papers, marked."""
        if not paper_ids:
            return []
        visible_sql, visible_params = visible
        sql = f"""
            WITH matches AS MATERIALIZED (
                SELECT rowid AS summary_id, -bm25(search_summary_fts) AS rank,
                    snippet(
                        search_summary_fts, 0, %s, %s, '…', {self._SNIPPET_TOKENS}
                    ) AS body
                FROM search_summary_fts
                WHERE search_summary_fts MATCH %s
                    AND rowid IN (
                        SELECT summary_id FROM search_summarydocument
                        WHERE paper_id IN ({_placeholders(paper_ids)})
                    )
            )
            SELECT d.summary_id, d.paper_id, matches.rank, matches.body
            FROM matches
            JOIN search_summarydocument d ON d.summary_id = matches.summary_id
            WHERE d.summary_id IN ({visible_sql})
        """  # noqa: S608 -- only placeholders and SQL built by the ORM go in
        params = (MARK_START, MARK_END, query, *paper_ids, *visible_params)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [SummarySnippet(*row) for row in cursor.fetchall()]
        return _best_per_paper(rows)
