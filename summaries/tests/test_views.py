from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from comments.tests.factories import CommentFactory
from papers.tests.factories import PaperFactory
from shortscience.tests.pages import body_attributes, draft_forms
from summaries import services
from summaries.models import Summary, Vote
from summaries.services import popularity_of
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db


def test_home_lists_summary_with_paper_and_counts(client):
    summary = SummaryFactory(paper__title="Deep Things", score=3)
    CommentFactory(summary=summary)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Deep Things" in response.text
    assert "1 comment" in response.text


@pytest.mark.parametrize("tab", ["popular", "recent", "top", "bogus"])
def test_home_tabs_answer(client, tab):
    SummaryFactory()

    response = client.get(reverse("home"), {"tab": tab})

    assert response.status_code == 200


def test_home_top_orders_by_score(client):
    SummaryFactory(paper__title="Low", score=1)
    SummaryFactory(paper__title="High", score=9)

    response = client.get(reverse("home"), {"tab": "top"})

    assert response.text.index("High") < response.text.index("Low")


def test_home_popular_prefers_recent_activity(client):
    quiet = SummaryFactory(paper__title="Quiet")
    Summary.objects.filter(pk=quiet.pk).update(
        popularity=popularity_of(
            score=5,
            comment_count=0,
            active_at=timezone.now() - timedelta(days=3),
        )
    )
    busy = SummaryFactory(paper__title="Busy")
    services.cast_vote(summary=busy, user=UserFactory(), value=1)

    response = client.get(reverse("home"), {"tab": "popular"})

    assert response.text.index("Busy") < response.text.index("Quiet")


def test_home_paginates(client):
    SummaryFactory.create_batch(21)

    first = client.get(reverse("home"), {"tab": "recent"})
    second = client.get(reverse("home"), {"tab": "recent", "page": 2})

    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 1


def test_summary_page_shows_html_and_history_link(client):
    summary = SummaryFactory(source="Some **bold** claim")

    response = client.get(summary.get_absolute_url())

    assert "<strong>bold</strong>" in response.text
    assert reverse("summaries:history", args=[summary.pk]) in response.text


def test_create_summary_publishes(client):
    paper = PaperFactory()
    member = UserFactory()
    client.force_login(member)

    response = client.post(
        reverse("summaries:create") + f"?paper={paper.bibtex_key}",
        {"source": "My *summary*"},
    )

    summary = Summary.objects.get(paper=paper, author=member)
    assert response.status_code == 302
    assert response["Location"] == summary.get_absolute_url()


def test_create_summary_requires_login(client):
    paper = PaperFactory()

    response = client.get(reverse("summaries:create") + f"?paper={paper.bibtex_key}")

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_create_summary_over_limit_keeps_text(client, settings):
    settings.SUMMARY_MAX_BYTES = 2000
    paper = PaperFactory()
    client.force_login(UserFactory())
    typed = "Keep me: $x$ " + "long text " * 300

    response = client.post(
        reverse("summaries:create") + f"?paper={paper.bibtex_key}",
        {"source": typed, "anonymous": "on"},
    )

    assert response.status_code == 400
    assert "KB" in response.text
    assert response.context["form"]["source"].value() == typed
    assert response.context["form"]["anonymous"].value() is True
    assert not Summary.objects.exists()


def test_create_summary_with_oversized_formula_is_form_error(client):
    paper = PaperFactory()
    client.force_login(UserFactory())
    typed = "Before $" + "x+" * 6000 + "x$ after"

    response = client.post(
        reverse("summaries:create") + f"?paper={paper.bibtex_key}",
        {"source": typed},
    )

    assert response.status_code == 400
    assert response.context["form"]["source"].value() == typed
    assert response.context["form"].errors["source"]


def test_create_summary_for_unknown_paper_is_404(client):
    client.force_login(UserFactory())

    response = client.get(reverse("summaries:create") + "?paper=no/such/key")

    assert response.status_code == 404


def test_create_when_summary_exists_redirects_to_edit(client):
    summary = SummaryFactory()
    client.force_login(summary.author)

    response = client.get(
        reverse("summaries:create") + f"?paper={summary.paper.bibtex_key}"
    )

    assert response["Location"] == reverse("summaries:edit", args=[summary.pk])


def test_edit_summary_saves_new_revision(client):
    summary = SummaryFactory(source="old text")
    client.force_login(summary.author)

    response = client.post(
        reverse("summaries:edit", args=[summary.pk]),
        {"source": "new text", "base_version": 1},
    )

    summary.refresh_from_db()
    assert response.status_code == 302
    assert summary.source == "new text"
    assert summary.version == 2


def test_edit_conflict_keeps_text_and_shows_current(client):
    summary = SummaryFactory(source="base")
    client.force_login(summary.author)
    client.post(
        reverse("summaries:edit", args=[summary.pk]),
        {"source": "saved in another tab", "base_version": 1},
    )

    response = client.post(
        reverse("summaries:edit", args=[summary.pk]),
        {"source": "my stale edit", "base_version": 1},
    )

    assert response.status_code == 409
    assert response.context["form"]["source"].value() == "my stale edit"
    assert "saved in another tab" in response.text
    assert response.context["form"]["base_version"].value() == 2
    assert "Your text is kept in the editor" in response.text


def test_edit_by_other_member_is_forbidden(client):
    summary = SummaryFactory()
    client.force_login(UserFactory())

    response = client.get(reverse("summaries:edit", args=[summary.pk]))

    assert response.status_code == 403


def test_delete_summary_by_author(client):
    summary = SummaryFactory()
    client.force_login(summary.author)

    response = client.post(reverse("summaries:delete", args=[summary.pk]))

    assert response.status_code == 302
    assert not Summary.objects.filter(pk=summary.pk).exists()


def test_delete_summary_by_other_member_is_forbidden(client):
    summary = SummaryFactory()
    client.force_login(UserFactory())

    response = client.post(reverse("summaries:delete", args=[summary.pk]))

    assert response.status_code == 403
    assert Summary.objects.filter(pk=summary.pk).exists()


def test_history_shows_diff_between_revisions(client):
    summary = SummaryFactory(source="first words")
    client.force_login(summary.author)
    client.post(
        reverse("summaries:edit", args=[summary.pk]),
        {"source": "second words", "base_version": 1},
    )

    response = client.get(
        reverse("summaries:history", args=[summary.pk]), {"old": 1, "new": 2}
    )

    assert "<del>first</del>" in response.text
    assert "<ins>second</ins>" in response.text


@pytest.mark.parametrize("query", [{"old": "x"}, {"old": 1, "new": 9}])
def test_history_rejects_bad_revision_numbers(client, query):
    summary = SummaryFactory()

    response = client.get(reverse("summaries:history", args=[summary.pk]), query)

    assert response.status_code == 400


def test_history_escapes_source(client):
    summary = SummaryFactory(source="<script>alert(1)</script>")

    response = client.get(reverse("summaries:history", args=[summary.pk]))

    assert "<script>alert(1)" not in response.text


def test_vote_up_then_remove(client):
    summary = SummaryFactory()
    voter = UserFactory()
    client.force_login(voter)
    url = reverse("summaries:vote", args=[summary.pk])

    client.post(url, {"value": "1"})
    summary.refresh_from_db()
    assert summary.score == 1

    client.post(url, {"value": "0"})
    summary.refresh_from_db()
    assert summary.score == 0
    assert not Vote.objects.exists()


def test_vote_with_bad_value_is_400(client):
    summary = SummaryFactory()
    client.force_login(UserFactory())

    response = client.post(reverse("summaries:vote", args=[summary.pk]), {"value": "5"})

    assert response.status_code == 400


def test_vote_redirect_ignores_foreign_next(client):
    summary = SummaryFactory()
    client.force_login(UserFactory())

    response = client.post(
        reverse("summaries:vote", args=[summary.pk]),
        {"value": "1", "next": "https://elsewhere.example/"},
    )

    assert response["Location"] == summary.get_absolute_url()


def test_preview_renders_markdown(client):
    client.force_login(UserFactory())

    response = client.post(reverse("summaries:preview"), {"source": "*hi* $x$"})

    assert response.status_code == 200
    assert "<em>hi</em>" in response.text
    assert "<math" in response.text


def test_preview_over_limit_is_400_with_message(client, settings):
    settings.SUMMARY_MAX_BYTES = 100
    client.force_login(UserFactory())

    response = client.post(reverse("summaries:preview"), {"source": "x" * 200})

    assert response.status_code == 400
    assert "KB" in response.text


def log_in_with_form(client, user, next_url):
    """Log in through the login page and return its redirect."""
    return client.post(
        reverse("login"),
        {
            "username": user.username,
            "password": "correct-horse-battery",
            "next": next_url,
        },
    )


def test_edit_after_session_ended_returns_to_form(client):
    summary = SummaryFactory(source="saved text")
    edit_url = reverse("summaries:edit", args=[summary.pk])

    response = client.post(edit_url, {"source": "typed text", "base_version": 1})
    login_url = response["Location"]
    next_url = client.get(login_url).context["next"]
    back = log_in_with_form(client, summary.author, next_url)
    form_page = client.get(back["Location"])

    assert response.status_code == 302
    assert login_url == f"{reverse('login')}?next={edit_url}"
    assert back["Location"] == edit_url
    assert form_page.status_code == 200
    assert edit_url in draft_forms(form_page.text)
    summary.refresh_from_db()
    assert summary.source == "saved text"


def test_create_after_session_ended_returns_to_form(client):
    paper = PaperFactory()
    member = UserFactory()
    create_url = reverse("summaries:create") + f"?paper={paper.bibtex_key}"

    response = client.post(create_url, {"source": "typed text"})
    next_url = client.get(response["Location"]).context["next"]
    back = log_in_with_form(client, member, next_url)
    form_page = client.get(back["Location"])

    assert back["Location"] == create_url
    assert create_url in draft_forms(form_page.text)
    assert not Summary.objects.exists()


def test_summary_form_marks_draft_limit_and_base(client, settings):
    settings.SUMMARY_MAX_BYTES = 5000
    summary = SummaryFactory()
    client.force_login(summary.author)
    edit_url = reverse("summaries:edit", args=[summary.pk])

    response = client.get(edit_url)

    form = draft_forms(response.text)[edit_url]
    assert form["data-draft-noun"] == "summary"
    assert form["data-draft-max-bytes"] == "5000"
    assert "data-draft-posted" not in form
    assert 'name="base_version" value="1" data-draft-base' in response.text


def test_saved_edit_names_its_draft_on_next_page(client):
    summary = SummaryFactory()
    client.force_login(summary.author)
    edit_url = reverse("summaries:edit", args=[summary.pk])

    client.post(edit_url, {"source": "new text", "base_version": 1})
    next_page = client.get(summary.get_absolute_url())
    later_page = client.get(summary.get_absolute_url())

    assert body_attributes(next_page.text)["data-saved-drafts"] == f'["{edit_url}"]'
    assert "data-saved-drafts" not in body_attributes(later_page.text)


def test_published_summary_names_its_draft(client):
    paper = PaperFactory()
    client.force_login(UserFactory())
    create_url = reverse("summaries:create") + f"?paper={paper.bibtex_key}"

    response = client.post(create_url, {"source": "My summary"}, follow=True)

    saved = body_attributes(response.text)["data-saved-drafts"]
    assert saved == f'["{create_url}"]'


def test_failed_edit_keeps_draft(client, settings):
    settings.SUMMARY_MAX_BYTES = 20
    summary = SummaryFactory()
    client.force_login(summary.author)
    edit_url = reverse("summaries:edit", args=[summary.pk])
    typed = "far too long for the limit"

    response = client.post(edit_url, {"source": typed, "base_version": 1})
    next_page = client.get(summary.get_absolute_url())

    assert response.status_code == 400
    assert "data-draft-posted" in draft_forms(response.text)[edit_url]
    assert typed in response.text
    assert "data-saved-drafts" not in body_attributes(next_page.text)


def test_pages_name_member_for_drafts(client):
    summary = SummaryFactory()

    visitor_page = client.get(summary.get_absolute_url())
    client.force_login(summary.author)
    member_page = client.get(summary.get_absolute_url())

    assert "data-user-id" not in body_attributes(visitor_page.text)
    assert body_attributes(member_page.text)["data-user-id"] == str(summary.author.pk)
