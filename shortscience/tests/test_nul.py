"""NUL characters in requests: 404 in the path, 400 in query and body fields.

PostgreSQL can neither store nor compare a string that contains NUL
(U+0000), so such a value must never reach a query. The rules, the same for
pages and the API:

- a NUL in the path is a 404, because no address contains one;
- a NUL in a query parameter's name or value is a 400 that names the
  parameter, even where the parameter would otherwise be ignored;
- a NUL in a form or JSON body field makes the form or serializer invalid
  with "Null characters are not allowed.", and nothing is saved; the
  response is a 400 wherever the view returns 400 for invalid input;
- a ``next`` address with NUL is ignored, and the default redirect is used.

The tests run on whichever database DATABASE_URL selects. On PostgreSQL,
addresses, query parameters read by views and demo run parameters with NUL
ended in a 500 before these rules.
"""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from comments.models import Comment
from demos import services as demo_services
from demos.models import DemoRun
from demos.tests.factories import DemoFactory
from papers.tests.factories import PaperFactory
from summaries.models import Summary
from summaries.tests.factories import SummaryFactory

pytestmark = pytest.mark.django_db

SHAPE = {"status", "code", "message", "errors"}

PAGE_PATHS = [
    "/paper/%00",
    "/paper/a%00b",
    "/bibtex/a%00b",
    "/venues/a%00b",
    "/user/a%00b/",
    "/papers/%00/",
]

API_PATHS = [
    "/api/v1/papers/a%00b/",
    "/api/v1/papers/a%00b/summaries/",
    "/api/v1/papers/a%00b/bibtex/",
    "/api/v1/users/a%00b/",
    "/api/v1/users/a%00b/summaries/",
    "/api/v1/%00/",
]

# (address, name of the parameter with the NUL)
PAGE_QUERIES = [
    ("/search/?q=%00", "q"),
    ("/search/?q=a%00b", "q"),
    ("/search/?q=a&page=%00", "page"),
    ("/paper?bibtexKey=a%00b", "bibtexKey"),
    ("/?tab=%00", "tab"),
    ("/?utm%00=1", "utm\x00"),
    ("/summaries/new/?paper=a%00b", "paper"),
]

API_QUERIES = [
    ("/api/v1/search/?q=a%00b", "q"),
    ("/api/v1/papers/?q=a%00b", "q"),
    ("/api/v1/papers/?bibtex_key=a%00b", "bibtex_key"),
    ("/api/v1/papers/?venue=a%00b", "venue"),
    ("/api/v1/papers/?cursor=%00", "cursor"),
    ("/api/v1/summaries/?author=a%00b", "author"),
    ("/api/v1/demos/?paper=a%00b", "paper"),
    ("/api/v1/papers/?a%00=1", "a\x00"),
]


@pytest.fixture
def member_client(client):
    client.force_login(UserFactory())
    return client


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_page_path_with_nul_is_404(member_client, path):
    response = member_client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "NUL" in response.text


@pytest.mark.parametrize("path", API_PATHS)
def test_api_path_with_nul_is_404(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 404
    assert set(response.json()) == SHAPE
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(("url", "name"), PAGE_QUERIES)
def test_page_query_with_nul_is_400(member_client, url, name):
    response = member_client.get(url)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "NUL" in response.text
    assert name.replace("\x00", "") in response.text


def test_search_page_keeps_query_without_nul(client):
    response = client.get("/search/?q=dropout%00nets")

    assert response.status_code == 400
    assert 'value="dropoutnets"' in response.text


@pytest.mark.parametrize(("url", "name"), API_QUERIES)
def test_api_query_with_nul_is_400(api_client, url, name):
    response = api_client.get(url)

    assert response.status_code == 400
    assert set(response.json()) == SHAPE
    assert response.json()["errors"] == [
        {
            "field": name,
            "code": "null_characters_not_allowed",
            "message": "Null characters are not allowed.",
        }
    ]


def test_post_with_nul_in_query_is_400(token_client):
    paper = PaperFactory()

    response = token_client.post(
        "/api/v1/summaries/?x=%00", {"paper": paper.bibtex_key, "source": "Text"}
    )

    assert response.status_code == 400
    assert not Summary.objects.exists()


def test_summary_form_with_nul_is_400(member_client):
    paper = PaperFactory()

    response = member_client.post(
        f"/summaries/new/?paper={paper.bibtex_key}", {"source": "a\x00b"}
    )

    assert response.status_code == 400
    assert "Null characters are not allowed." in response.text
    assert not Summary.objects.exists()


def test_comment_form_with_nul_is_400(member_client):
    summary = SummaryFactory()

    response = member_client.post(
        f"/summary/{summary.pk}/comments/", {"source": "a\x00b"}
    )

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_token_form_with_nul_is_400(member_client):
    response = member_client.post("/settings/tokens/", {"name": "a\x00b"})

    assert response.status_code == 400
    assert "Null characters are not allowed." in response.text


def test_login_form_with_nul_is_invalid(client):
    response = client.post(
        "/accounts/login/", {"username": "a\x00b", "password": "c\x00d"}
    )

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.text


def test_vote_next_with_nul_is_ignored(member_client):
    summary = SummaryFactory()

    response = member_client.post(
        f"/summary/{summary.pk}/vote/", {"value": "1", "next": "/a\x00b"}
    )

    assert response.status_code == 302
    assert response["Location"] == summary.get_absolute_url()


def test_demo_run_next_with_nul_is_ignored(member_client, monkeypatch):
    monkeypatch.setattr(demo_services, "enqueue_run", lambda run: None)
    demo = DemoFactory()

    response = member_client.post(f"/demos/{demo.pk}/run/", {"next": "/a\x00b"})

    assert response.status_code == 302
    assert "\x00" not in response["Location"]
    assert response["Location"].startswith(demo.paper.get_absolute_url())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"paper": "a\x00b", "source": "Text"}, "paper"),
        ({"source": "a\x00b"}, "source"),
    ],
)
def test_api_body_with_nul_is_400(token_client, body, field):
    body = {"paper": PaperFactory().bibtex_key, **body}

    response = token_client.post("/api/v1/summaries/", body)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert response.json()["errors"][0]["code"] == "null_characters_not_allowed"
    assert not Summary.objects.exists()


@pytest.mark.parametrize(
    "parameters",
    [{"size": "a\x00b"}, {"size": ["a", {"b": "c\x00"}]}, {"size": {"a\x00": 1}}],
)
def test_run_parameters_with_nul_are_400(monkeypatch, parameters):
    monkeypatch.setattr(demo_services, "enqueue_run", lambda run: None)
    demo = DemoFactory()
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True))

    response = client.post(f"/api/v1/demos/{demo.pk}/runs/", {"parameters": parameters})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "parameters"
    assert "NUL" in response.json()["message"]
    assert not DemoRun.objects.exists()
