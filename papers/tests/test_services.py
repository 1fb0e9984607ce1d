import pytest

from accounts.tests.factories import UserFactory
from papers import selectors, services
from papers.models import Author, Authorship, Paper
from papers.services import import_bibtex
from papers.tests.factories import PaperFactory

pytestmark = pytest.mark.django_db

ACCENTED = r"""@article{acc,
  author = {Aut{\'\i}or, A. and Pl{\v z}{\'\i}k, B. and Ex{\"o}mpl{\=e}-Token, C.},
  title = {{RNA} folding in {\"O}resund water},
  year = 2016
}"""

MACROS = """@string{jnl = {Journal of Examples}}
@inproceedings{m1, title = {T}, year = 2001, month = jan, journal = jnl}
@inproceedings{m2, title = {U}, journal = undefinedjournal}
"""

KEYS = [
    "DBLP:journals/corr/ExampleXY16",
    "Writer:2016:ABC:1234567.7654321",
    "10.1000/0123-4567(99)00001-2",
]


def entry(key: str, title: str = "T", authors: str = "A. One and B. Two") -> str:
    return f"@article{{{key},\n  title = {{{title}}},\n  author = {{{authors}}}\n}}\n"


def author_names(key: str) -> list[str]:
    return selectors.get_paper(key).author_names


# Creating and updating


def test_import_creates_papers():
    report = import_bibtex(entry("a") + entry("b"))
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert Paper.objects.count() == 2


def test_import_stores_decoded_title():
    import_bibtex(ACCENTED)
    assert Paper.objects.get().title == "RNA folding in Öresund water"


def test_import_stores_decoded_authors():
    import_bibtex(ACCENTED)
    assert author_names("acc") == ["A. Autíor", "B. Plžík", "C. Exömplē-Token"]


def test_import_stores_author_parts():
    import_bibtex(ACCENTED)
    author = Author.objects.get(name="B. Plžík")
    assert (author.first, author.von, author.last, author.jr) == ("B.", "", "Plžík", "")


def test_import_keeps_raw_entry():
    import_bibtex("% header\n" + ACCENTED + "\n")
    assert Paper.objects.get().bibtex == ACCENTED


def test_import_resolves_macros():
    import_bibtex(MACROS)
    paper = Paper.objects.get(bibtex_key="m1")
    assert (paper.month, paper.venue, paper.year) == (1, "Journal of Examples", 2001)


def test_undefined_macro_skips_only_its_entry():
    report = import_bibtex(MACROS)
    assert list(Paper.objects.values_list("bibtex_key", flat=True)) == ["m1"]
    assert [(f.key, f.line) for f in report.failures] == [("m2", 3)]


def test_undefined_macro_failure_names_macro():
    (failure,) = import_bibtex(MACROS).failures
    assert "undefined macro `undefinedjournal`" in failure.message


@pytest.mark.parametrize("key", KEYS)
def test_key_stored_and_found_verbatim(key):
    import_bibtex(entry(key))
    assert selectors.get_paper(key).bibtex_key == key


def test_import_stores_identifiers():
    text = (
        "@misc{k, title = {T}, eprint = {1805.11604v2}, archivePrefix = {arXiv},"
        " doi = {https://doi.org/10.1000/XYZ}, url = {https://arxiv.org/abs/1805.11604}}"
    )
    import_bibtex(text)
    paper = Paper.objects.get()
    assert (paper.arxiv_id, paper.doi) == ("1805.11604", "10.1000/XYZ")


def test_reimport_changes_nothing():
    text = ACCENTED + entry("b")
    import_bibtex(text)
    before = list(Paper.objects.values_list("pk", "updated").order_by("pk"))
    report = import_bibtex(text)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert list(Paper.objects.values_list("pk", "updated").order_by("pk")) == before


def test_reimport_creates_no_duplicates():
    text = ACCENTED + entry("b")
    import_bibtex(text)
    import_bibtex(text)
    counts = (Paper.objects.count(), Author.objects.count(), Authorship.objects.count())
    assert counts == (2, 5, 5)


def test_changed_title_updates_paper():
    import_bibtex(entry("a", title="Old"))
    report = import_bibtex(entry("a", title="New {RNA}"))
    assert (report.created, report.updated) == (0, 1)
    assert Paper.objects.get().title == "New RNA"


def test_changed_entry_replaces_raw_text():
    import_bibtex(entry("a", title="Old"))
    import_bibtex(entry("a", title="New"))
    assert Paper.objects.get().bibtex == entry("a", title="New").strip()


def test_reordered_authors_replaced_in_order():
    import_bibtex(entry("a", authors="A. One and B. Two and C. Three"))
    report = import_bibtex(entry("a", authors="C. Three and A. One"))
    assert report.updated == 1
    assert author_names("a") == ["C. Three", "A. One"]


def test_authors_shared_by_display_name():
    import_bibtex(entry("a", authors="Smith, John") + entry("b", authors="John Smith"))
    assert Author.objects.filter(name="John Smith").count() == 1
    assert Authorship.objects.filter(author__name="John Smith").count() == 2


def test_existing_author_reused():
    paper = PaperFactory(author_count=1)
    existing = paper.authorships.get().author
    import_bibtex(entry("new", authors=existing.name))
    assert author_names("new") == [existing.name]
    assert Author.objects.count() == 1


def test_submitter_set_on_create_only():
    first, second = UserFactory(), UserFactory()
    import_bibtex(entry("a", title="Old"), submitted_by=first)
    import_bibtex(entry("a", title="New"), submitted_by=second)
    assert Paper.objects.get().submitted_by == first


def test_failures_do_not_stop_import():
    text = entry("a") + "@misc{broken, title = {x\n\n" + entry("b")
    report = import_bibtex(text)
    assert sorted(Paper.objects.values_list("bibtex_key", flat=True)) == ["a", "b"]
    assert [f.key for f in report.failures] == ["broken"]


def test_failures_sorted_by_line():
    text = "@misc{x1}\n" + entry("a", title="A") + "@misc{a, title = {dup}}\n"
    report = import_bibtex(text)
    assert [f.line for f in report.failures] == [1, 6]


def test_too_long_title_reported():
    (failure,) = import_bibtex(entry("a", title="x" * 1001)).failures
    assert (
        failure.message
        == "title is too long: 1001 characters, at most 1000 are allowed"
    )


def test_too_long_author_reported():
    (failure,) = import_bibtex(entry("a", authors="Q " + "x" * 300)).failures
    assert failure.message.startswith("author name is too long")


def test_progress_called_per_batch(monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    calls = []
    import_bibtex(
        "".join(entry(f"k{n}") for n in range(5)), progress=lambda *a: calls.append(a)
    )
    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_batches_import_all_entries(monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    text = "".join(
        entry(f"k{n}", authors=f"Shared Person and P{n} Q") for n in range(5)
    )
    import_bibtex(text)
    assert Authorship.objects.filter(author__name="Shared Person").count() == 5


def test_import_queries_grow_by_statement_not_row(django_assert_max_num_queries):
    # 200 papers and 400 authors fit in a handful of multi-row INSERTs.
    import_bibtex("".join(entry(f"warm{n}") for n in range(3)))
    text = "".join(entry(f"k{n}", authors=f"A{n} B and C{n} D") for n in range(200))
    with django_assert_max_num_queries(16):
        import_bibtex(text)


@pytest.mark.parametrize("count", [20, 200])
def test_reimport_query_count_fixed(count, django_assert_num_queries):
    text = "".join(entry(f"k{n}") for n in range(count))
    import_bibtex(text)
    with django_assert_num_queries(4):
        import_bibtex(text)


# The real front-page file


def test_frontpage_imports_ten_papers(frontpage_bib):
    report = import_bibtex(frontpage_bib.read_text(encoding="utf-8"))
    assert (report.created, report.failed) == (10, 0)
    assert Paper.objects.count() == 10


def test_frontpage_reimport_idempotent(frontpage_bib):
    text = frontpage_bib.read_text(encoding="utf-8")
    import_bibtex(text)
    report = import_bibtex(text)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 10)


def test_frontpage_stored_values(frontpage_bib):
    import_bibtex(frontpage_bib.read_text(encoding="utf-8"))
    assert author_names("journals/jmlr/GlorotB10") == ["Xavier Glorot", "Yoshua Bengio"]
    assert "Piotr Dollár" in author_names("journals/corr/HeGDG17")
    assert selectors.get_paper("journals/corr/RibeiroSG16").title == (
        "“Why Should I Trust You?”: Explaining the Predictions of Any Classifier"
    )


# Selectors


def test_get_paper_missing_key_raises():
    with pytest.raises(Paper.DoesNotExist):
        selectors.get_paper("journals/none/Missing")


def test_get_paper_is_case_sensitive():
    import_bibtex(entry("journals/x/Key"))
    with pytest.raises(Paper.DoesNotExist):
        selectors.get_paper("journals/x/key")


@pytest.mark.parametrize("count", [3, 30])
def test_paper_list_prefetches_authors(count, django_assert_num_queries):
    PaperFactory.create_batch(count, author_count=2)
    with django_assert_num_queries(2):
        names = [paper.author_names for paper in selectors.paper_list()]
    assert len(names) == count
