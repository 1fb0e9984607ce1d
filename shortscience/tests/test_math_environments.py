r"""Tests for bare math environments: ``\begin{aligned} … \end{aligned}`` without $."""

import html

import pytest

from shortscience.markup import extract_formulas, render_markdown
from shortscience.tests.test_markup import annotations, visible_text

# (environment, argument after \begin, body): two rows each.
KATEX_CASES = [
    ("align", "", "a &= b \\\\\nc &= d"),
    ("align*", "", "a &= b \\\\\nc &= d"),
    ("alignat", "{2}", "a &= b & c &= d \\\\\ne &= f & g &= h"),
    ("alignat*", "{2}", "a &= b & c &= d \\\\\ne &= f & g &= h"),
    ("aligned", "", "a_1 &= b_2 \\\\\nc &= d"),
    ("alignedat", "{2}", "a &= b & c &= d \\\\\ne &= f & g &= h"),
    ("gather", "", "a = b \\\\\nc = d"),
    ("gather*", "", "a = b \\\\\nc = d"),
    ("gathered", "", "a = b \\\\\nc = d"),
    ("split", "", "a &= b \\\\\n&= c"),
    ("cases", "", "1 & x > 0 \\\\\n0 & \\text{otherwise}"),
    ("dcases", "", "1 & x > 0 \\\\\n0 & \\text{otherwise}"),
    ("rcases", "", "1 & x > 0 \\\\\n0 & \\text{otherwise}"),
    ("drcases", "", "1 & x > 0 \\\\\n0 & \\text{otherwise}"),
    ("array", "{cc}", "a & b \\\\\nc & d"),
    ("darray", "{cc}", "a & b \\\\\nc & d"),
    ("subarray", "{c}", "i \\\\\nj"),
    ("matrix", "", "a & b \\\\\nc & d"),
    ("smallmatrix", "", "a & b \\\\\nc & d"),
    ("pmatrix", "", "a & b \\\\\nc & d"),
    ("bmatrix", "", "a & b \\\\\nc & d"),
    ("Bmatrix", "", "a & b \\\\\nc & d"),
    ("vmatrix", "", "a & b \\\\\nc & d"),
    ("Vmatrix", "", "a & b \\\\\nc & d"),
    ("matrix*", "[r]", "a & b \\\\\nc & d"),
    ("pmatrix*", "[r]", "a & b \\\\\nc & d"),
    ("bmatrix*", "[r]", "a & b \\\\\nc & d"),
    ("Bmatrix*", "[r]", "a & b \\\\\nc & d"),
    ("vmatrix*", "[r]", "a & b \\\\\nc & d"),
    ("Vmatrix*", "[r]", "a & b \\\\\nc & d"),
]

# Math environments that KaTeX 0.16 lacks.
UNSUPPORTED = [
    "multline",
    "multline*",
    "flalign",
    "flalign*",
    "eqnarray",
    "eqnarray*",
    "multlined",
]


def environment_tex(name: str, argument: str, body: str) -> str:
    return f"\\begin{{{name}}}{argument}\n{body}\n\\end{{{name}}}"


def test_aligned_paragraph_keeps_rows():
    tex = "\\begin{aligned}\na_1 &= b_2 \\\\\nc &= d\n\\end{aligned}"
    page = render_markdown(tex)
    assert page.count("<mtr>") == 2
    assert annotations(page) == [tex]
    assert "math-error" not in page


@pytest.mark.parametrize(("name", "argument", "body"), KATEX_CASES)
def test_environment_block_is_display_math(name, argument, body):
    tex = environment_tex(name, argument, body)
    page = render_markdown(f"Text before.\n\n{tex}\n\nText after.")
    assert '<div class="math math-display">' in page
    assert page.count("<mtr>") == 2
    assert annotations(page) == [tex]
    assert "math-error" not in page


@pytest.mark.parametrize(("name", "argument", "body"), KATEX_CASES)
def test_environment_inside_line_is_display_math(name, argument, body):
    tex = environment_tex(name, argument, body).replace("\n", " ")
    page = render_markdown(f"so that {tex} holds.")
    assert page.startswith('<p>so that <span class="math math-display">')
    assert page.count("<mtr>") == 2
    assert annotations(page) == [tex]
    assert visible_text(page).rstrip().endswith(" holds.")


def test_equation_block_is_display_math():
    tex = "\\begin{equation*}\na_1 = b_1\n\\end{equation*}"
    page = render_markdown(tex)
    assert '<div class="math math-display">' in page
    assert annotations(page) == [tex]


def test_commutative_diagram_renders():
    tex = "\\begin{CD}\nA @>f>> B \\\\\n@VgVV @VVhV \\\\\nC @>>k> D\n\\end{CD}"
    page = render_markdown(tex)
    assert annotations(page) == [tex]
    assert "math-error" not in page


@pytest.mark.parametrize("name", UNSUPPORTED)
def test_unsupported_environment_shows_source(name):
    tex = environment_tex(name, "", "a &= b \\\\\nc &= d")
    page = render_markdown(tex)
    assert '<span class="math-error" title="Could not render this formula:' in page
    assert html.escape(tex) in page
    assert "<math" not in page


@pytest.mark.parametrize("name", UNSUPPORTED)
def test_unsupported_environment_in_line_keeps_rows(name):
    tex = environment_tex(name, "", "a &= b \\\\ c &= d").replace("\n", " ")
    page = render_markdown(f"so that {tex} holds.")
    assert "math-error" in page
    assert tex in visible_text(page)


def test_environment_inside_paragraph_lines():
    source = "where\n\\begin{cases}\n1 & x > 0 \\\\\n0 & x \\le 0\n\\end{cases}\nfor x."
    page = render_markdown(source)
    assert page.count("<mtr>") == 2
    assert visible_text(page).startswith("where")
    assert visible_text(page).rstrip().endswith("for x.")


def test_text_after_end_stays_in_paragraph():
    page = render_markdown("\\begin{aligned} a \\\\ b \\end{aligned}, where a is")
    assert page.startswith('<p><span class="math math-display">')
    assert page.count("<mtr>") == 2
    assert visible_text(page).rstrip().endswith(", where a is")


def test_nested_same_environment_closes_outer():
    tex = (
        "\\begin{array}{c}\n\\begin{array}{cc} a & b \\end{array}\n\\\\ c\n\\end{array}"
    )
    page = render_markdown(tex)
    assert annotations(page) == [tex]
    assert "math-error" not in page


def test_environment_in_block_quote():
    page = render_markdown("> \\begin{aligned}\n> a \\\\\n> b\n> \\end{aligned}")
    assert page.count("<mtr>") == 2
    assert annotations(page) == ["\\begin{aligned}\na \\\\\nb\n\\end{aligned}"]


def test_environment_in_list_item():
    source = "- item\n\n  \\begin{cases}\n  a & b \\\\\n  c & d\n  \\end{cases}\n"
    page = render_markdown(source)
    assert page.count("<mtr>") == 2
    assert "<li>" in page


@pytest.mark.parametrize(
    "source",
    [
        "`\\begin{aligned} a \\\\ b \\end{aligned}`",
        "```\n\\begin{aligned}\na \\\\ b\n\\end{aligned}\n```",
        "    \\begin{aligned}\n    a \\\\ b\n    \\end{aligned}",
    ],
    ids=["code-span", "fenced", "indented"],
)
def test_environment_in_code_stays_literal(source):
    page = render_markdown(source)
    assert "<math" not in page
    assert "a \\\\ b" in page
    assert extract_formulas(source) == []


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("$\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}$", "math-inline"),
        ("$$\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}$$", "math-display"),
        ("$$\n\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}\n$$", "math-display"),
        ("\\[\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}\\]", "math-display"),
    ],
    ids=["dollar", "double-dollar", "dollar-block", "brackets"],
)
def test_environment_inside_delimiters_unchanged(source, kind):
    page = render_markdown(source)
    assert annotations(page) == ["\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}"]
    assert f'class="math {kind}"' in page
    assert page.count("<mtr>") == 2


@pytest.mark.parametrize(
    "source",
    [
        "\\begin{itemize} a \\\\ b \\end{itemize}",
        "\\begin{aligned} a \\\\ b \\end{cases}",
        "\\begin{aligned}\na \\\\ b\n\nno end",
        "\\\\begin{aligned} a \\\\ b \\end{aligned}",
    ],
    ids=["not-math", "mismatched-end", "unclosed", "escaped-begin"],
)
def test_non_environment_stays_text(source):
    page = render_markdown(source)
    assert "<math" not in page
    assert "math-error" not in page
    assert "begin{" in visible_text(page)


def test_inline_environment_formula_line():
    source = "Intro.\n\nFirst line\nthen \\begin{cases} a \\\\ b \\end{cases} here"
    formulas = extract_formulas(source)
    assert [formula.tex for formula in formulas] == [
        "\\begin{cases} a \\\\ b \\end{cases}"
    ]
    assert formulas[0].line == 4
    assert formulas[0].display
