"""A script with an API token works the site over HTTP, as the README shows."""

import httpx
import pytest

from accounts.services import create_api_token
from accounts.tests.factories import UserFactory
from comments.tests.factories import CommentFactory
from papers.tests.factories import PaperFactory
from summaries.models import Summary, Vote
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_token_script_posts_votes_and_replies(live_server):
    scripter = UserFactory(username="scripter")
    _, key = create_api_token(user=scripter, name="reading-list bot")
    PaperFactory(bibtex_key="journals/jmlr/GlorotB10", title="Glorot and Bengio")
    other = SummaryFactory(author=UserFactory(username="other"))
    question = CommentFactory(summary=other, source="Which initialisation?")
    headers = {"Authorization": f"Bearer {key}"}

    with httpx.Client(base_url=f"{live_server.url}/api/v1", headers=headers) as api:
        posted = api.post(
            "/summaries/",
            json={
                "paper": "journals/jmlr/GlorotB10",
                "source": "Weights from $U[-a, a]$, $a = \\sqrt{6/(n_j + n_{j+1})}$.",
            },
        )
        vote = api.put(f"/summaries/{other.pk}/vote/", json={"value": 1})
        reply = api.post(
            f"/summaries/{other.pk}/comments/",
            json={"source": "The normalised one.", "parent": question.pk},
        )
        thread = api.get(f"/summaries/{other.pk}/comments/").json()["results"]

    assert posted.status_code == 201
    assert "<math" in posted.json()["html"]
    assert Summary.objects.filter(author=scripter).count() == 1
    assert vote.json() == {"value": 1, "score": 1}
    assert Vote.objects.get(summary=other).user == scripter
    assert reply.status_code == 201
    assert [(c["id"], c["depth"]) for c in thread] == [
        (question.pk, 0),
        (reply.json()["id"], 1),
    ]


def test_script_without_token_cannot_write(live_server):
    PaperFactory(bibtex_key="k")

    response = httpx.post(
        f"{live_server.url}/api/v1/summaries/", json={"paper": "k", "source": "x"}
    )

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
