"""Tests for the rendered paper title: stored on the paper, shown on pages."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from papers.models import Paper
from papers.services import import_bibtex
from papers.tests.factories import PaperFactory
from shortscience.markup import render_title
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db

MATH_TITLE = r"The $\alpha$-Divergence of Models"
MATH_BIB = r"""@article{math1,
  title = {The {$\alpha$}-{\textit{Divergence}} of Models},
  author = {Lee, Ann},
  year = 2020,
}
"""


def test_import_stores_rendered_title():
    import_bibtex(MATH_BIB)
    paper = Paper.objects.get(bibtex_key="math1")
    assert paper.title == MATH_TITLE
    assert "<math" in paper.title_html
    assert paper.title_html == render_title(MATH_TITLE)


def test_reimport_updates_rendered_title():
    import_bibtex(MATH_BIB)
    report = import_bibtex(MATH_BIB.replace(r"{$\alpha$}", r"{$\beta$}"))
    paper = Paper.objects.get(bibtex_key="math1")
    assert report.updated == 1
    assert "\u03b2" in paper.title_html
    assert "\u03b1" not in paper.title_html


def test_reimport_same_text_unchanged():
    import_bibtex(MATH_BIB)
    report = import_bibtex(MATH_BIB)
    assert report.unchanged == 1
    assert report.updated == 0


def test_save_renders_title():
    paper = PaperFactory(title=MATH_TITLE)
    assert "<math" in Paper.objects.get(pk=paper.pk).title_html

    paper.title = "Plain <Title>"
    paper.save(update_fields=["title"])

    assert Paper.objects.get(pk=paper.pk).title_html == "Plain &lt;Title&gt;"


def test_migration_fills_existing_rows():
    paper = PaperFactory(title=MATH_TITLE)
    plain = PaperFactory(title="Plain & simple")
    Paper.objects.update(title_html="")
    migration = importlib.import_module("papers.migrations.0002_paper_title_html")

    migration.render_existing_titles(apps, None)

    assert Paper.objects.get(pk=paper.pk).title_html == render_title(MATH_TITLE)
    assert Paper.objects.get(pk=plain.pk).title_html == "Plain &amp; simple"


def test_empty_title_html_falls_back_to_escaped_title():
    paper = PaperFactory(title="A <b> title")
    Paper.objects.filter(pk=paper.pk).update(title_html="")
    assert Paper.objects.get(pk=paper.pk).title_markup == "A &lt;b&gt; title"


# Pages


def test_paper_page_heading_has_mathml(client):
    paper = PaperFactory(title=MATH_TITLE)
    response = client.get(paper.get_absolute_url())
    heading = response.text.split('<h1 class="paper-title">')[1].split("</h1>")[0]
    assert "<math" in heading
    assert "$" not in heading.split("<annotation")[0]


def test_page_title_element_keeps_plain_title(client):
    paper = PaperFactory(title=MATH_TITLE)
    response = client.get(paper.get_absolute_url())
    head_title = response.text.split("<title>")[1].split("</title>")[0]
    assert r"$\alpha$" in head_title
    assert "<math" not in head_title


def test_summary_card_title_has_mathml(client):
    SummaryFactory(paper=PaperFactory(title=MATH_TITLE))
    response = client.get(reverse("home"), {"tab": "recent"})
    card_title = response.text.split('<h2 class="paper-title">')[1].split("</h2>")[0]
    assert "<math" in card_title


def test_paper_list_title_has_mathml(client):
    PaperFactory(title=MATH_TITLE, year=2019)
    response = client.get(reverse("papers:year", args=[2019]))
    item = response.text.split('class="paper-title"')[1].split("</a>")[0]
    assert "<math" in item


def test_search_result_title_has_mathml(client):
    PaperFactory(title=MATH_TITLE)
    response = client.get(reverse("papers:search"), {"q": "divergence"})
    item = response.text.split('class="paper-title"')[1].split("</a>")[0]
    assert "<math" in item


def test_search_result_plain_title_keeps_marks(client):
    PaperFactory(title="Divergence of plain models")
    response = client.get(reverse("papers:search"), {"q": "divergence"})
    item = response.text.split('class="paper-title"')[1].split("</a>")[0]
    assert "<mark>" in item


def test_api_title_stays_plain(client):
    paper = PaperFactory(title=MATH_TITLE)
    response = client.get(
        reverse("api:paper-detail", kwargs={"bibtex_key": paper.bibtex_key})
    )
    assert response.json()["title"] == MATH_TITLE
    assert "title_html" not in response.json()
