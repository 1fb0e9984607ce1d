"""The real ShortScience front page, imported with the two commands and served."""

import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from papers.models import Paper
from summaries.models import Summary

pytestmark = pytest.mark.django_db

# Every $ in these files opens or closes a formula: they contain no code.
FORMULA = re.compile(r"\$\$.+?\$\$|\$[^$]+?\$", re.DOTALL)
SUMMARY_TEXT = re.compile(r'<div class="summary-text">(.*?)</div>\s*</article>', re.S)
MATH_ELEMENT = re.compile(r"<math\b.*?</math>", re.S)


@pytest.fixture
def imported(frontpage_dir):
    call_command("import_bibtex", str(frontpage_dir / "papers.bib"))
    call_command("import_summaries", str(frontpage_dir / "summaries"))
    return json.loads((frontpage_dir / "summaries" / "index.json").read_text())


def test_import_gives_ten_papers_and_summaries(imported):
    assert Paper.objects.count() == 10
    assert Summary.objects.count() == 10


def test_reimport_changes_nothing(imported, frontpage_dir):
    call_command("import_bibtex", str(frontpage_dir / "papers.bib"))
    call_command("import_summaries", str(frontpage_dir / "summaries"))

    assert Paper.objects.count() == 10
    assert Summary.objects.filter(version=1).count() == 10


def test_each_summary_page_shows_every_formula(client, imported, frontpage_dir):
    for entry in imported:
        source = (frontpage_dir / "summaries" / entry["file"]).read_text()
        summary = Summary.objects.get(paper__bibtex_key=entry["bibtex_key"])

        response = client.get(summary.get_absolute_url())
        (text,) = SUMMARY_TEXT.findall(response.text)

        assert text.count("<math") == len(FORMULA.findall(source)), entry["file"]
        assert "math-error" not in text, entry["file"]
        assert "$" not in MATH_ELEMENT.sub("", text), entry["file"]


def test_glorot_paper_page_shows_mathml(client, imported):
    response = client.get("/paper/journals/jmlr/GlorotB10")

    assert response.status_code == 200
    assert "Understanding the Difficulty of Training Deep" in response.text
    assert "<math" in response.text
    assert "\\left [ - \\frac{\\sqrt{6}}" in response.text


def test_old_lookup_address_redirects_permanently(client, imported):
    response = client.get("/paper", {"bibtexKey": "journals/jmlr/GlorotB10"})

    assert response.status_code == 301
    assert response["Location"] == "/paper/journals/jmlr/GlorotB10"


def test_percent_encoded_key_finds_paper(client, imported):
    response = client.get("/paper/journals%2Fjmlr%2FGlorotB10")

    assert response.status_code == 200


def test_home_lists_all_ten(client, imported):
    response = client.get(reverse("home"), {"tab": "recent"})

    assert len(response.context["page"].object_list) == 10
