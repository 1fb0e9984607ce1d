import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from comments.models import Comment
from comments.tests.factories import CommentFactory
from shortscience.tests.pages import body_attributes, draft_forms
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db


def test_post_comment_redirects_to_it(client):
    summary = SummaryFactory()
    client.force_login(UserFactory())

    response = client.post(
        reverse("comments:create", args=[summary.pk]), {"source": "Nice"}
    )

    comment = Comment.objects.get()
    assert response["Location"] == comment.get_absolute_url()


def test_reply_shows_indented_under_parent(client):
    parent = CommentFactory(source="parent text")
    client.force_login(UserFactory())
    client.post(
        reverse("comments:create", args=[parent.summary_id]),
        {"source": "child text", "parent": parent.pk},
    )

    response = client.get(parent.summary.get_absolute_url())

    assert response.text.index("parent text") < response.text.index("child text")
    assert 'class="comment depth-1"' in response.text


def test_comment_over_limit_keeps_text(client, settings):
    settings.COMMENT_MAX_BYTES = 50
    summary = SummaryFactory()
    client.force_login(UserFactory())
    typed = "A long comment that will not fit " * 3

    response = client.post(
        reverse("comments:create", args=[summary.pk]), {"source": typed}
    )

    assert response.status_code == 400
    assert response.context["comment_form"]["source"].value() == typed
    assert not Comment.objects.exists()


def test_reply_to_unknown_parent_keeps_text(client):
    summary = SummaryFactory()
    client.force_login(UserFactory())

    response = client.post(
        reverse("comments:create", args=[summary.pk]),
        {"source": "orphan reply", "parent": 999999},
    )

    assert response.status_code == 400
    assert "orphan reply" in response.text


def test_edit_comment_by_author(client):
    comment = CommentFactory(source="first")
    client.force_login(comment.author)

    client.post(reverse("comments:edit", args=[comment.pk]), {"source": "second"})

    comment.refresh_from_db()
    assert comment.source == "second"


def test_edit_comment_by_other_member_is_forbidden(client):
    comment = CommentFactory()
    client.force_login(UserFactory())

    response = client.post(reverse("comments:edit", args=[comment.pk]), {"source": "x"})

    assert response.status_code == 403


def test_deleted_comment_shows_placeholder_with_replies(client):
    parent = CommentFactory(source="to be removed")
    CommentFactory(summary=parent.summary, parent=parent, source="still here")
    client.force_login(parent.author)
    client.post(reverse("comments:delete", args=[parent.pk]))

    response = client.get(parent.summary.get_absolute_url())

    assert "to be removed" not in response.text
    assert "[deleted]" in response.text
    assert "still here" in response.text


def test_comment_html_is_sanitised(client):
    summary = SummaryFactory()
    client.force_login(UserFactory())
    client.post(
        reverse("comments:create", args=[summary.pk]),
        {"source": "[x](javascript:alert(1)) <script>alert(2)</script>"},
    )

    response = client.get(summary.get_absolute_url())

    assert 'href="javascript' not in response.text
    assert "<script>alert(2)" not in response.text


def test_failed_reply_reopens_under_its_parent(client, settings):
    settings.COMMENT_MAX_BYTES = 20
    parent = CommentFactory()
    client.force_login(UserFactory())
    typed = "This reply is far too long to fit"

    response = client.post(
        reverse("comments:create", args=[parent.summary_id]),
        {"source": typed, "parent": parent.pk},
    )

    assert response.status_code == 400
    assert f'<textarea id="reply-{parent.pk}"' in response.text
    section = response.text.split(f'id="comment-{parent.pk}"')[1]
    assert "<details open>" in section.split("</details>")[0]
    assert typed in section.split("</details>")[0]


def test_comment_after_session_ended_returns_to_form(client):
    summary = SummaryFactory()
    member = UserFactory()
    create_url = reverse("comments:create", args=[summary.pk])

    response = client.post(create_url, {"source": "typed comment"})
    next_url = client.get(response["Location"]).context["next"]
    back = client.post(
        reverse("login"),
        {
            "username": member.username,
            "password": "correct-horse-battery",
            "next": next_url,
        },
    )
    summary_page = client.get(back["Location"])

    assert response.status_code == 302
    assert next_url == f"{summary.get_absolute_url()}#comment-form"
    assert back["Location"] == next_url
    assert summary_page.status_code == 200
    assert create_url in draft_forms(summary_page.text)
    assert not Comment.objects.exists()


def test_reply_after_session_ended_returns_to_parent(client):
    parent = CommentFactory()

    response = client.post(
        reverse("comments:create", args=[parent.summary_id]),
        {"source": "typed reply", "parent": str(parent.pk)},
    )

    next_url = client.get(response["Location"]).context["next"]
    assert next_url == f"{parent.summary.get_absolute_url()}#comment-{parent.pk}"


def test_comment_session_ended_ignores_bad_parent(client):
    summary = SummaryFactory()

    response = client.post(
        reverse("comments:create", args=[summary.pk]),
        {"source": "typed reply", "parent": "x#y"},
    )

    next_url = client.get(response["Location"]).context["next"]
    assert next_url == f"{summary.get_absolute_url()}#comment-form"


def test_comment_forms_mark_draft_addresses(client, settings):
    settings.COMMENT_MAX_BYTES = 3000
    parent = CommentFactory()
    client.force_login(UserFactory())
    create_url = reverse("comments:create", args=[parent.summary_id])

    response = client.get(parent.summary.get_absolute_url())

    forms = draft_forms(response.text)
    assert forms[create_url]["data-draft-noun"] == "comment"
    assert forms[create_url]["data-draft-max-bytes"] == "3000"
    reply = forms[f"{create_url}?parent={parent.pk}"]
    assert reply["data-draft-noun"] == "reply"
    assert reply["data-draft-max-bytes"] == "3000"


def test_posted_comment_names_its_draft(client):
    summary = SummaryFactory()
    client.force_login(UserFactory())
    create_url = reverse("comments:create", args=[summary.pk])

    response = client.post(create_url, {"source": "Nice"}, follow=True)

    assert body_attributes(response.text)["data-saved-drafts"] == f'["{create_url}"]'


def test_posted_reply_names_its_draft(client):
    parent = CommentFactory()
    client.force_login(UserFactory())
    create_url = reverse("comments:create", args=[parent.summary_id])

    response = client.post(
        create_url, {"source": "A reply", "parent": parent.pk}, follow=True
    )

    saved = body_attributes(response.text)["data-saved-drafts"]
    assert saved == f'["{create_url}?parent={parent.pk}"]'


def test_failed_reply_keeps_draft(client, settings):
    settings.COMMENT_MAX_BYTES = 5
    parent = CommentFactory()
    client.force_login(UserFactory())
    create_url = reverse("comments:create", args=[parent.summary_id])

    response = client.post(create_url, {"source": "too long", "parent": parent.pk})
    next_page = client.get(parent.summary.get_absolute_url())

    forms = draft_forms(response.text)
    assert "data-draft-posted" in forms[f"{create_url}?parent={parent.pk}"]
    assert "data-draft-posted" not in forms[create_url]
    assert "data-saved-drafts" not in body_attributes(next_page.text)


def test_edited_comment_names_its_draft(client):
    comment = CommentFactory()
    client.force_login(comment.author)
    edit_url = reverse("comments:edit", args=[comment.pk])

    form_page = client.get(edit_url)
    response = client.post(edit_url, {"source": "Edited"}, follow=True)

    assert draft_forms(form_page.text)[edit_url]["data-draft-noun"] == "comment"
    assert body_attributes(response.text)["data-saved-drafts"] == f'["{edit_url}"]'
