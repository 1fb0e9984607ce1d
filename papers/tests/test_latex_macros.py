r"""Tests for LaTeX macros in BibTeX fields: text macros, sort keys, @preamble."""

import pytest

from papers.bibtex import ParsedPaper, parse_bibtex
from papers.latex import latex_to_text


def parse_one(text: str) -> ParsedPaper:
    result = parse_bibtex(text)
    assert result.failures == []
    assert len(result.papers) == 1
    return result.papers[0]


def title_of(latex: str) -> str:
    return parse_one(f"@misc{{k, title = {{{latex}}}}}").title


def test_title_mixed_macros_keep_text():
    latex = r"The {$\alpha$}-{\textit{Beta}} {\texttt{gamma}} of {\emph{delta}}"
    assert title_of(latex) == r"The $\alpha$-Beta gamma of delta"


@pytest.mark.parametrize(
    "macro",
    [
        "texttt",
        "textsf",
        "textup",
        "textmd",
        "textnormal",
        "textrm",
        "textbf",
        "textsc",
        "textsl",
        "emph",
        "mbox",
        "hbox",
        "fbox",
        "underline",
        "uline",
        "textsuperscript",
        "textsubscript",
        "enquote",
        "bibinfo",
    ],
)
def test_text_macro_keeps_argument(macro):
    assert title_of(f"Learning \\{macro}{{Word}} Models") == "Learning Word Models"


@pytest.mark.parametrize(
    "latex",
    [
        r"Learning \mystyle{Word} Models",
        r"Learning {\mystyle{Word}} Models",
        r"Learning \mystyle {Word} Models",
        r"Learning \xrightarrow{Word} Models",
    ],
    ids=["bare", "braced", "space", "parser-only"],
)
def test_unknown_macro_keeps_argument(latex):
    assert title_of(latex) == "Learning Word Models"


def test_footnote_text_follows_title():
    assert title_of(r"Deep Nets\footnote{Extended version}") == (
        "Deep Nets Extended version"
    )


def test_thanks_text_follows_title():
    assert title_of(r"Deep Nets\thanks{Funded}") == "Deep Nets Funded"


@pytest.mark.parametrize(
    "latex",
    [
        r"{\noopsort{a}}Sorted",
        r"\noopsort{a}Sorted",
        r"{\SortNoop{a}}Sorted",
        r"\label{sec:x}Sorted",
        r"\index{x}Sorted",
        r"{\color{red}Sorted}",
        r"\hspace{1em}Sorted",
    ],
)
def test_non_text_macro_dropped(latex):
    assert title_of(latex) == "Sorted"


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\MakeUppercase{deep} nets", "DEEP nets"),
        (r"\MakeLowercase{DEEP} nets", "deep nets"),
        (r"\foreignlanguage{german}{Stra{\ss}e} maps", "Straße maps"),
    ],
)
def test_case_and_language_macros(latex, text):
    assert title_of(latex) == text


def test_author_text_macros_keep_name():
    paper = parse_one(
        r"@misc{k, title = {T}, author = {\texttt{Tee}, Bob and \mbox{Ann} Lee}}"
    )
    assert [author.display_name for author in paper.authors] == ["Bob Tee", "Ann Lee"]


def test_author_sort_key_dropped():
    paper = parse_one(r"@misc{k, title = {T}, author = {{\noopsort{b}}Zeta, Alpha}}")
    assert [author.last for author in paper.authors] == ["Zeta"]


def test_venue_text_macro_kept():
    paper = parse_one(r"@article{k, title = {T}, journal = {\textsf{Neural} Comp.}}")
    assert paper.venue == "Neural Comp."


def test_booktitle_text_macro_kept():
    paper = parse_one(
        r"@inproceedings{k, title = {T}, booktitle = {Proc. \mbox{ICML}}}"
    )
    assert paper.venue == "Proc. ICML"


def test_abstract_text_macros_kept():
    paper = parse_one(
        r"@misc{k, title = {T}, abstract = {We use \texttt{torch} and \textup{x}.}}"
    )
    assert paper.abstract == "We use torch and x."


def test_raw_entry_unchanged_by_decoding():
    text = r"@misc{k, title = {A {\texttt{gamma}} test}}"
    assert parse_one(text).bibtex == text


# Macros defined in @preamble

PREAMBLE = r"""@preamble{ "\newcommand{\noopsort}[1]{}"
  # "\newcommand{\printfirst}[2]{#1}" }
@preamble{{\def\venue{Journal of Examples}}}
@article{p1,
  title = {{\noopsort{a}}Sorted \printfirst{One}{Two}},
  author = {{\noopsort{b}}Zeta, Alpha},
  journal = {\venue},
}
@article{p2, title = {Plain}}
"""


def test_preamble_sort_macro_expands_to_nothing():
    paper = parse_bibtex(PREAMBLE).papers[0]
    assert paper.title == "Sorted One"


def test_preamble_macro_in_author_and_venue():
    paper = parse_bibtex(PREAMBLE).papers[0]
    assert [author.last for author in paper.authors] == ["Zeta"]
    assert paper.venue == "Journal of Examples"


def test_preamble_parses_without_failures():
    result = parse_bibtex(PREAMBLE)
    assert result.failures == []
    assert [paper.bibtex_key for paper in result.papers] == ["p1", "p2"]


def test_raw_entry_carries_its_preamble_macros():
    first, second = parse_bibtex(PREAMBLE).papers

    reparsed = parse_one(first.bibtex)

    assert first.bibtex.startswith("@preamble{{\\providecommand{\\noopsort}[1]{}")
    assert "\\providecommand{\\venue}{Journal of Examples}" in first.bibtex
    assert "@article{p1," in first.bibtex
    assert second.bibtex == "@article{p2, title = {Plain}}"
    assert reparsed.title == first.title
    assert reparsed.venue == first.venue


def test_preamble_self_reference_stops():
    text = r"""@preamble{"\newcommand{\loop}{x\loop}"}
@misc{k, title = {A \loop{} B}}
"""
    paper = parse_one(text)
    assert paper.title.startswith("A x")
    assert paper.title.endswith("B")


def test_preamble_missing_argument_left_alone():
    text = r"""@preamble{"\newcommand{\pair}[2]{#1 and #2}"}
@misc{k, title = {A \pair{x}}}
"""
    assert parse_one(text).title == "A x"


def test_preamble_undefined_string_reported():
    result = parse_bibtex("@preamble{nope}\n@misc{k, title = {\\noopsort{a}T}}\n")
    assert [paper.title for paper in result.papers] == ["T"]
    assert len(result.failures) == 1
    assert result.failures[0].line == 1
    assert "@preamble" in result.failures[0].message
    assert "undefined macro `nope`" in result.failures[0].message


def test_escaped_backslash_not_expanded():
    text = r"""@preamble{"\newcommand{\word}{X}"}
@misc{k, title = {A\\word}}
"""
    assert "X" not in parse_one(text).title


# latex_to_text directly


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\texttt{X}", "X"),
        (r"\mbox{X}", "X"),
        (r"\textsf{X}", "X"),
        (r"\textup{X}", "X"),
        (r"\textmd{X}", "X"),
        (r"a\footnote{X}", "a X"),
        (r"{\noopsort{a}}Sorted", "Sorted"),
    ],
)
def test_latex_to_text_macros(latex, text):
    assert latex_to_text(latex) == text
