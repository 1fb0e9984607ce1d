"""Anonymous pages come from the cache until a write changes what they show."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.tests.factories import UserFactory
from comments import services as comment_services
from demos import services as demo_services
from demos.models import DemoRun
from demos.tests.factories import DemoFactory, DemoRunFactory
from papers.services import import_bibtex
from papers.tests.factories import PaperFactory
from shortscience.pagecache import HEADER
from summaries import services as summary_services
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db

MARKER = "Wombatmarker5521"


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")  # Redis: only this worker's prefix
    else:
        cache.clear()


@pytest.fixture
def summary():
    paper = PaperFactory(title="Cached Paper", bibtex_key="conf/x/Cached1")
    return SummaryFactory(paper=paper, source="First text.")


def pages(summary):
    return {
        "home": reverse("home") + "?tab=recent",
        "paper": summary.paper.get_absolute_url(),
        "summary": summary.get_absolute_url(),
        "search": reverse("papers:search") + "?q=cached",
    }


def test_second_visit_is_hit(client, summary):
    first = client.get(summary.get_absolute_url())
    second = client.get(summary.get_absolute_url())

    assert first[HEADER] == "miss"
    assert second[HEADER] == "hit"
    assert second.content == first.content


def test_signed_in_pages_not_cached(client, summary):
    client.force_login(UserFactory())
    client.get(summary.get_absolute_url())

    response = client.get(summary.get_absolute_url())

    assert HEADER not in response


def test_owner_private_summary_not_served_to_visitor(client, summary):
    owner = UserFactory()
    SummaryFactory(paper=summary.paper, author=owner, private=True, source=MARKER)
    client.force_login(owner)
    assert MARKER in client.get(summary.paper.get_absolute_url()).text
    client.logout()

    response = client.get(summary.paper.get_absolute_url())

    assert MARKER not in response.text


def edit(summary):
    summary_services.update_summary(
        summary=summary,
        editor=summary.author,
        source=f"Edited cached {MARKER}.",
        private=False,
        anonymous=False,
        base_version=summary.version,
    )


def create(summary):
    summary_services.create_summary(
        paper=summary.paper, author=UserFactory(), source=f"New {MARKER}."
    )


def comment(summary):
    comment_services.create_comment(
        summary=summary, author=UserFactory(), source=f"Comment {MARKER}."
    )


def rename(summary):
    author = summary.author
    author.display_name = MARKER
    author.save()


@pytest.mark.parametrize(
    ("write", "page_names"),
    [
        (edit, ["home", "paper", "summary", "search"]),
        (create, ["home", "paper"]),
        (comment, ["summary"]),
    ],
)
def test_write_refreshes_pages(client, summary, write, page_names):
    urls = pages(summary)
    for name in page_names:
        client.get(urls[name])

    write(summary)

    for name in page_names:
        response = client.get(urls[name])
        assert response[HEADER] == "miss", name
        assert MARKER in response.text, name


def test_vote_refreshes_score(client, summary):
    client.get(summary.get_absolute_url())
    client.get(reverse("home") + "?tab=recent")

    summary_services.cast_vote(summary=summary, user=UserFactory(), value=1)

    for url in [summary.get_absolute_url(), reverse("home") + "?tab=recent"]:
        response = client.get(url)
        assert response[HEADER] == "miss", url
        assert 'aria-label="Score">1<' in response.text, url


def test_comment_delete_refreshes_summary(client, summary):
    posted = comment_services.create_comment(
        summary=summary, author=UserFactory(), source=f"Comment {MARKER}."
    )
    client.get(summary.get_absolute_url())

    comment_services.delete_comment(comment=posted, user=posted.author)

    assert MARKER not in client.get(summary.get_absolute_url()).text


def test_summary_delete_refreshes_paper(client, summary):
    client.get(summary.paper.get_absolute_url())

    summary_services.delete_summary(summary=summary, user=summary.author)

    assert "First text." not in client.get(summary.paper.get_absolute_url()).text


def test_import_refreshes_paper_and_search(client):
    entry = "@article{conf/x/Imp1, title = {%s Study}, year = 2001}"
    import_bibtex(entry % "Cached")
    paper_url = reverse("papers:detail", args=["conf/x/Imp1"])
    client.get(paper_url)
    client.get(reverse("papers:search") + "?q=study")

    import_bibtex(entry % MARKER)

    assert MARKER in client.get(paper_url).text
    assert MARKER in client.get(reverse("papers:search") + "?q=study").text


def test_profile_change_refreshes_bylines(client, summary):
    client.get(summary.get_absolute_url())
    client.force_login(summary.author)
    client.post(
        reverse("accounts:settings"),
        {"display_name": MARKER, "about": "", "email": "a@example.org"},
    )
    client.logout()

    assert MARKER in client.get(summary.get_absolute_url()).text


def test_page_with_message_not_cached(client, summary):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("logout"))

    response = client.get(summary.get_absolute_url())

    assert response.status_code == 200


def test_demo_run_end_refreshes_paper_page(client):
    demo = DemoFactory(title="Cached demo")
    run = DemoRunFactory(demo=demo, status=DemoRun.Status.RUNNING)
    demo_services._point_demo_at(demo, run)
    url = demo.paper.get_absolute_url()
    client.get(url)

    demo_services.fail_run(run.pk, status=DemoRun.Status.FAILED, error=MARKER)
    response = client.get(url)

    assert response[HEADER] == "miss"
    assert MARKER in response.text


def test_demo_approval_refreshes_paper_page(client):
    demo = DemoFactory(title="Approved demo")
    url = demo.paper.get_absolute_url()
    before = client.get(url)

    demo_services.set_approval(
        demo=demo, user=UserFactory(is_staff=True), approved=False
    )
    response = client.get(url)

    assert "Approved demo" in before.text
    assert response[HEADER] == "miss"
    assert "Approved demo" not in response.text
