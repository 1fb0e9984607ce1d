"""End-to-end checks of the text drafts that static/js/drafts.js keeps."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from comments.models import Comment
from comments.tests.factories import CommentFactory
from papers.tests.factories import PaperFactory
from shortscience.tests.browser import BROWSER_MARKS, PASSWORD, log_in
from summaries import services
from summaries.models import Summary
from summaries.tests.factories import SummaryFactory

pytestmark = BROWSER_MARKS

DRAFT_PREFIX = "shortscience:draft:"


@pytest.fixture
def console(context):
    """Collect console messages and uncaught errors of every page in ``context``."""
    messages = []
    context.on("console", lambda message: messages.append(message.text))
    context.on("weberror", lambda error: messages.append(f"Error: {error.error}"))
    return messages


def csp_violations(console):
    return [text for text in console if "Content Security Policy" in text]


def uncaught_errors(console):
    return [text for text in console if text.startswith("Error: ")]


def stored_drafts(page) -> dict[str, str]:
    """Return the text of each draft in the page's localStorage, by storage key."""
    return page.evaluate(
        """(prefix) => {
          const drafts = {};
          for (let i = 0; i < localStorage.length; i++) {
            const key = localStorage.key(i);
            if (key.startsWith(prefix)) {
              drafts[key] = JSON.parse(localStorage.getItem(key)).text;
            }
          }
          return drafts;
        }""",
        DRAFT_PREFIX,
    )


def draft_key(user, address):
    return f"{DRAFT_PREFIX}{user.pk}:{address}"


def wait_for_draft(page, user, address, text):
    """Wait until the debounced save has stored ``text`` as the form's draft."""
    page.wait_for_function(
        """([key, text]) => {
          const draft = JSON.parse(localStorage.getItem(key) || "null");
          return draft !== null && draft.text === text;
        }""",
        arg=[draft_key(user, address), text],
    )


def log_out(page):
    with page.expect_navigation():
        page.click("button:has-text('Log out')")


def test_edit_draft_survives_logout_in_other_page(context, page, console):
    summary = SummaryFactory(source="Saved text", author__username="editor")
    edit_url = reverse("summaries:edit", args=[summary.pk])
    typed = "Typed while the session ended, with $x^2$."
    log_in(page, "editor")
    page.goto(edit_url)
    page.fill("#id_source", typed)
    wait_for_draft(page, summary.author, edit_url, typed)

    other = context.new_page()
    other.goto("/")
    log_out(other)
    drafts_after_logout = stored_drafts(other)
    page.click("button:has-text('Save')")
    page.wait_for_url("**/accounts/login/**")
    login_notice = page.inner_text(".draft-notice")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{edit_url}")
    text_before_restore = page.input_value("#id_source")
    form_notice = page.inner_text(".summary-form .draft-notice")
    page.click("text=Restore draft")
    text_after_restore = page.input_value("#id_source")
    page.click("button:has-text('Save')")
    page.wait_for_url(f"**{summary.get_absolute_url()}")

    assert drafts_after_logout == {}
    assert "summary was not saved because you are not logged in" in login_notice
    assert text_before_restore == "Saved text"
    assert "unsaved draft of this summary" in form_notice
    assert "has changed" not in form_notice
    assert text_after_restore == typed
    summary.refresh_from_db()
    assert summary.source == typed
    assert stored_drafts(page) == {}
    assert csp_violations(console) == []
    assert uncaught_errors(console) == []


def test_draft_hidden_from_other_member(context, page, console):
    paper = PaperFactory()
    first = UserFactory(username="first")
    UserFactory(username="second")
    create_url = reverse("summaries:create") + f"?paper={paper.bibtex_key}"
    log_in(page, "first")
    page.goto(create_url)
    page.fill("#id_source", "The first member's words")
    wait_for_draft(page, first, create_url, "The first member's words")

    # The first member's session ends without a logout.
    context.clear_cookies(name="sessionid")
    log_in(page, "second")
    page.goto(create_url)
    notices_for_second = page.locator(".draft-notice").count()
    text_for_second = page.input_value("#id_source")
    log_out(page)
    log_in(page, "first")
    page.goto(create_url)
    page.click("text=Restore draft")

    assert notices_for_second == 0
    assert text_for_second == ""
    assert page.input_value("#id_source") == "The first member's words"
    assert csp_violations(console) == []
    assert uncaught_errors(console) == []


def test_discard_removes_draft(page, console):
    summary = SummaryFactory(source="Saved text", author__username="discarder")
    edit_url = reverse("summaries:edit", args=[summary.pk])
    log_in(page, "discarder")
    page.goto(edit_url)
    page.fill("#id_source", "Text to throw away")
    wait_for_draft(page, summary.author, edit_url, "Text to throw away")

    page.reload()
    text_with_notice = page.input_value("#id_source")
    page.click("text=Discard")
    notices_after_discard = page.locator(".draft-notice").count()
    drafts_after_discard = stored_drafts(page)
    page.reload()

    assert text_with_notice == "Saved text"
    assert notices_after_discard == 0
    assert drafts_after_discard == {}
    assert page.locator(".draft-notice").count() == 0
    assert page.input_value("#id_source") == "Saved text"
    assert csp_violations(console) == []
    assert uncaught_errors(console) == []


def test_comment_draft_restored_after_reload(page, console):
    summary = SummaryFactory()
    member = UserFactory(username="commenter")
    create_url = reverse("comments:create", args=[summary.pk])
    typed = "A comment typed before the reload"
    log_in(page, "commenter")
    page.goto(summary.get_absolute_url())
    page.fill("#comment-form textarea", typed)
    wait_for_draft(page, member, create_url, typed)

    page.reload()
    text_before_restore = page.input_value("#comment-form textarea")
    page.click("#comment-form >> text=Restore draft")
    text_after_restore = page.input_value("#comment-form textarea")
    page.click("button:has-text('Post comment')")
    page.wait_for_selector(f".comment-text:has-text('{typed}')")

    assert text_before_restore == ""
    assert text_after_restore == typed
    assert Comment.objects.get().source == typed
    assert stored_drafts(page) == {}
    assert csp_violations(console) == []
    assert uncaught_errors(console) == []


def test_comment_draft_survives_session_end(context, page, console):
    summary = SummaryFactory()
    member = UserFactory(username="late")
    create_url = reverse("comments:create", args=[summary.pk])
    typed = "A comment posted after the session ended"
    log_in(page, "late")
    page.goto(summary.get_absolute_url())
    page.fill("#comment-form textarea", typed)
    wait_for_draft(page, member, create_url, typed)

    # The session ends, and the CSRF cookie stays, as when a session expires.
    context.clear_cookies(name="sessionid")
    page.click("button:has-text('Post comment')")
    page.wait_for_url("**/accounts/login/**")
    login_notice = page.inner_text(".draft-notice")
    page.fill("#id_username", "late")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{summary.get_absolute_url()}#comment-form")
    page.click("#comment-form >> text=Restore draft")
    page.click("button:has-text('Post comment')")
    page.wait_for_selector(f".comment-text:has-text('{typed}')")

    assert "comment was not saved because you are not logged in" in login_notice
    assert Comment.objects.get().source == typed
    assert stored_drafts(page) == {}
    assert csp_violations(console) == []
    assert uncaught_errors(console) == []


def test_reply_draft_reopens_its_form(page, console):
    parent = CommentFactory(source="First thoughts")
    member = UserFactory(username="answerer")
    address = (
        reverse("comments:create", args=[parent.summary_id]) + f"?parent={parent.pk}"
    )
    log_in(page, "answerer")
    page.goto(parent.summary.get_absolute_url())
    page.click(f"#comment-{parent.pk} summary:has-text('Reply')")
    page.fill(f"#reply-{parent.pk}", "A reply typed before the reload")
    wait_for_draft(page, member, address, "A reply typed before the reload")

    page.reload()
    page.click(f"#comment-{parent.pk} >> text=Restore draft")

    assert page.input_value(f"#reply-{parent.pk}") == "A reply typed before the reload"
    assert page.locator("#comment-form .draft-notice").count() == 0
    assert csp_violations(console) == []
    assert uncaught_errors(console) == []


def test_draft_of_changed_summary_warns_and_conflicts(page, console):
    summary = SummaryFactory(source="Version one", author__username="racer")
    edit_url = reverse("summaries:edit", args=[summary.pk])
    log_in(page, "racer")
    page.goto(edit_url)
    page.fill("#id_source", "My edit of version one")
    wait_for_draft(page, summary.author, edit_url, "My edit of version one")
    services.update_summary(
        summary=summary,
        editor=summary.author,
        source="Version two",
        private=False,
        anonymous=False,
        base_version=1,
    )

    page.reload()
    notice = page.inner_text(".draft-notice")
    text_before_restore = page.input_value("#id_source")
    page.click("text=Restore draft")
    page.click("button:has-text('Save')")
    page.wait_for_selector(".conflict")

    assert "The summary has changed since this draft was written" in notice
    assert "newer version beside yours" in notice
    assert text_before_restore == "Version two"
    assert page.input_value("#id_source") == "My edit of version one"
    assert Summary.objects.get(pk=summary.pk).source == "Version two"
    assert list(stored_drafts(page).values()) == ["My edit of version one"]
    assert csp_violations(console) == []
    assert uncaught_errors(console) == []


def test_draft_over_limit_keeps_last_fitting_text(page, console, settings):
    settings.COMMENT_MAX_BYTES = 2048
    summary = SummaryFactory()
    member = UserFactory(username="verbose")
    create_url = reverse("comments:create", args=[summary.pk])
    # 1,400 bytes of UTF-8 in 1,000 characters. The longer text below is
    # 2,200 bytes in 1,400 characters: over the limit only if bytes count.
    fitting = "Fits: é" * 100 + "é" * 300
    log_in(page, "verbose")
    page.goto(summary.get_absolute_url())
    page.fill("#comment-form textarea", fitting)
    wait_for_draft(page, member, create_url, fitting)

    page.fill("#comment-form textarea", fitting + "é" * 400)
    page.wait_for_selector("#comment-form .draft-status:has-text('2 KB limit')")
    drafts_over_limit = stored_drafts(page)
    page.fill("#comment-form textarea", fitting + "!")
    wait_for_draft(page, member, create_url, fitting + "!")

    assert drafts_over_limit == {draft_key(member, create_url): fitting}
    assert page.locator("#comment-form .draft-status").is_hidden()
    assert uncaught_errors(console) == []


def test_full_storage_is_reported(page, console):
    summary = SummaryFactory()
    UserFactory(username="crowded")
    page.add_init_script(
        """Storage.prototype.setItem = function () {
          throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
        };"""
    )
    log_in(page, "crowded")
    page.goto(summary.get_absolute_url())
    page.fill("#comment-form textarea", "Text that does not fit")
    page.wait_for_selector("#comment-form .draft-status:has-text('storage is full')")
    page.click("button:has-text('Post comment')")
    page.wait_for_selector(".comment-text:has-text('Text that does not fit')")

    assert uncaught_errors(console) == []


def test_blocked_storage_leaves_forms_working(page, console):
    summary = SummaryFactory()
    UserFactory(username="private")
    page.add_init_script(
        """Object.defineProperty(window, "localStorage", {
          get() { throw new DOMException("Access is denied.", "SecurityError"); },
        });"""
    )
    log_in(page, "private")
    page.goto(summary.get_absolute_url())
    page.fill("#comment-form textarea", "Posted without drafts")
    page.click("button:has-text('Post comment')")
    page.wait_for_selector(".comment-text:has-text('Posted without drafts')")

    assert Comment.objects.get().source == "Posted without drafts"
    assert uncaught_errors(console) == []
