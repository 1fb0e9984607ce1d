"""Reads for search: ranked, highlighted results and identifier look-ups.

``search`` serves the search page and ``paper_queryset`` the API, through
``papers.selectors.search_papers``. Both see a summary only when
``Summary.objects.visible_to(viewer)`` includes it.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, FloatField, IntegerField, Value, When
from django.utils.safestring import SafeString

from papers.identifiers import arxiv_id_from_url, parse_arxiv_id, parse_doi
from papers.models import Paper
from papers.selectors import paper_listing
from summaries.models import Summary

from .backends import Ranking, get_backend
from .text import clean_query, highlight, shorten

# Maximum number of papers that ``paper_queryset`` returns.
MAX_QUERYSET_RESULTS = 1000
ABSTRACT_CHARS = 300


@dataclass
class SummaryHit:
    """A visible summary that matched, with its marked snippet."""

    summary: Summary
    snippet: SafeString


@dataclass
class PaperHit:
    """A matching paper with its title, authors and abstract marked up."""

    paper: Paper
    score: float
    title: SafeString
    authors: SafeString
    abstract: SafeString
    summaries: list[SummaryHit] = field(default_factory=list)


@dataclass
class SearchResults:
    """One page of results: ``total`` papers match, ``hits`` start at ``offset``.

    When ``capped`` is true, more papers match than were ranked, and
    ``total`` counts the ranked ones only (see ``backends.MAX_CANDIDATES``).
    """

    query: str
    total: int
    offset: int
    hits: list[PaperHit]
    capped: bool = False


def find_paper(query: str) -> Paper | None:
    """Return the paper that the query names exactly, or None.

    The query may be a BibTeX key, an arXiv identifier (``1805.11604``,
    ``hep-th/9901001``, with or without a version, an ``arXiv:`` prefix or
    an arxiv.org address) or a DOI (bare, ``doi:`` or a doi.org address).
    DOIs compare case-insensitively, as the DOI system does.
    """
    query = query.strip()
    if not query or len(query) > 255 or query != clean_query(query):
        # Control characters are in no key or identifier, and PostgreSQL
        # rejects NUL in a string.
        return None
    paper = Paper.objects.filter(bibtex_key=query).first()
    if paper is not None:
        return paper
    arxiv = parse_arxiv_id(query) or arxiv_id_from_url(query)
    if arxiv is not None:
        return Paper.objects.filter(arxiv_id=arxiv.id).order_by("pk").first()
    doi = parse_doi(query)
    if doi is not None:
        papers = Paper.objects.order_by("pk")
        return papers.filter(doi=doi).first() or papers.filter(doi__iexact=doi).first()
    return None


def _visible(viewer) -> tuple[str, tuple]:
    """Return the SQL and parameters of the ids of summaries ``viewer`` may see."""
    queryset = Summary.objects.visible_to(viewer).order_by().values("pk")
    return queryset.query.get_compiler(connection=connection).as_sql()


def search(*, query: str, viewer, offset: int = 0, limit: int = 20) -> SearchResults:
    """Return the papers matching ``query`` for ``viewer``, best first.

    Papers match on title, authors, abstract or the text of a summary the
    viewer may see. Each hit carries escaped snippets with ``<mark>`` around
    the matched words, and up to three matching summaries. Any text is a
    valid query: words without operators all have to match, ``"..."``
    matches a phrase, ``or`` offers alternatives and ``-word`` excludes.
    A query without words matches nothing.
    """
    query = clean_query(query)
    backend = get_backend()
    prepared = backend.prepare(query)
    if prepared is None:
        return SearchResults(query=query, total=0, offset=offset, hits=[])
    visible = _visible(viewer)
    ranking = backend.ranked_papers(prepared, visible, limit=limit, offset=offset)
    if not ranking.papers and offset:
        # The total comes with the rows, and a page past the end has none.
        first = backend.ranked_papers(prepared, visible, limit=1, offset=0)
        ranking = Ranking(total=first.total, capped=first.capped, papers=[])
    ranked = ranking.papers
    paper_ids = [row.paper_id for row in ranked]
    papers = paper_listing(
        viewer=viewer, queryset=Paper.objects.filter(pk__in=paper_ids)
    )
    by_id = {paper.pk: paper for paper in papers}
    snippets = backend.paper_snippets(prepared, paper_ids)
    summary_rows = backend.summary_snippets(prepared, paper_ids, visible)
    summaries = (
        Summary.objects.select_related("author")
        .defer("source", "html", "excerpt")
        .in_bulk([row.summary_id for row in summary_rows])
    )
    hits = []
    for row in ranked:
        paper = by_id.get(row.paper_id)
        if paper is None:  # deleted between the two queries
            continue
        hit = _paper_hit(paper, row.score, snippets.get(row.paper_id))
        hit.summaries = [
            SummaryHit(summary=summaries[s.summary_id], snippet=highlight(s.body))
            for s in summary_rows
            if s.paper_id == row.paper_id and s.summary_id in summaries
        ]
        hits.append(hit)
    return SearchResults(
        query=query,
        total=ranking.total,
        offset=offset,
        hits=hits,
        capped=ranking.capped,
    )


def _paper_hit(paper: Paper, score: float, snippet) -> PaperHit:
    if snippet is None:
        # The paper matched through a summary only, so nothing is marked.
        return PaperHit(
            paper=paper,
            score=score,
            title=_title(paper, paper.title),
            authors=highlight(", ".join(paper.author_names)),
            abstract=highlight(shorten(paper.abstract, ABSTRACT_CHARS)),
        )
    return PaperHit(
        paper=paper,
        score=score,
        title=_title(paper, snippet.title),
        authors=highlight(snippet.authors),
        abstract=highlight(shorten(snippet.abstract, ABSTRACT_CHARS * 2)),
    )


def _title(paper: Paper, marked: str) -> SafeString:
    """Return the title of a hit: with marks, or rendered if it has formulas.

    Marks cannot go inside a formula's MathML, so a title with formulas is
    shown rendered and without marks.
    """
    if 'class="math ' in paper.title_html:
        return paper.title_markup
    return highlight(marked)


def paper_queryset(*, query: str, viewer):
    """Return the papers matching ``query`` for ``viewer`` as a queryset, best first.

    The papers are those of ``search``, in its order, with authors
    prefetched, ``summary_count`` (summaries the viewer may see),
    ``search_position`` (0 for the first) and ``search_rank`` (higher is
    better). A paper that the query names exactly (see ``find_paper``) comes
    first, even if no word of the query matches it, as the search page opens
    it. At most ``MAX_QUERYSET_RESULTS`` papers are returned.
    """
    exact = find_paper(query)
    query = clean_query(query)
    backend = get_backend()
    prepared = backend.prepare(query)
    ranked = []
    if prepared is not None:
        ranked = backend.ranked_papers(
            prepared, _visible(viewer), limit=MAX_QUERYSET_RESULTS, offset=0
        ).papers
    scores = [(row.paper_id, row.score) for row in ranked]
    if exact is not None:
        top = max((score for _, score in scores), default=0.0)
        others = [
            (paper_id, score) for paper_id, score in scores if paper_id != exact.pk
        ]
        scores = [(exact.pk, top), *others[: MAX_QUERYSET_RESULTS - 1]]
    # With no scores, the queryset is empty without a query, and still has
    # the annotations that the API's relevance ordering sorts by.
    position = Case(
        *[When(pk=paper_id, then=Value(n)) for n, (paper_id, _) in enumerate(scores)],
        output_field=IntegerField(),
    )
    rank = Case(
        *[When(pk=paper_id, then=Value(score)) for paper_id, score in scores],
        output_field=FloatField(),
    )
    queryset = Paper.objects.filter(pk__in=[paper_id for paper_id, _ in scores])
    return (
        paper_listing(viewer=viewer, queryset=queryset)
        .annotate(search_position=position, search_rank=rank)
        .order_by("search_position")
    )
