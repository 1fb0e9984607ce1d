import threading

import pytest
from django.db import close_old_connections

from accounts.tests.factories import UserFactory
from papers.tests.factories import PaperFactory
from shortscience.exceptions import ServiceError
from summaries import services
from summaries.models import Summary, SummaryRevision, Vote
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db


def test_create_summary_renders_and_records_revision():
    paper = PaperFactory()
    author = UserFactory()

    summary = services.create_summary(paper=paper, author=author, source="Hello *x*")

    assert "<em>x</em>" in summary.html
    assert summary.version == 1
    assert list(summary.revisions.values_list("number", "source")) == [(1, "Hello *x*")]


def test_create_summary_twice_for_same_paper_conflicts():
    summary = SummaryFactory()

    with pytest.raises(ServiceError) as raised:
        services.create_summary(
            paper=summary.paper, author=summary.author, source="Second"
        )

    assert raised.value.code == "conflict"


@pytest.mark.parametrize("source", ["", "   \n\t "])
def test_create_summary_rejects_empty_source(source):
    with pytest.raises(ServiceError) as raised:
        services.create_summary(
            paper=PaperFactory(), author=UserFactory(), source=source
        )

    assert raised.value.field == "source"


def test_create_summary_rejects_source_over_limit(settings):
    settings.SUMMARY_MAX_BYTES = 1000

    with pytest.raises(ServiceError) as raised:
        services.create_summary(
            paper=PaperFactory(), author=UserFactory(), source="é" * 501
        )

    assert raised.value.field == "source"
    assert Summary.objects.count() == 0


def test_update_summary_keeps_every_revision():
    summary = SummaryFactory(source="one")

    summary = services.update_summary(
        summary=summary,
        editor=summary.author,
        source="two",
        private=False,
        anonymous=False,
        base_version=1,
    )
    summary = services.update_summary(
        summary=summary,
        editor=summary.author,
        source="three",
        private=False,
        anonymous=False,
        base_version=2,
    )

    assert summary.version == 3
    assert summary.source == "three"
    revisions = SummaryRevision.objects.filter(summary=summary).order_by("number")
    assert [revision.source for revision in revisions] == ["one", "two", "three"]


def test_update_summary_flags_only_adds_no_revision():
    summary = SummaryFactory(source="same")

    summary = services.update_summary(
        summary=summary,
        editor=summary.author,
        source="same",
        private=True,
        anonymous=True,
        base_version=1,
    )

    assert summary.private
    assert summary.version == 1
    assert summary.revisions.count() == 1


def test_update_summary_from_stale_version_conflicts():
    summary = SummaryFactory(source="base")
    services.update_summary(
        summary=summary,
        editor=summary.author,
        source="first editor",
        private=False,
        anonymous=False,
        base_version=1,
    )

    with pytest.raises(ServiceError) as raised:
        services.update_summary(
            summary=summary,
            editor=summary.author,
            source="second editor",
            private=False,
            anonymous=False,
            base_version=1,
        )

    assert raised.value.code == "conflict"
    assert Summary.objects.get(pk=summary.pk).source == "first editor"


def test_update_summary_by_other_member_is_forbidden():
    summary = SummaryFactory()

    with pytest.raises(ServiceError) as raised:
        services.update_summary(
            summary=summary,
            editor=UserFactory(),
            source="taken over",
            private=False,
            anonymous=False,
            base_version=1,
        )

    assert raised.value.code == "forbidden"


def test_delete_summary_by_other_member_is_forbidden():
    summary = SummaryFactory()

    with pytest.raises(ServiceError):
        services.delete_summary(summary=summary, user=UserFactory())

    assert Summary.objects.filter(pk=summary.pk).exists()


def test_delete_summary_by_staff_is_allowed():
    summary = SummaryFactory()

    services.delete_summary(summary=summary, user=UserFactory(is_staff=True))

    assert not Summary.objects.filter(pk=summary.pk).exists()


def test_vote_change_and_remove_keep_score_exact():
    summary = SummaryFactory()
    voter = UserFactory()

    assert services.cast_vote(summary=summary, user=voter, value=1) == 1
    assert services.cast_vote(summary=summary, user=voter, value=-1) == -1
    assert services.cast_vote(summary=summary, user=voter, value=None) == 0
    assert Summary.objects.get(pk=summary.pk).score == 0
    assert Vote.objects.count() == 0


def test_vote_on_own_summary_is_forbidden():
    summary = SummaryFactory()

    with pytest.raises(ServiceError) as raised:
        services.cast_vote(summary=summary, user=summary.author, value=1)

    assert raised.value.code == "forbidden"


@pytest.mark.parametrize("value", [0, 2, -2, "1"])
def test_vote_rejects_other_values(value):
    with pytest.raises(ServiceError):
        services.cast_vote(summary=SummaryFactory(), user=UserFactory(), value=value)


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_leave_exact_score():
    summary = SummaryFactory()
    voters = [UserFactory() for _ in range(12)]
    errors = []

    def vote(user, value):
        try:
            services.cast_vote(summary=summary, user=user, value=value)
        except Exception as error:
            errors.append(error)
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=vote, args=(user, 1 if index % 3 else -1))
        for index, user in enumerate(voters)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    expected = sum(1 if index % 3 else -1 for index in range(len(voters)))
    assert Summary.objects.get(pk=summary.pk).score == expected
