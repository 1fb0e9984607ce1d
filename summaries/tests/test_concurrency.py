"""Concurrent votes and edits on one summary, each thread on its own connection.

``make test`` runs these on SQLite and on PostgreSQL; on PostgreSQL the
threads really overlap inside their transactions.
"""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from shortscience.exceptions import ServiceError
from summaries import services
from summaries.models import Summary, SummaryRevision, Vote
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db(transaction=True)

VOTERS = 16


def run_together(functions) -> list:
    """Run each function in its own thread, started at once; return results.

    A result is the function's return value or the exception it raised.
    """
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait(timeout=30)
            results[index] = function()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, function))
        for index, function in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def vote(summary, user, value):
    return lambda: services.cast_vote(summary=summary, user=user, value=value)


def test_simultaneous_votes_exact_score():
    summary = SummaryFactory()
    voters = [UserFactory() for _ in range(VOTERS)]
    values = [1 if index % 4 else -1 for index in range(VOTERS)]

    results = run_together(
        [vote(summary, u, v) for u, v in zip(voters, values, strict=True)]
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    assert Summary.objects.get(pk=summary.pk).score == sum(values)
    assert Vote.objects.filter(summary=summary).count() == VOTERS


def test_simultaneous_vote_changes_exact_score():
    summary = SummaryFactory()
    voters = [UserFactory() for _ in range(VOTERS)]
    for voter in voters:
        services.cast_vote(summary=summary, user=voter, value=1)
    # Half flip to -1, half withdraw their vote.
    changes = [-1 if index % 2 else None for index in range(VOTERS)]

    results = run_together(
        [vote(summary, u, v) for u, v in zip(voters, changes, strict=True)]
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    assert Summary.objects.get(pk=summary.pk).score == -(VOTERS // 2)
    assert Vote.objects.filter(summary=summary).count() == VOTERS // 2


def edit(summary, source):
    return lambda: services.update_summary(
        summary=summary,
        editor=summary.author,
        source=source,
        private=False,
        anonymous=False,
        base_version=1,
    )


def test_simultaneous_edits_one_conflicts():
    summary = SummaryFactory(source="base")

    results = run_together([edit(summary, "edit A"), edit(summary, "edit B")])

    conflicts = [r for r in results if isinstance(r, ServiceError)]
    saved = [r for r in results if isinstance(r, Summary)]
    assert len(conflicts) == 1
    assert conflicts[0].code == "conflict"
    assert len(saved) == 1
    current = Summary.objects.get(pk=summary.pk)
    assert current.source == saved[0].source
    assert current.version == 2
    assert SummaryRevision.objects.filter(summary=summary).count() == 2


def post_edit(summary, source):
    def post():
        client = Client()
        client.force_login(summary.author)
        return client.post(
            reverse("summaries:edit", args=[summary.pk]),
            {"source": source, "base_version": 1},
        )

    return post


def test_simultaneous_page_edits_keep_loser_text():
    summary = SummaryFactory(source="base")

    responses = run_together(
        [post_edit(summary, "typed in tab A"), post_edit(summary, "typed in tab B")]
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302, 409]
    (loser,) = [r for r in responses if r.status_code == 409]
    (winner,) = [r for r in responses if r.status_code == 302]
    loser_text = loser.context["form"]["source"].value()
    current = Summary.objects.get(pk=summary.pk)
    assert loser_text in {"typed in tab A", "typed in tab B"}
    assert current.source != loser_text
    assert current.source in loser.text
    assert loser.context["form"]["base_version"].value() == 2
    assert winner["Location"] == summary.get_absolute_url()
