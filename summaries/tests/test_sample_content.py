"""Tests for the sample-content commands: what a first run and a rerun report."""

from io import StringIO

import pytest
from django.core.management import call_command

from demos.models import Demo
from summaries.models import Summary
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db


def run(command: str) -> list[str]:
    output = StringIO()
    call_command(command, stdout=output)
    return output.getvalue().splitlines()


def test_first_run_reports_created():
    assert run("load_sample_content") == [
        "Sample papers: 5 created, 0 updated, 0 already present.",
        "Sample summaries: 5 created, 0 updated, 0 already present.",
        "Sample votes: 9 cast, 0 already present.",
        "Sample comments: 2 created, 0 already present.",
    ]


def test_rerun_reports_already_present():
    run("load_sample_content")
    assert run("load_sample_content") == [
        "Sample papers: 0 created, 0 updated, 5 already present.",
        "Sample summaries: 0 created, 0 updated, 5 already present.",
        "Sample votes: 0 cast, 9 already present.",
        "Sample comments: 0 created, 2 already present.",
    ]


def test_other_summaries_not_counted():
    SummaryFactory.create_batch(3)
    lines = run("load_sample_content")
    assert "Sample summaries: 5 created, 0 updated, 0 already present." in lines
    assert Summary.objects.count() == 8


def test_votes_only_on_sample_summaries():
    run("load_sample_content")
    other = SummaryFactory(author__username="ada")
    run("load_sample_content")
    assert other.votes.count() == 0


def test_demo_notebooks_first_run_and_rerun():
    run("load_sample_content")
    assert run("load_demo_notebooks") == [
        "Demo notebooks: 2 attached, 0 updated, 0 already up to date, 0 skipped."
    ]
    assert run("load_demo_notebooks") == [
        "Demo notebooks: 0 attached, 0 updated, 2 already up to date, 0 skipped."
    ]
    assert Demo.objects.count() == 2


def test_demo_notebooks_skip_missing_papers():
    lines = run("load_demo_notebooks")
    assert lines[-1] == (
        "Demo notebooks: 0 attached, 0 updated, 0 already up to date, 2 skipped."
    )
