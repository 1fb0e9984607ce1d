import pytest
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)

from papers.bibtex import ParsedPaper, parse_bibtex
from papers.identifiers import parse_arxiv_id, parse_doi, parse_month
from papers.names import _split_capitalised_name, split_names


def parse_one(text: str) -> ParsedPaper:
    """Parse text that contains exactly one valid entry and return it."""
    result = parse_bibtex(text)
    assert result.failures == []
    assert len(result.papers) == 1
    return result.papers[0]


def by_key(text: str) -> dict[str, ParsedPaper]:
    return {paper.bibtex_key: paper for paper in parse_bibtex(text).papers}


ACCENTED = r"""@article{acc,
  author = {Aut{\'\i}or, A. and Pl{\v z}{\'\i}k, B. and Ex{\"o}mpl{\=e}-Token, C.},
  title = {{RNA} folding in {\"O}resund water},
  year = 2016
}"""


# Accents and case-protecting braces


def test_accented_last_names_decoded():
    paper = parse_one(ACCENTED)
    assert [a.last for a in paper.authors] == ["Autíor", "Plžík", "Exömplē-Token"]


def test_accented_display_names():
    paper = parse_one(ACCENTED)
    names = [a.display_name for a in paper.authors]
    assert names == ["A. Autíor", "B. Plžík", "C. Exömplē-Token"]


def test_case_protecting_braces_removed():
    assert parse_one(ACCENTED).title == "RNA folding in Öresund water"


def test_raw_entry_kept_verbatim():
    assert parse_one(ACCENTED).bibtex == ACCENTED


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"Gar\c{c}on", "Garçon"),
        (r"Fran{\c c}ois", "François"),
        (r"Stra{\ss}e", "Straße"),
        (r"\o{}stergaard", "østergaard"),
        (r"{\O}stergaard", "Østergaard"),
        (r"\AA{}berg", "Åberg"),
        (r"{\AA}ngstr{\"o}m", "Ångström"),
        (r"M{\"{u}}ller", "Müller"),
        (r"M\"uller", "Müller"),
        (r"\v{Z}i\v{z}ek", "Žižek"),
        (r"Erd{\H o}s", "Erdős"),
        (r"\L{}ukasiewicz", "Łukasiewicz"),
        (r"D\'{\i}az", "Díaz"),
        (r"Na{\"\i}ve", "Naïve"),
        (r"Espa\~na", "España"),
        (r"{\oe}uvre", "œuvre"),
        (r"\'{E}cole", "École"),
        (r"Ca\~{n}ada", "Cañada"),
    ],
)
def test_title_accent_decoded(latex, text):
    assert parse_one(f"@misc{{k, title = {{{latex}}}}}").title == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"{{Deep {RNA}} models}", "Deep RNA models"),
        (r"{{{Triple}}} nesting", "Triple nesting"),
        (r"{\em Emphasis} and \textit{italics}", "Emphasis and italics"),
        (r"Costs 5\% of \$10 \& more", "Costs 5% of $10 & more"),
        ("Spread\n   over   lines", "Spread over lines"),
        ("Tied~words", "Tied words"),
        ("Pages 10--20 --- or not", "Pages 10\u201320 \u2014 or not"),
        ("``Why'' not", "“Why” not"),
        ("Marc'Aurelio's model", "Marc'Aurelio's model"),
        (r"\LaTeX{} for all", "LaTeX for all"),
    ],
)
def test_title_text_cleaned(latex, text):
    assert parse_one(f"@misc{{k, title = {{{latex}}}}}").title == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"Cost $O(n^{2})$ of {RNA}", r"Cost $O(n^{2})$ of RNA"),
        (r"Sets $\left\{ x_{k} \right\}$", r"Sets $\left\{ x_{k} \right\}$"),
        (r"{$\alpha$}-{RNA} and $$x_{i}$$", r"$\alpha$-RNA and $$x_{i}$$"),
    ],
)
def test_title_math_kept_verbatim(latex, text):
    assert parse_one(f"@misc{{k, title = {{{latex}}}}}").title == text


def test_title_escaped_dollar_is_not_math():
    assert parse_one(r"@misc{k, title = {\$5 and {X}}}").title == "$5 and X"


def test_no_braces_left_in_titles_and_names():
    text = r"""@misc{k,
      author = {{\"O}zil, Mesut and {van der Berg}, Jan
                and J{\"{o}}rg {\relax Ch}ristian},
      title = {{{A}} {\v{C}}apek {B{\'e}zier} {{\"{O}}l} study},
    }"""
    paper = parse_one(text)
    shown = [paper.title] + [a.display_name for a in paper.authors]
    assert [s for s in shown if "{" in s or "}" in s] == []


# Names


@pytest.mark.parametrize(
    ("field", "first", "von", "last", "jr"),
    [
        ("Ludwig van Beethoven", "Ludwig", "van", "Beethoven", ""),
        ("van Beethoven, Ludwig", "Ludwig", "van", "Beethoven", ""),
        ("Smith, Jr., John", "John", "", "Smith", "Jr."),
        ("Jean de La Fontaine", "Jean", "de", "La Fontaine", ""),
        ("{Barnes and Noble}", "", "", "Barnes and Noble", ""),
        ("Donald E. Knuth", "Donald E.", "", "Knuth", ""),
        ("Plato", "", "", "Plato", ""),
    ],
)
def test_author_name_parts(field, first, von, last, jr):
    (author,) = parse_one(f"@misc{{k, title = {{T}}, author = {{{field}}}}}").authors
    assert (author.first, author.von, author.last, author.jr) == (first, von, last, jr)


def test_display_name_order():
    field = "Smith, Jr., John and van Beethoven, Ludwig"
    paper = parse_one(f"@misc{{k, title = {{T}}, author = {{{field}}}}}")
    names = [a.display_name for a in paper.authors]
    assert names == ["John Smith, Jr.", "Ludwig van Beethoven"]


def test_and_others_dropped():
    paper = parse_one("@misc{k, title = {T}, author = {A. Smith and others}}")
    assert [a.display_name for a in paper.authors] == ["A. Smith"]


def test_name_starting_with_macro_kept():
    paper = parse_one(r"@misc{k, title = {T}, author = {Bob Lee and \"Ozil, M.}}")
    assert [a.display_name for a in paper.authors] == ["Bob Lee", "M. Özil"]


def test_invalid_author_fails_entry():
    result = parse_bibtex("@misc{k, title = {T}, author = {A, B, C, D}}")
    assert result.failures[0].message.startswith("invalid author `A, B, C, D`")


@pytest.mark.parametrize(
    "value",
    [
        "A and B",
        "A  AND\nB and C",
        "Anders Anderson and Sandy Band",
        "A and",
        "and B",
        " A and B ",
        "A and and B",
        "{Barnes and Noble} and B",
        "{A {and} B} and C",
        r"D\'{\i}az and J{\"o}rg",
        "A~and~B",
        "{A} and{B}",
        "",
    ],
)
def test_split_names_matches_bibtexparser(value):
    assert split_names(value) == split_multiple_persons_names(value)


@pytest.mark.parametrize(
    "name",
    [
        "John Smith",
        "Smith, John",
        "Smith, Jr., John",
        "J. R. R. Tolkien",
        "Jean-Paul Sartre",
        "O'Neil, Ann",
        "Émile Zola",
        "Plato",
        "Ann Marie Van Dyke",
    ],
)
def test_capitalised_name_split_matches_bibtexparser(name):
    assert _split_capitalised_name(name) == parse_single_name_into_parts(name)


@pytest.mark.parametrize(
    "name", ["Ludwig van Beethoven", "{Barnes and Noble}", 'J{\\"o}rg M', "A~B"]
)
def test_capitalised_name_split_declines_others(name):
    assert _split_capitalised_name(name) is None


# Macros and months

MACROS = """@string{jnl = {Journal of Examples}}
@inproceedings{m1, title = {T}, year = 2001, month = jan, journal = jnl}
"""


def test_month_macro():
    assert parse_one(MACROS).month == 1


def test_string_macro():
    assert parse_one(MACROS).venue == "Journal of Examples"


def test_year_bare_number():
    assert parse_one(MACROS).year == 2001


@pytest.mark.parametrize(
    ("month", "number"),
    [
        ("jan", 1),
        ("DEC", 12),
        ("{January}", 1),
        ('"feb"', 2),
        ("{Sept.}", 9),
        ("1", 1),
        ("{12}", 12),
        ("{03}", 3),
        ("{13}", None),
        ("{Spring}", None),
    ],
)
def test_month_forms(month, number):
    assert parse_one(f"@misc{{k, title = {{T}}, month = {month}}}").month == number


def test_undefined_macro_fails_only_its_entry():
    text = """@misc{before, title = {A}}
@misc{bad, title = {B}, journal = nosuchjournal}
@misc{after, title = {C}}
"""
    result = parse_bibtex(text)
    assert [p.bibtex_key for p in result.papers] == ["before", "after"]


def test_undefined_macro_failure_names_macro_and_line():
    text = "@misc{before, title = {A}}\n\n@misc{bad,\n title = {B}, month = foo}\n"
    (failure,) = parse_bibtex(text).failures
    assert (failure.key, failure.line) == ("bad", 3)
    assert "undefined macro `foo`" in failure.message


def test_string_concatenation():
    text = """@string{pre = "Journal of "}
@string{full = pre # {Examples}}
@misc{k, title = "Part " # 2 # {: } # "Results", journal = full # " Letters"}
"""
    paper = parse_one(text)
    assert (paper.title, paper.venue) == (
        "Part 2: Results",
        "Journal of Examples Letters",
    )


def test_macro_names_case_insensitive():
    text = "@STRING{Jnl = {Journal}}\n@misc{k, title = {T}, journal = JNL}"
    assert parse_one(text).venue == "Journal"


def test_macro_defined_after_use():
    text = "@misc{k, title = {T}, journal = jnl}\n@string{jnl = {Journal}}"
    assert parse_one(text).venue == "Journal"


def test_string_with_undefined_macro_fails_users():
    text = "@string{a = nope}\n@misc{k, title = {T}, journal = a}"
    (failure,) = parse_bibtex(text).failures
    assert "undefined macro `nope`" in failure.message


def test_comment_and_preamble_add_no_papers():
    text = r"""% a line comment
@comment{jabref-meta: groups; @misc{ghost, title = {Ghost}}}
@preamble{"\newcommand{\noop}[1]{}"}
Free text between entries is a comment too.
@misc{k, title = {T}}
"""
    result = parse_bibtex(text)
    assert [p.bibtex_key for p in result.papers] == ["k"]
    assert result.failures == []


# Keys

KEYS = [
    "DBLP:journals/corr/ExampleXY16",
    "Writer:2016:ABC:1234567.7654321",
    "10.1000/0123-4567(99)00001-2",
    "journals/jmlr/GlorotB10",
]


@pytest.mark.parametrize("key", KEYS)
def test_key_stored_verbatim(key):
    assert parse_one(f"@article{{{key}, title = {{T}}}}").bibtex_key == key


@pytest.mark.parametrize("key", KEYS)
def test_key_verbatim_in_parenthesised_entry(key):
    paper = parse_one(f"@article({key},\n  title = {{T (with parentheses)}}\n)")
    assert (paper.bibtex_key, paper.title) == (key, "T (with parentheses)")


def test_parenthesised_entry_raw_has_original_key():
    text = "@article(10.1000/0123-4567(99)00001-2, title = {T})"
    assert parse_one(text).bibtex == text


def test_duplicate_key_fails_later_entry():
    text = (
        "@misc{k, title = {First}}\n"
        "@misc{other, title = {O}}\n"
        "@misc{k, title = {Second}}\n"
    )
    result = parse_bibtex(text)
    assert by_key(text)["k"].title == "First"
    assert (result.failures[0].key, result.failures[0].line) == ("k", 3)


def test_duplicate_key_message_names_first_line():
    text = "@misc{k, title = {First}}\n@misc{k, title = {Second}}\n"
    assert "on line 1" in parse_bibtex(text).failures[0].message


def test_missing_key_reported():
    (failure,) = parse_bibtex("@misc{k, title = {A}}\n@misc{, title = {B}}").failures
    assert (failure.line, failure.message.startswith("missing key")) == (2, True)


def test_key_with_space_reported():
    (failure,) = parse_bibtex("@misc{my key, title = {A}}").failures
    assert failure.message.startswith("invalid key `my key`")


def test_missing_title_reported():
    (failure,) = parse_bibtex("@misc{k, author = {A. B.}}").failures
    assert (failure.key, failure.message) == ("k", "missing title")


def test_empty_title_reported():
    (failure,) = parse_bibtex("@misc{k, title = {{}}}").failures
    assert failure.message == "missing title"


def test_duplicate_field_reported():
    (failure,) = parse_bibtex("@misc{k, title = {A}, Title = {B}}").failures
    assert (failure.key, failure.message) == ("k", "field `title` is given twice")


MALFORMED = """@misc{first, title = {First}}

@misc{broken,
  title = {Never closed,
  year = 2001

@misc{last, title = {Last}}
"""


def test_malformed_entry_keeps_neighbours():
    assert [p.bibtex_key for p in parse_bibtex(MALFORMED).papers] == ["first", "last"]


def test_malformed_entry_reported_with_line():
    (failure,) = parse_bibtex(MALFORMED).failures
    assert (failure.key, failure.line) == ("broken", 3)


def test_malformed_entry_message_says_syntax_error():
    (failure,) = parse_bibtex(MALFORMED).failures
    assert failure.message.startswith("syntax error:")


def test_nul_characters_removed():
    assert parse_one("@misc{k, title = {A\x00B}}").title == "AB"


def test_line_numbers_count_from_one():
    text = "\n\n@misc{a, title = {A}}\n@misc{b,\n title = {B}}"
    assert [p.line for p in parse_bibtex(text).papers] == [3, 4]


def test_comment_line_before_field_ignored():
    text = "@misc{k,\n  title = {T}, % the title\n  year = 2001\n}"
    assert parse_one(text).year == 2001


def test_adjacent_strings_without_hash_rejected():
    (failure,) = parse_bibtex("@misc{k, title = {a}{b}}").failures
    assert failure.message.startswith("field `title`: expected `#`")


def test_trailing_comma_accepted():
    assert parse_one("@misc{k, title = {T},}").title == "T"


def test_entry_type_lowercased():
    assert parse_one("@ARTICLE{k, TITLE = {T}}").entry_type == "article"


# Identifiers


@pytest.mark.parametrize(
    ("fields", "arxiv_id", "version"),
    [
        ("eprint = {1805.11604}, archivePrefix = {arXiv}", "1805.11604", None),
        ("eprint = {1805.11604v3}, archiveprefix = {arXiv}", "1805.11604", 3),
        ("eprint = {arXiv:1412.6980}", "1412.6980", None),
        ("eprint = {hep-th/9901001v2}, archivePrefix = {arXiv}", "hep-th/9901001", 2),
        ("eprint = {math.GT/0309136}, eprinttype = {arxiv}", "math/0309136", None),
        ("journal = {CoRR}, volume = {abs/1805.11604}", "1805.11604", None),
        ("journal = {CoRR}, volume = {abs/cs/0101001}", "cs/0101001", None),
        ("url = {https://arxiv.org/abs/1703.06870v2}", "1703.06870", 2),
        ("url = {http://arxiv.org/pdf/1311.2524.pdf}", "1311.2524", None),
        ("url = {https://arxiv.org/abs/hep-th/9901001}", "hep-th/9901001", None),
        ("journal = {arXiv preprint arXiv:1412.6980}", "1412.6980", None),
        ("eprint = {12345}, archivePrefix = {PubMed}", "", None),
        ("url = {https://example.org/1805.11604}", "", None),
    ],
)
def test_arxiv_id_sources(fields, arxiv_id, version):
    paper = parse_one(f"@misc{{k, title = {{T}}, {fields}}}")
    assert (paper.arxiv_id, paper.arxiv_version) == (arxiv_id, version)


def test_corr_venue_kept():
    paper = parse_one(
        "@article{k, title = {T}, journal = {CoRR}, volume = {abs/1805.11604}}"
    )
    assert paper.venue == "CoRR"


def test_booktitle_is_venue():
    assert (
        parse_one("@inproceedings{k, title = {T}, booktitle = {ICCV}}").venue == "ICCV"
    )


def test_arxiv_versioned_form():
    assert parse_arxiv_id("1805.11604v2").versioned == "1805.11604v2"


@pytest.mark.parametrize("value", ["1805.116", "18051.11604", "hep-th/990100", "abc"])
def test_invalid_arxiv_ids_rejected(value):
    assert parse_arxiv_id(value) is None


@pytest.mark.parametrize(
    ("fields", "doi"),
    [
        ("doi = {10.1145/2939672.2939778}", "10.1145/2939672.2939778"),
        ("doi = {https://doi.org/10.1109/CVPR.2014.220}", "10.1109/CVPR.2014.220"),
        ("doi = {http://dx.doi.org/10.1000/ABC}", "10.1000/ABC"),
        ("doi = {doi:10.1000/xyz}", "10.1000/xyz"),
        (r"doi = {10.1000/a\_b}", "10.1000/a_b"),
        ("url = {https://doi.org/10.1000/from-url}", "10.1000/from-url"),
        ("doi = {not a doi}", ""),
    ],
)
def test_doi_sources(fields, doi):
    assert parse_one(f"@misc{{k, title = {{T}}, {fields}}}").doi == doi


def test_doi_without_prefix_unchanged():
    assert parse_doi("10.1000/0123-4567(99)00001-2") == "10.1000/0123-4567(99)00001-2"


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        ("https://example.org/paper.pdf", "https://example.org/paper.pdf"),
        (r"http://example.org/a\_b?x=1\&y=2", "http://example.org/a_b?x=1&y=2"),
        (r"\url{https://example.org/x}", "https://example.org/x"),
        ("javascript:alert(7)", ""),
        ("data:text/html,<b>7</b>", ""),
        ("ftp://example.org/file", ""),
    ],
)
def test_url_http_only(url, stored):
    assert parse_one(f"@misc{{k, title = {{T}}, url = {{{url}}}}}").url == stored


@pytest.mark.parametrize(
    ("value", "month"),
    [
        ("Jan.", 1),
        ("june", 6),
        ("January~15", 1),
        ("15 Mar", 3),
        ("Jul--Aug", 7),
        ("0", None),
        ("Mayo", None),
    ],
)
def test_parse_month(value, month):
    assert parse_month(value) == month


def test_year_with_suffix():
    assert parse_one("@misc{k, title = {T}, year = {2016a}}").year == 2016


# The real front-page file


def test_frontpage_parses_ten_papers(frontpage_bib):
    result = parse_bibtex(frontpage_bib.read_text(encoding="utf-8"))
    assert len(result.papers) == 10
    assert result.failures == []


def test_frontpage_glorot_authors(frontpage_bib):
    papers = by_key(frontpage_bib.read_text(encoding="utf-8"))
    names = [a.display_name for a in papers["journals/jmlr/GlorotB10"].authors]
    assert names == ["Xavier Glorot", "Yoshua Bengio"]


def test_frontpage_accented_authors(frontpage_bib):
    papers = by_key(frontpage_bib.read_text(encoding="utf-8"))
    assert "Piotr Dollár" in [
        a.display_name for a in papers["journals/corr/HeGDG17"].authors
    ]
    assert "Marco Túlio Ribeiro" in [
        a.display_name for a in papers["journals/corr/RibeiroSG16"].authors
    ]


def test_frontpage_quoted_title(frontpage_bib):
    paper = by_key(frontpage_bib.read_text(encoding="utf-8"))[
        "journals/corr/RibeiroSG16"
    ]
    assert paper.title == (
        "“Why Should I Trust You?”: Explaining the Predictions of Any Classifier"
    )


def test_frontpage_identifiers(frontpage_bib):
    papers = by_key(frontpage_bib.read_text(encoding="utf-8"))
    assert papers["journals/corr/abs-1805-11604"].arxiv_id == "1805.11604"
    assert papers["conf/cvpr/TaigmanYRW14"].doi == "10.1109/CVPR.2014.220"
    assert papers["conf/cvpr/TaigmanYRW14"].title.startswith("DeepFace: Closing")


def test_macros_with_arguments_fail_no_entry():
    result = parse_bibtex(
        r"""
@article{h1, title = {x \href{http://a.example}{linked}}, author = {A, B}, year = 2000}
@article{h2, title = {\verb|code| title}, author = {A, B}, year = 2000}
@article{h3, title = {Half \frac{a}}, journal = {\href{http://a.example}{J}},
  author = {A, B}, year = 2000}
@article{h4, title = {Plain}, author = {A, B}, year = 2000}
"""
    )

    titles = {paper.bibtex_key: paper.title for paper in result.papers}
    assert result.failures == []
    assert titles["h1"] == "x linked"
    assert "code" in titles["h2"]
    assert "%s" not in titles["h3"]
    assert titles["h4"] == "Plain"
    assert result.papers[2].venue == "J"


def test_raw_entry_carries_its_string_macros():
    result = parse_bibtex(
        """@string{jnl = {Journal of Examples}}
@string{unused = {Never Used}}
@article{m1, title = {T}, year = 2001, month = jan, journal = jnl, author = {A, B}}
"""
    )
    raw = result.papers[0].bibtex

    reparsed = parse_bibtex(raw)

    assert "@string{jnl = {Journal of Examples}}" in raw
    assert "unused" not in raw
    assert "@string{jan" not in raw
    assert reparsed.failures == []
    assert reparsed.papers[0].venue == "Journal of Examples"
