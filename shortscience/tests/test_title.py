"""Tests for render_title: paper titles with $..$ math."""

import html

import pytest

from shortscience.markup import render_title
from shortscience.tests.test_markup import annotations, elements, visible_text


def test_inline_formula_becomes_mathml():
    page = render_title(r"The $\alpha$-Divergence of Models")
    assert page.count("<math") == 1
    assert annotations(page) == [r"\alpha"]
    assert '<span class="math math-inline">' in page
    assert page.startswith("The ")
    assert page.endswith("-Divergence of Models")


def test_several_formulas_each_converted():
    page = render_title(r"From $a$ to $b_{i}$ and $$x^2$$")
    assert annotations(page) == ["a", "b_{i}", "x^2"]
    assert "math-display" not in page


def test_title_without_math_escaped_only():
    assert (
        render_title("Fast <b>R-CNN</b> & Co")
        == "Fast &lt;b&gt;R-CNN&lt;/b&gt; &amp; Co"
    )


@pytest.mark.parametrize(
    "title",
    [
        "Costs $5 and $10",
        "A $ sign alone",
        "Price $ 5$",
    ],
)
def test_dollar_signs_without_formula_stay_text(title):
    page = render_title(title)
    assert "<math" not in page
    assert visible_text(page) == title


@pytest.mark.parametrize(
    "title",
    [
        "*Bold* and _italic_ words",
        "[link](http://example.com) and `code`",
        r"\cite{key} and \(x\)",
        "# Not a heading",
        "&amp; stays as typed",
    ],
)
def test_other_markdown_stays_text(title):
    page = render_title(title)
    assert visible_text(page) == title
    assert [tag for tag, _ in elements(page)] == []


def test_failed_formula_shows_escaped_source():
    page = render_title(r"Broken $\frac{1}{<b>$ formula")
    assert '<span class="math-error" title="Could not render this formula:' in page
    assert html.escape(r"\frac{1}{<b>", quote=False) in page
    assert "<b>" not in page
    assert visible_text(page) == r"Broken \frac{1}{<b> formula"


def test_untrusted_commands_not_followed():
    page = render_title(r"$\href{javascript:alert(1)}{x}$ title")
    assert "<a " not in page
    assert all("href" not in attrs for _, attrs in elements(page))


def test_markup_in_text_escaped_beside_math():
    page = render_title(r"<script>alert(1)</script> $x$")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert page.count("<math") == 1
