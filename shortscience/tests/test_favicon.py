"""The site icon: an SVG in the static files, linked from every page."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ICON_LINK = re.compile(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">')


def test_favicon_ico_redirects_to_svg(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"


def test_favicon_svg_is_served(client):
    response = client.get("/favicon.ico", follow=True)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    body = b"".join(response.streaming_content)
    assert body.lstrip().startswith(b"<svg")


@pytest.mark.parametrize("name", ["home", "papers:venues", "login"])
def test_pages_link_favicon(client, name):
    page = client.get(reverse(name)).text

    link = ICON_LINK.search(page)
    assert link is not None
    assert client.get(link.group(1)).status_code == 200
