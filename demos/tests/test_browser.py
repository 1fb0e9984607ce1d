"""Reviewing a pending demo in a real headless Chromium against a live server.

Uses the Chromium set-up of ``shortscience/tests/browser.py`` and is
skipped without Chromium, as the site's other browser tests are.
"""

from accounts.tests.factories import UserFactory
from demos.models import Demo
from demos.tests.factories import DemoFactory, make_notebook
from papers.tests.factories import PaperFactory
from shortscience.tests.browser import BROWSER_MARKS, log_in

pytestmark = BROWSER_MARKS

# Inline script and event handlers would break the site's Content Security
# Policy, and Chromium logs each blocked one, so the check below fails if
# notebook Markdown ever reaches the page as HTML.
HOSTILE_MARKDOWN = (
    "# Reviewed notebook\n\n"
    "<script>window.notebookRan = true</script>\n\n"
    '<img src="missing.png" onerror="window.notebookRan = true">\n'
)


def test_staff_reviews_then_approves_demo(page):
    paper = PaperFactory(title="A Paper With A Pending Demo")
    demo = DemoFactory(
        paper=paper,
        approval=Demo.Approval.PENDING,
        notebook=make_notebook("print('reviewed code')", markdown=HOSTILE_MARKDOWN),
    )
    staff = UserFactory(username="reviewer", is_staff=True)
    console = []
    page.on("console", lambda message: console.append(message.text))
    log_in(page, staff.username)

    page.goto(paper.get_absolute_url())
    page.click(f"#demo-{demo.pk} >> text=Review revision 1")
    page.wait_for_selector(".demo-revision-cells")
    code = page.inner_text(".demo-revision-cells .demo-cell-code pre")
    heading = page.inner_text(".demo-revision-cells .demo-cell-markdown h1")
    ran = page.evaluate("window.notebookRan === true")

    page.go_back()
    page.click(f"#demo-{demo.pk} button:has-text('Approve revision 1 to run')")
    page.wait_for_selector(".message-success")
    demo.refresh_from_db()

    assert code == "print('reviewed code')"
    assert heading == "Reviewed notebook"
    assert ran is False
    assert demo.approval == Demo.Approval.APPROVED
    violations = [text for text in console if "Content Security Policy" in text]
    assert violations == []
