import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from papers.models import Paper
from papers.services import import_bibtex
from papers.tests.factories import PaperFactory
from papers.tests.test_paths import has_dot_segment
from shortscience.markup import render_markdown
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db

ODD_KEYS = [
    "DBLP:journals/corr/ExampleXY16",
    "Writer:2016:ABC:1234567.7654321",
    "10.1000/0123-4567(99)00001-2",
]

ACCENTS_BIB = r"""
@article{acc1,
  author = {Aut{\'\i}or, A. and Pl{\v z}{\'\i}k, B. and Ex{\"o}mpl{\=e}-Token, C.},
  title = {{RNA} folding in {\"O}resund water},
  journal = {J},
  year = 2003
}
"""


@pytest.mark.parametrize("key", ODD_KEYS)
def test_paper_page_finds_key_raw_and_encoded(client, key):
    PaperFactory(bibtex_key=key, title="Odd Key Paper")
    url = reverse("papers:detail", kwargs={"bibtex_key": key})
    encoded = "/paper/" + key.replace("/", "%2F").replace(":", "%3A").replace(
        "(", "%28"
    )

    assert client.get(url).status_code == 200
    assert client.get(encoded).status_code == 200
    assert client.get("/paper", {"bibtexKey": key})["Location"] == url


@pytest.mark.parametrize("key", ODD_KEYS)
def test_odd_key_shown_verbatim_on_page(client, key):
    PaperFactory(bibtex_key=key)

    response = client.get(reverse("papers:detail", kwargs={"bibtex_key": key}))

    assert f"<code>{key}</code>" in response.text


def test_key_with_markup_is_escaped(client):
    key = 'x"><script>alert(1)</script>'
    PaperFactory(bibtex_key=key, title="<b>Title</b>")

    response = client.get(reverse("papers:detail", kwargs={"bibtex_key": key}))

    assert "<script>alert(1)" not in response.text
    assert "<b>Title</b>" not in response.text
    assert "&lt;b&gt;Title&lt;/b&gt;" in response.text


def test_accents_and_braces_on_paper_page(client):
    import_bibtex(ACCENTS_BIB)

    response = client.get(reverse("papers:detail", kwargs={"bibtex_key": "acc1"}))
    header = response.text.split('<section class="bibtex"')[0]

    assert "RNA folding in Öresund water" in header
    assert "Autíor" in header
    assert "Plžík" in header
    assert "Exömplē-Token" in header
    assert "{" not in header.split("<main")[1]


def test_bibtex_export_keeps_raw_entry(client):
    import_bibtex(ACCENTS_BIB)

    response = client.get(reverse("papers:bibtex", kwargs={"bibtex_key": "acc1"}))

    assert response["Content-Type"].startswith("application/x-bibtex")
    assert r"Pl{\v z}{\'\i}k" in response.text


def test_unknown_key_is_404(client):
    assert client.get("/paper/no/such/Key").status_code == 404


def test_lookup_without_key_is_400(client):
    assert client.get("/paper").status_code == 400


def test_search_by_author_title_and_key(client):
    paper = PaperFactory(title="Attention Everywhere", bibtex_key="conf/x/Vas17")
    author = paper.authorships.first().author

    for query in ["attention", author.last, "Vas17"]:
        response = client.get(reverse("papers:search"), {"q": query})
        assert f'href="{paper.get_absolute_url()}"' in response.text, query


def test_search_exact_key_opens_paper(client):
    paper = PaperFactory(bibtex_key="journals/jmlr/GlorotB10")

    response = client.get(reverse("papers:search"), {"q": paper.bibtex_key})

    assert response["Location"] == paper.get_absolute_url()


def test_venue_and_year_listings(client):
    PaperFactory(title="In Venue", venue="Conference (ABC)", year=1999)

    venues = client.get(reverse("papers:venues"))
    venue = client.get(reverse("papers:venue", args=["Conference (ABC)"]))
    year = client.get(reverse("papers:year", args=[1999]))

    assert "Conference (ABC)" in venues.text
    assert "In Venue" in venue.text
    assert "In Venue" in year.text


def test_paper_page_offers_write_or_edit(client):
    paper = PaperFactory()
    member = UserFactory()
    client.force_login(member)
    before = client.get(paper.get_absolute_url())
    SummaryFactory(paper=paper, author=member)
    after = client.get(paper.get_absolute_url())

    assert "Write a summary" in before.text
    assert "Edit your summary" in after.text
    assert Paper.objects.count() == 1


@pytest.mark.parametrize("key", ["../dotdot", "x/./y", "a/..", "."])
def test_dot_segments_stay_in_paper_path(client, key):
    paper = PaperFactory(bibtex_key=key, venue="../..")

    url = paper.get_absolute_url()
    response = client.get(url)

    assert not has_dot_segment(url)
    assert response.status_code == 200
    assert response.context["paper"] == paper
    assert 'href="/venues/%252E./%252E."' in response.text


def test_cite_with_dot_segments_stays_on_paper_pages():
    html = render_markdown(r"See \cite{../../admin}.")

    assert 'href="/paper/%252E./%252E./admin"' in html


def test_search_with_very_long_query_answers(client):
    PaperFactory(title="Attention Everywhere")

    response = client.get(reverse("papers:search"), {"q": "attention " * 3000})

    assert response.status_code == 200
    assert "<mark>Attention</mark> Everywhere" in response.text
