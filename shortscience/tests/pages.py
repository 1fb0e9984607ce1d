"""Helpers for tests that read attributes of rendered pages."""

from html.parser import HTMLParser


class _StartTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def tag_attributes(html: str, tag: str) -> list[dict[str, str]]:
    """Return the attributes of each ``tag`` element, entity-decoded as a browser does.

    A bare attribute such as ``data-draft-posted`` maps to an empty string.
    """
    parser = _StartTags()
    parser.feed(html)
    parser.close()
    return [attributes for name, attributes in parser.tags if name == tag]


def body_attributes(html: str) -> dict[str, str]:
    """Return the attributes of the page's ``<body>``."""
    (attributes,) = tag_attributes(html, "body")
    return attributes


def draft_forms(html: str) -> dict[str, dict[str, str]]:
    """Return the attributes of each form that keeps a draft, by draft address."""
    return {
        attributes["data-draft"]: attributes
        for attributes in tag_attributes(html, "form")
        if "data-draft" in attributes
    }
