"""Search: matching, ranking, snippets, visibility, identifiers and bad input."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from papers.selectors import search_papers
from papers.services import import_bibtex
from papers.tests.factories import PaperFactory
from search.backends import fts5_query
from search.selectors import find_paper, search
from summaries import services as summary_services
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db

SECRET = "zygomorphic"


def hit_keys(results):
    return [hit.paper.bibtex_key for hit in results.hits]


@pytest.fixture
def frontpage(frontpage_dir):
    call_command("import_bibtex", str(frontpage_dir / "papers.bib"))
    call_command("import_summaries", str(frontpage_dir / "summaries"))


def test_initialization_finds_glorot_summary(frontpage):
    results = search(query="initialization", viewer=AnonymousUser())

    (glorot,) = [h for h in results.hits if h.paper.bibtex_key.endswith("GlorotB10")]
    assert len(glorot.summaries) == 1
    assert "<mark>initialization</mark>" in glorot.summaries[0].snippet


def test_initialization_page_marks_word(client, frontpage):
    response = client.get(reverse("papers:search"), {"q": "initialization"})

    assert response.status_code == 200
    assert 'href="/paper/journals/jmlr/GlorotB10"' in response.text
    assert "weight <mark>initialization</mark>" in response.text


def test_title_match_outranks_summary_match():
    in_summary = PaperFactory(title="Unrelated Words")
    SummaryFactory(paper=in_summary, source="This one mentions dropout once.")
    in_title = PaperFactory(title="Dropout for Networks")

    results = search(query="dropout", viewer=None)

    assert hit_keys(results) == [in_title.bibtex_key, in_summary.bibtex_key]


@pytest.mark.parametrize(
    ("field", "value", "query"),
    [
        ("title", "Spectral Widgets", "widget"),
        ("abstract", "We study moonlit calibration.", "moonlit"),
        ("venue", "Workshop of Quokkas", "quokkas"),
    ],
)
def test_paper_fields_match(field, value, query):
    paper = PaperFactory(**{field: value})

    assert hit_keys(search(query=query, viewer=None)) == [paper.bibtex_key]


def test_author_name_matches():
    paper = PaperFactory()
    last_name = paper.authorships.first().author.last

    assert paper.bibtex_key in hit_keys(search(query=last_name, viewer=None))


def test_snippet_escapes_html():
    paper = PaperFactory(title="<script>alert(1)</script> Escaping")

    (hit,) = search(query="escaping", viewer=None).hits

    assert "<script>" not in hit.title
    assert "&lt;script&gt;" in hit.title
    assert "<mark>Escaping</mark>" in hit.title
    assert hit.paper == paper


def test_private_summary_found_by_owner_only():
    owner = UserFactory()
    summary = SummaryFactory(author=owner, private=True, source=f"A {SECRET} note.")

    found = search(query=SECRET, viewer=owner)

    assert hit_keys(found) == [summary.paper.bibtex_key]
    assert search(query=SECRET, viewer=None).total == 0
    assert search(query=SECRET, viewer=UserFactory()).total == 0
    assert not search_papers(query=SECRET, viewer=UserFactory()).exists()


def test_private_summary_adds_no_snippet_to_public_paper():
    paper = PaperFactory(title=f"The {SECRET} paper")
    SummaryFactory(paper=paper, private=True, source=f"Private {SECRET} text.")

    (hit,) = search(query=SECRET, viewer=None).hits

    assert hit.summaries == []


def test_made_private_summary_drops_out():
    summary = SummaryFactory(source=f"Public {SECRET} text.")
    summary_services.update_summary(
        summary=summary,
        editor=summary.author,
        source=summary.source,
        private=True,
        anonymous=False,
        base_version=summary.version,
    )

    assert search(query=SECRET, viewer=None).total == 0


@pytest.mark.parametrize("viewer_kind", ["visitor", "member"])
def test_anonymous_summary_hides_author(client, viewer_kind):
    author = UserFactory(username="hidden-writer", display_name="Hidden Writer")
    SummaryFactory(author=author, anonymous=True, source=f"An {SECRET} review.")
    if viewer_kind == "member":
        client.force_login(UserFactory())

    response = client.get(reverse("papers:search"), {"q": SECRET})

    assert f"<mark>{SECRET}</mark>" in response.text
    assert "by Anonymous" in response.text
    assert "Hidden Writer" not in response.text
    assert "hidden-writer" not in response.text


def test_edited_summary_is_reindexed():
    # The factory's generated titles never hold this word, unlike "old".
    summary = SummaryFactory(source="The quincunx wording.")
    summary_services.update_summary(
        summary=summary,
        editor=summary.author,
        source=f"The {SECRET} wording.",
        private=False,
        anonymous=False,
        base_version=summary.version,
    )

    assert search(query="quincunx", viewer=None).total == 0
    assert search(query=SECRET, viewer=None).total == 1


def test_deleted_summary_leaves_index():
    summary = SummaryFactory(source=f"The {SECRET} wording.")

    summary_services.delete_summary(summary=summary, user=summary.author)

    assert search(query=SECRET, viewer=None).total == 0


def test_reimported_title_is_reindexed():
    entry = "@article{k1, title = {First %s}, author = {Doe, Jane}, year = 2001}"
    import_bibtex(entry % "Title")
    import_bibtex(entry % SECRET)

    assert hit_keys(search(query=SECRET, viewer=None)) == ["k1"]
    assert search(query="title", viewer=None).total == 0


def test_api_queryset_keeps_rank_order():
    second = PaperFactory(title="Unrelated Words", abstract="About pangolins.")
    first = PaperFactory(title="Pangolins")

    papers = list(search_papers(query="pangolins", viewer=None))

    assert papers == [first, second]
    assert papers[0].search_rank > papers[1].search_rank
    assert papers[0].summary_count == 0


def test_api_queryset_puts_identified_paper_first():
    named = PaperFactory(title="Batch Normalization", arxiv_id="1502.03167")
    citing = PaperFactory(title="Citing 1502.03167 twice: 1502.03167")

    papers = list(search_papers(query="1502.03167", viewer=None))

    assert papers == [named, citing]
    assert papers[0].search_rank >= papers[1].search_rank


def test_api_queryset_returns_identified_paper_alone():
    named = PaperFactory(title="Batch Normalization", doi="10.5555/3045118.3045167")

    papers = list(
        search_papers(query="https://doi.org/10.5555/3045118.3045167", viewer=None)
    )

    assert papers == [named]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"unclosed phrase',
        "NEAR(",
        "NEAR(a b, 2)",
        "a AND OR NOT b",
        "title:x",
        "* ^ ( ) { } :",
        "!!!",
        "-",
        "- -x",
        "or",
        "the of and",
        "&|!<->:*",
        "\x01\x02",
        "\ue000mark\ue001",
        "x" * 5000,
        "word " * 400,
    ],
)
def test_bad_queries_never_fail(client, query):
    PaperFactory(title="Ordinary words")

    response = client.get(reverse("papers:search"), {"q": query})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "1805.11604",
        "1805.11604v2",
        "arXiv:1805.11604",
        "arxiv:1805.11604v1",
        "https://arxiv.org/abs/1805.11604v3",
        "http://arxiv.org/pdf/1805.11604.pdf",
        "10.1000/Example.42",
        "10.1000/example.42",
        "doi:10.1000/Example.42",
        "https://doi.org/10.1000/Example.42",
        "journals/corr/abs-1805-11604",
    ],
)
def test_identifier_opens_paper(client, query):
    paper = PaperFactory(
        bibtex_key="journals/corr/abs-1805-11604",
        arxiv_id="1805.11604",
        doi="10.1000/Example.42",
    )

    response = client.get(reverse("papers:search"), {"q": query})

    assert response.status_code == 302
    assert response["Location"] == paper.get_absolute_url()


@pytest.mark.parametrize("query", ["hep-th/9901001", "hep-th/9901001v2"])
def test_old_style_arxiv_id_opens_paper(query):
    paper = PaperFactory(arxiv_id="hep-th/9901001")

    assert find_paper(query) == paper


def test_unknown_identifier_searches_words():
    PaperFactory(arxiv_id="1805.11604")

    assert find_paper("1999.99999") is None


def test_results_paginate(client):
    for _ in range(30):
        PaperFactory(title="Marsupial studies")

    second = client.get(reverse("papers:search"), {"q": "marsupial", "page": 2})
    beyond = client.get(reverse("papers:search"), {"q": "marsupial", "page": 99})

    assert len(second.context["page"].object_list) == 5
    assert beyond.context["page"].number == 2


def search_queries(client, count: int) -> int:
    for _ in range(count):
        paper = PaperFactory(title="Numbat behaviour")
        SummaryFactory(paper=paper, source="Numbats eat termites.")
        SummaryFactory(paper=paper, source="More on numbat diets.", anonymous=True)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("papers:search"), {"q": "numbat"})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("signed_in", [False, True])
def test_search_page_queries_constant(client, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    small = search_queries(client, 2)
    large = search_queries(client, 10)

    assert small == large


@pytest.mark.parametrize(
    ("query", "expression"),
    [
        ("deep learning", '"deep" AND "learning"'),
        ('"batch norm" adam', '"batch norm" AND "adam"'),
        ("adam or sgd", '("adam" OR "sgd")'),
        ("dropout -adam", '("dropout") NOT ("adam")'),
        ("hep-th", '"hep th"'),
        ('NEAR( "', '"NEAR"'),
        ("-only", None),
        ("!!!", None),
    ],
)
def test_fts5_query_translation(query, expression):
    assert fts5_query(query) == expression


def test_broad_query_ranks_capped_candidates(client, monkeypatch):
    monkeypatch.setattr("search.backends.MAX_CANDIDATES", 3)
    for _ in range(3):
        PaperFactory(abstract="About echidnas.")
    titled = PaperFactory(title="Echidnas")
    for _ in range(3):
        PaperFactory(abstract="More echidnas.")

    results = search(query="echidnas", viewer=None)
    response = client.get(reverse("papers:search"), {"q": "echidnas"})

    assert results.capped is True
    assert hit_keys(results)[0] == titled.bibtex_key
    assert "More than" in response.text


def test_excluded_phrase_keeps_other_matches():
    kept = SummaryFactory(source="Kiwi habitats.")
    SummaryFactory(source="Kiwi fruit farming.")

    results = search(query='kiwi -"fruit farming"', viewer=None)

    assert hit_keys(results) == [kept.paper.bibtex_key]
