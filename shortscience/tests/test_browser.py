"""End-to-end checks in a real headless Chromium against a live server."""

from accounts.tests.factories import UserFactory
from comments.tests.factories import CommentFactory
from papers.tests.factories import PaperFactory
from shortscience.tests.browser import BROWSER_MARKS, log_in
from summaries.models import Summary
from summaries.tests.factories import SummaryFactory

pytestmark = BROWSER_MARKS


def test_write_summary_with_live_preview(page):
    paper = PaperFactory(title="A Paper To Summarise")
    member = UserFactory(username="writer")
    log_in(page, member.username)

    page.goto(paper.get_absolute_url())
    page.click("text=Write a summary")
    page.fill("#id_source", "The loss is $\\mathcal{L}(\\theta)$ and **bold**.")
    page.wait_for_selector("#summary-preview math")
    preview_html = page.inner_html("#summary-preview")
    page.click("button:has-text('Publish')")
    page.wait_for_selector(".summary-text math")

    assert "<strong>bold</strong>" in preview_html
    assert Summary.objects.get(author=member).source.startswith("The loss")


def test_visibility_checkboxes_sit_beside_their_labels(page):
    paper = PaperFactory()
    member = UserFactory(username="checker")
    log_in(page, member.username)
    page.goto(f"/summaries/new/?paper={paper.bibtex_key}")

    for name in ("private", "anonymous"):
        box = page.locator(f"#id_{name}").bounding_box()
        label = page.locator(f"label[for=id_{name}]").bounding_box()
        assert box["x"] < label["x"], name
        assert (
            abs(box["y"] + box["height"] / 2 - (label["y"] + label["height"] / 2)) < 10
        )

    page.fill("#id_source", "Private notes")
    page.click("label[for=id_private]")
    page.click("button:has-text('Publish')")
    page.wait_for_selector(".badge-private")

    summary = Summary.objects.get(author=member)
    assert summary.private
    assert not summary.anonymous


def test_vote_button_changes_score(page):
    summary = SummaryFactory()
    voter = UserFactory(username="voter")
    log_in(page, voter.username)

    page.goto(summary.get_absolute_url())
    page.click("button[aria-label='Vote up']")
    page.wait_for_selector("button[aria-label='Vote up'][aria-pressed='true']")

    assert page.inner_text(".summary .score").strip() == "1"


def test_reply_to_comment(page):
    comment = CommentFactory(source="First thoughts")
    replier = UserFactory(username="replier")
    log_in(page, replier.username)

    page.goto(comment.summary.get_absolute_url())
    page.click(f"#comment-{comment.pk} summary:has-text('Reply')")
    page.fill(f"#reply-{comment.pk}", "A reply with $x^2$")
    page.click(f"#comment-{comment.pk} button:has-text('Post reply')")
    page.wait_for_selector(".comment.depth-1 math")

    assert "A reply with" in page.inner_text(".comment.depth-1")


def test_api_docs_list_operations_under_csp(page):
    console = []
    page.on("console", lambda message: console.append(message))

    page.goto("/api/docs/")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()

    assert "/api/v1/papers/" in paths
    assert "/api/v1/summaries/{id}/" in paths
    violations = [
        message.text for message in console if "Content Security Policy" in message.text
    ]
    assert violations == []
