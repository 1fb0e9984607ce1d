"""The summary endpoints: read, write with versions, delete, vote, history."""

import pytest

from accounts.tests.factories import UserFactory
from papers.tests.factories import PaperFactory
from summaries.models import Summary, SummaryRevision, Vote
from summaries.tests.factories import SummaryFactory, VoteFactory

pytestmark = pytest.mark.django_db


def summary_path(summary, suffix="") -> str:
    return f"/api/v1/summaries/{summary.pk}/{suffix}"


def test_detail_has_source_html_and_mathml(api_client):
    summary = SummaryFactory(source="Loss $x_{i}^2$ here.")

    data = api_client.get(summary_path(summary)).json()

    assert data["source"] == "Loss $x_{i}^2$ here."
    assert "<math" in data["html"]
    assert data["paper"]["bibtex_key"] == summary.paper.bibtex_key


def test_detail_links_related_resources(api_client):
    summary = SummaryFactory()

    data = api_client.get(summary_path(summary)).json()

    base = f"http://testserver/api/v1/summaries/{summary.pk}/"
    assert data["url"] == base
    assert data["revisions_url"] == base + "revisions/"
    assert data["comments_url"] == base + "comments/"
    assert data["vote_url"] == base + "vote/"
    assert data["author"]["url"].endswith(f"/api/v1/users/{summary.author.username}/")


def test_list_filters_by_paper(api_client):
    paper = PaperFactory(bibtex_key="conf/a/B1")
    SummaryFactory(paper=paper)
    SummaryFactory()

    response = api_client.get("/api/v1/summaries/", {"paper": "conf/a/B1"})

    assert [s["paper"]["bibtex_key"] for s in response.json()["results"]] == [
        "conf/a/B1"
    ]


def test_author_filter_skips_anonymous(api_client):
    writer = UserFactory(username="writer")
    SummaryFactory(author=writer)
    SummaryFactory(author=writer, anonymous=True)

    response = api_client.get("/api/v1/summaries/", {"author": "writer"})

    assert len(response.json()["results"]) == 1


def test_author_filter_shows_own_anonymous(token_client, member):
    SummaryFactory(author=member, anonymous=True)

    response = token_client.get("/api/v1/summaries/", {"author": member.username})

    assert len(response.json()["results"]) == 1


def test_list_ordering_by_score(api_client):
    low = SummaryFactory(score=1)
    high = SummaryFactory(score=5)

    response = api_client.get("/api/v1/summaries/", {"ordering": "-score"})

    assert [s["id"] for s in response.json()["results"]] == [high.pk, low.pk]


def test_create_summary(token_client, member):
    paper = PaperFactory(bibtex_key="10.1000/0123-4567(99)00001-2")

    response = token_client.post(
        "/api/v1/summaries/",
        {"paper": paper.bibtex_key, "source": "Short **summary** with $a+b$."},
        format="json",
    )

    assert response.status_code == 201
    data = response.json()
    assert data["author"]["username"] == member.username
    assert data["version"] == 1
    assert "<strong>summary</strong>" in data["html"]
    assert response["Location"] == data["url"]


def test_create_for_missing_paper_is_400(token_client):
    response = token_client.post(
        "/api/v1/summaries/", {"paper": "no/such", "source": "Text"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "paper"


def test_create_twice_is_409(token_client, member):
    summary = SummaryFactory(author=member)

    response = token_client.post(
        "/api/v1/summaries/",
        {"paper": summary.paper.bibtex_key, "source": "Again"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"source": "Text"}, "paper"),
        ({"paper": "k"}, "source"),
        ({"paper": "k", "source": "   "}, "source"),
        ({"paper": "k", "source": "T", "private": "perhaps"}, "private"),
    ],
)
def test_create_bad_body_names_field(token_client, body, field):
    PaperFactory(bibtex_key="k")

    response = token_client.post("/api/v1/summaries/", body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_create_over_limit_is_400(token_client, settings):
    settings.SUMMARY_MAX_BYTES = 100
    PaperFactory(bibtex_key="k")

    response = token_client.post(
        "/api/v1/summaries/", {"paper": "k", "source": "x" * 200}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "source"


def test_create_needs_authentication(api_client):
    PaperFactory(bibtex_key="k")

    response = api_client.post(
        "/api/v1/summaries/", {"paper": "k", "source": "Text"}, format="json"
    )

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_create_rejects_form_encoding(token_client):
    response = token_client.post(
        "/api/v1/summaries/", {"paper": "k", "source": "T"}, format="multipart"
    )

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_update_with_current_version(token_client, member):
    summary = SummaryFactory(author=member, source="Old text.")

    response = token_client.patch(
        summary_path(summary),
        {"source": "New text.", "base_version": 1},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["source"] == "New text."


def test_update_with_stale_version_is_409(token_client, member):
    summary = SummaryFactory(author=member, source="Old text.")
    token_client.patch(
        summary_path(summary),
        {"source": "First edit.", "base_version": 1},
        format="json",
    )

    response = token_client.patch(
        summary_path(summary),
        {"source": "Second edit.", "base_version": 1},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "source"
    assert Summary.objects.get(pk=summary.pk).source == "First edit."


def test_stale_version_message_says_how_to_resend(token_client, member):
    summary = SummaryFactory(author=member, source="Old text.")
    token_client.patch(
        summary_path(summary), {"source": "First edit.", "base_version": 1}
    )

    response = token_client.patch(
        summary_path(summary), {"source": "Second edit.", "base_version": 1}
    )

    message = response.json()["message"]
    assert "editor" not in message
    assert "now at version 2" in message
    assert f"GET /api/v1/summaries/{summary.pk}/" in message
    assert '"base_version": 2' in message
    assert response.json()["errors"][0]["message"] == message


def test_update_needs_base_version(token_client, member):
    summary = SummaryFactory(author=member)

    response = token_client.patch(summary_path(summary), {"source": "X"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "base_version"


def test_put_needs_every_field(token_client, member):
    summary = SummaryFactory(author=member)

    response = token_client.put(
        summary_path(summary), {"source": "X", "base_version": 1}, format="json"
    )

    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"private", "anonymous"}


def test_put_replaces_settings(token_client, member):
    summary = SummaryFactory(author=member)

    response = token_client.put(
        summary_path(summary),
        {"source": "X", "private": True, "anonymous": True, "base_version": 1},
        format="json",
    )

    assert response.json()["private"] is True
    assert response.json()["anonymous"] is True


def test_update_by_other_member_is_403(token_client):
    summary = SummaryFactory()

    response = token_client.patch(
        summary_path(summary), {"source": "Mine now", "base_version": 1}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_delete_by_author(token_client, member):
    summary = SummaryFactory(author=member)

    response = token_client.delete(summary_path(summary))

    assert response.status_code == 204
    assert not Summary.objects.filter(pk=summary.pk).exists()


def test_delete_by_other_member_is_403(token_client):
    summary = SummaryFactory()

    response = token_client.delete(summary_path(summary))

    assert response.status_code == 403
    assert Summary.objects.filter(pk=summary.pk).exists()


@pytest.mark.parametrize(("value", "score"), [(1, 1), (-1, -1)])
def test_vote_sets_value(token_client, value, score):
    summary = SummaryFactory()

    response = token_client.put(summary_path(summary, "vote/"), {"value": value})

    assert response.status_code == 200
    assert response.json() == {"value": value, "score": score}


def test_vote_changes_value(token_client, member):
    summary = SummaryFactory()
    VoteFactory(summary=summary, user=member, value=Vote.UP)
    summary.score = 1
    summary.save()

    response = token_client.put(summary_path(summary, "vote/"), {"value": -1})

    assert response.json() == {"value": -1, "score": -1}


def test_vote_removed(token_client, member):
    summary = SummaryFactory()
    token_client.put(summary_path(summary, "vote/"), {"value": 1})

    response = token_client.delete(summary_path(summary, "vote/"))

    assert response.json() == {"value": None, "score": 0}
    assert not Vote.objects.filter(summary=summary).exists()


def test_vote_shown(token_client):
    summary = SummaryFactory()
    token_client.put(summary_path(summary, "vote/"), {"value": -1})

    vote = token_client.get(summary_path(summary, "vote/")).json()
    detail = token_client.get(summary_path(summary)).json()

    assert vote == {"value": -1, "score": -1}
    assert detail["viewer_vote"] == -1


@pytest.mark.parametrize("value", [0, 2, "up", None])
def test_vote_bad_value_is_400(token_client, value):
    summary = SummaryFactory()

    response = token_client.put(
        summary_path(summary, "vote/"), {"value": value}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "value"


def test_vote_on_own_summary_is_403(token_client, member):
    summary = SummaryFactory(author=member)

    response = token_client.put(summary_path(summary, "vote/"), {"value": 1})

    assert response.status_code == 403


def test_vote_needs_authentication(api_client):
    summary = SummaryFactory()

    response = api_client.get(summary_path(summary, "vote/"))

    assert response.status_code == 401


def edit(client, summary, *sources):
    for version, source in enumerate(sources, start=summary.version):
        client.patch(
            summary_path(summary),
            {"source": source, "base_version": version},
            format="json",
        )


def test_revisions_newest_first(token_client, member):
    summary = SummaryFactory(author=member, source="one")
    edit(token_client, summary, "two", "three")

    response = token_client.get(summary_path(summary, "revisions/"))

    revisions = response.json()["results"]
    assert [r["number"] for r in revisions] == [3, 2, 1]
    assert [r["source"] for r in revisions] == ["three", "two", "one"]
    assert revisions[0]["editor"]["username"] == member.username


def test_revision_detail(api_client):
    summary = SummaryFactory(source="first")

    response = api_client.get(summary_path(summary, "revisions/1/"))

    assert response.json()["source"] == "first"
    assert response.json()["url"].endswith(summary_path(summary, "revisions/1/"))


def test_missing_revision_is_404(api_client):
    summary = SummaryFactory()

    response = api_client.get(summary_path(summary, "revisions/9/"))

    assert response.status_code == 404


def test_revision_editor_hidden_when_anonymous(api_client):
    summary = SummaryFactory(anonymous=True)

    revisions = api_client.get(summary_path(summary, "revisions/")).json()["results"]

    assert revisions[0]["editor"] is None


def test_diff_marks_changed_words(token_client, member):
    summary = SummaryFactory(author=member, source="The cat sat.\nSame line.")
    edit(token_client, summary, "The dog sat.\nSame line.")

    diff = token_client.get(summary_path(summary, "diff/")).json()

    assert (diff["old"], diff["new"]) == (1, 2)
    first = diff["lines"][0]
    assert first["kind"] == "changed"
    assert {"kind": "removed", "text": "cat"} in first["segments"]
    assert {"kind": "added", "text": "dog"} in first["segments"]
    assert diff["lines"][1] == {
        "kind": "equal",
        "segments": [{"kind": "equal", "text": "Same line."}],
    }


def test_diff_of_chosen_revisions(token_client, member):
    summary = SummaryFactory(author=member, source="a")
    edit(token_client, summary, "b", "c")

    diff = token_client.get(summary_path(summary, "diff/"), {"old": 1, "new": 3}).json()

    assert (diff["old"], diff["new"]) == (1, 3)


@pytest.mark.parametrize("query", [{"old": 5}, {"new": 0}, {"old": "x"}])
def test_diff_unknown_revision_is_400(api_client, query):
    summary = SummaryFactory()

    response = api_client.get(summary_path(summary, "diff/"), query)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] in query


def test_anonymous_summary_hides_author(api_client):
    summary = SummaryFactory(anonymous=True)

    data = api_client.get(summary_path(summary)).json()

    assert data["author"] is None
    assert summary.author.username not in str(data)


def test_anonymous_summary_shown_to_its_author(token_client, member):
    summary = SummaryFactory(author=member, anonymous=True)

    data = token_client.get(summary_path(summary)).json()

    assert data["author"]["username"] == member.username


def test_revision_count_matches_saves(token_client, member):
    summary = SummaryFactory(author=member, source="a")
    edit(token_client, summary, "b")

    assert SummaryRevision.objects.filter(summary=summary).count() == 2
