"""Rendering for saving: limits, the excerpt and formula conversion."""

import pytest
from django.core.exceptions import ValidationError

from shortscience.markup import (
    katex,
    normalize_newlines,
    render_checked,
    render_excerpt,
    render_markdown,
)


def test_excerpt_cuts_long_paragraph_between_words():
    source = "word " * 2000

    excerpt = render_excerpt(source, max_chars=100)

    assert len(excerpt) < 200
    assert excerpt.startswith("<p>word word")
    assert excerpt.rstrip().endswith("…</p>")


def test_excerpt_never_cuts_inside_formula():
    source = "Lead text. " + " ".join(f"$x_{{{i}}} + y$" for i in range(200))

    excerpt = render_excerpt(source, max_chars=150)

    assert excerpt.count("<math") == excerpt.count("</math>")
    assert 0 < excerpt.count("<math") < 200


def test_excerpt_closes_open_list():
    source = "\n".join(f"- item number {i} " + "text " * 30 for i in range(100))

    excerpt = render_excerpt(source, max_chars=300)

    assert excerpt.count("<li>") < 100
    assert excerpt.count("<li>") == excerpt.count("</li>")
    assert excerpt.rstrip().endswith("</ul>")


def test_excerpt_keeps_short_source_whole():
    source = "One paragraph.\n\nTwo with $x$."

    assert render_excerpt(source) == render_markdown(source)


def test_excerpt_stops_after_block_crossing_limit():
    source = "First paragraph here.\n\nSecond paragraph.\n\nThird."

    excerpt = render_excerpt(source, max_chars=25)

    assert "First" in excerpt
    assert "Third" not in excerpt


def test_render_checked_matches_separate_renderings():
    source = "Intro $a^2$.\n\n$$\\sum_i x_i$$\n\n- a list with $b$"

    rendered = render_checked(source, excerpt_chars=10)

    assert rendered.html == render_markdown(source)
    assert rendered.excerpt == render_excerpt(source, max_chars=10)


def test_render_checked_converts_each_formula_once(monkeypatch):
    calls = []
    original = katex.formula_html

    def counting(tex, **kwargs):
        calls.append(tex)
        return original(tex, **kwargs)

    monkeypatch.setattr("shortscience.markup.parser.formula_html", counting)
    render_checked("$a$ and $a$ and $b$")

    assert sorted(calls) == ["a", "b"]


def test_render_checked_rejects_too_many_formulas():
    source = " ".join(f"$x_{{{i}}}$" for i in range(11))

    with pytest.raises(ValidationError) as raised:
        render_checked(source, max_formulas=10)

    assert raised.value.code == "too_many_formulas"
    assert "11 formulas" in raised.value.messages[0]


def test_render_checked_rejects_oversized_text_before_parsing(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("parsed an oversized text")

    monkeypatch.setattr("shortscience.markup.render._parse", fail)

    with pytest.raises(ValidationError) as raised:
        render_checked("x" * 2000, max_bytes=1000)

    assert raised.value.code == "too_large"


@pytest.mark.parametrize(
    "tex",
    [
        r"\def\a{x}\a",
        r"\gdef\b#1{#1#1}\b{y}",
        r"\newcommand{\c}{z}\c",
        r"\let\d=\alpha \d",
        r"\renewcommand\e{1}",
    ],
)
def test_macro_definitions_are_rejected(tex):
    html = render_markdown(f"${tex}$")

    assert "math-error" in html
    assert "macro definitions" in html
    assert "<math" not in html


def test_macro_like_names_still_render():
    html = render_markdown(r"$\delta + \left( x \right) + \det A + \leftarrow + \deg$")

    assert html.count("<math") == 1


def test_nested_macro_bomb_does_not_reach_renderer():
    tex = (
        r"\def\a#1{{{{{#1}}}}}\def\b#1{\a{\a{\a{\a{#1}}}}}"
        r"\def\c#1{\b{\b{\b{\b{#1}}}}}\c{\c{\c{\c{x}}}}N"
    )

    html = render_markdown(f"${tex}$")

    assert "math-error" in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a\r\nb", "a\nb"), ("a\rb", "a\nb"), ("a\nb", "a\nb"), ("\r\n\r\n", "\n\n")],
)
def test_normalize_newlines(text, expected):
    assert normalize_newlines(text) == expected
