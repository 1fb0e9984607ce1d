"""Tests for shortscience.markup: Markdown, math, links, sanitising, limits."""

import html
import json
import os
import re
import signal
import threading
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from shortscience.markup import (
    Formula,
    extract_formulas,
    katex,
    render_markdown,
    sanitize_html,
    validate_source,
)

# Helpers


class _Elements(HTMLParser):
    """Collect (tag, attributes) pairs, values entity-decoded as a browser does."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)


def elements(markup: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(markup)
    parser.close()
    return parser.elements


def visible_text(markup: str) -> str:
    parser = _Elements()
    parser.feed(markup)
    parser.close()
    return "".join(parser.text)


def tags(markup: str, name: str) -> list[dict[str, str]]:
    return [attrs for tag, attrs in elements(markup) if tag == name]


def annotations(markup: str) -> list[str]:
    """Return the TeX that each <math> element carries, entity-decoded."""
    found = re.findall(
        r'<annotation encoding="application/x-tex">(.*?)</annotation>',
        markup,
        flags=re.DOTALL,
    )
    return [html.unescape(tex) for tex in found]


def without_math(markup: str) -> str:
    return re.sub(r"<math\b.*?</math>", "", markup, flags=re.DOTALL)


def url_scheme(url: str) -> str:
    """Return the URL scheme a browser would see, lower case, or "" if relative.

    Browsers trim leading and trailing controls and spaces and drop tabs and
    newlines anywhere before they parse a URL.
    """
    url = url.strip("".join(chr(code) for code in range(0x21)))
    url = re.sub(r"[\t\n\r]", "", url)
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return match.group(1).lower() if match else ""


def urls(markup: str) -> list[str]:
    return [
        attrs[name]
        for _, attrs in elements(markup)
        for name in ("href", "src", "action", "formaction", "xlink:href")
        if name in attrs
    ]


SAFE_SCHEMES = {"", "http", "https", "mailto"}


# Braces, underscores and backslashes inside inline math

BRACES_SOURCE = (
    r"Set $\left\{ x_{k} \right\}$ and $p_{i} + {q_{i}r}_{i}$ then $\max_{i} q_{i}$"
)
BRACES_FORMULAS = [
    r"\left\{ x_{k} \right\}",
    r"p_{i} + {q_{i}r}_{i}",
    r"\max_{i} q_{i}",
]


def test_braces_three_inline_formulas():
    assert render_markdown(BRACES_SOURCE).count("<math") == 3


def test_braces_tex_byte_for_byte():
    assert annotations(render_markdown(BRACES_SOURCE)) == BRACES_FORMULAS


def test_braces_no_emphasis():
    assert "<em>" not in render_markdown(BRACES_SOURCE)


def test_braces_formulas_extracted():
    assert [f.tex for f in extract_formulas(BRACES_SOURCE)] == BRACES_FORMULAS


@pytest.mark.parametrize(
    "tex",
    [
        r"a_1 b_2 c_3",
        r"x*y*z",
        r"a_{i}^{*} + b_{j}^{*}",
        r"\mathbf{x}_i^\top \mathbf{y}_j",
        r"\{ \} \_ \# \& \% \$",
        r"\| x \|_2 \le \|y\|_2",
        r"a \, b \; c \! d \quad e",
        r"\text{a and *c*} x_1",
        r"f(x) = \sum_{i=1}^{n} w_i x_i",
        r"\mathcal{N}(\mu=0, \sigma=0.01)",
    ],
)
def test_inline_tex_survives_markdown(tex):
    page = render_markdown(f"Before ${tex}$ after _and_ *this*.")
    assert annotations(page) == [tex]
    assert page.count("<em>") == 2


@pytest.mark.parametrize(
    ("source", "tex"),
    [
        (r"a \(x_1 * y_2\) b", r"x_1 * y_2"),
        (r"a $$x_1 * y_2$$ b", r"x_1 * y_2"),
        (r"a \[x_1 * y_2\] b", r"x_1 * y_2"),
        ("$$\nx_1 * y_2\n$$", r"x_1 * y_2"),
        ("\\[\nx_1 * y_2\n\\]", r"x_1 * y_2"),
    ],
)
def test_every_delimiter_keeps_tex(source, tex):
    page = render_markdown(source)
    assert annotations(page) == [tex]
    assert "<em>" not in page


def test_inline_double_dollar_is_display_in_paragraph():
    page = render_markdown(r"a weight $$W \sim U[-1, 1]$$ where $n$ is")
    assert '<p>a weight <span class="math math-display">' in page
    assert 'display="block"' in page
    assert page.count("<math") == 2


def test_block_math_gets_display_wrapper():
    page = render_markdown("$$\nE = mc^2\n$$")
    assert page.startswith('<div class="math math-display">')


def test_inline_math_gets_inline_wrapper():
    page = render_markdown("$E = mc^2$")
    assert '<span class="math math-inline"><span class="katex"><math' in page


@pytest.mark.parametrize(
    "source",
    [
        "A price $5 and $10 stays text.",
        "It costs $5, or $ 10 with tax.",
        "Between 5$ and 10$ per month.",
        "Use \\$x\\$ for literal dollars.",
    ],
)
def test_prices_stay_text(source):
    page = render_markdown(source)
    assert "<math" not in page
    assert "$" in visible_text(page)


# Display environments with row breaks

ALIGN_TEX = "\\begin{align*}\nv_t(y,s) &= g(y,s) \\\\\nv(y,0) &= v_0\n\\end{align*}"


@pytest.mark.parametrize(
    "source",
    [f"$$\n{ALIGN_TEX}\n$$", ALIGN_TEX, f"\\[\n{ALIGN_TEX}\n\\]"],
    ids=["dollars", "bare", "brackets"],
)
def test_align_renders_two_rows(source):
    page = render_markdown(source)
    assert page.count("<mtr>") == 2
    assert annotations(page) == [ALIGN_TEX]
    assert "math-error" not in page


@pytest.mark.parametrize(
    ("environment", "rows"),
    [
        ("align", 2),
        ("equation", 1),
        ("gather*", 2),
        ("alignat*", 2),
        ("pmatrix", 2),
        ("bmatrix", 2),
    ],
)
def test_bare_environment_is_display_math(environment, rows):
    if environment.rstrip("*") in {"equation"}:
        body = "a_1 = b_1"
    elif environment.startswith("alignat"):
        body = "a &= b \\\\\nc &= d"
    else:
        body = "a & b \\\\\nc & d" if "matrix" in environment else "a = b \\\\\nc = d"
    opening = f"\\begin{{{environment}}}" + ("{2}" if "alignat" in environment else "")
    tex = f"{opening}\n{body}\n\\end{{{environment}}}"
    page = render_markdown(f"Text before.\n\n{tex}\n\nText after.")
    assert page.count("<mtr>") == rows
    assert annotations(page) == [tex]
    assert '<div class="math math-display">' in page


def test_environment_inside_list_item():
    source = "- item\n\n  \\begin{align}\n  a &= b \\\\\n  c &= d\n  \\end{align}\n"
    page = render_markdown(source)
    assert page.count("<mtr>") == 2


def test_unclosed_environment_stays_text():
    page = render_markdown("\\begin{align}\na &= b\n\nno end")
    assert "<math" not in page
    assert "\\begin{align}" in visible_text(page)


# Dollar signs inside code

CODE_SOURCE = (
    "```php\n$total = $cart->sum();\n```\n\n"
    "$$ p x^2 + q x + r = 0 $$\n\n"
    "```\necho $HOME\n```\n\n"
    "Run `echo $HOME and $PATH` to see."
)


def test_code_blocks_keep_dollars():
    page = render_markdown(CODE_SOURCE)
    assert page.count("<pre><code") == 2
    assert "$total = $cart-&gt;sum();" in page
    assert "echo $HOME\n</code></pre>" in page


def test_display_formula_between_code():
    page = render_markdown(CODE_SOURCE)
    assert page.count("<math") == 1
    assert annotations(page) == ["p x^2 + q x + r = 0"]
    first_code, formula, second_code = (
        page.index("<pre>"),
        page.index("<math"),
        page.rindex("<pre>"),
    )
    assert first_code < formula < second_code


def test_code_span_has_no_math():
    page = render_markdown(CODE_SOURCE)
    assert "<code>echo $HOME and $PATH</code>" in page


def test_extract_skips_code():
    assert extract_formulas(CODE_SOURCE) == [
        Formula(tex="p x^2 + q x + r = 0", display=True, line=5)
    ]


@pytest.mark.parametrize(
    "source",
    [
        "`$x$` and ``$$y$$``",
        "    $indented = 1; $code = 2;\n",
        "~~~\n$$\nnot math\n$$\n~~~",
        "`\\(x\\)` and `\\[y\\]`",
    ],
)
def test_dollars_in_code_stay_literal(source):
    page = render_markdown(source)
    assert "<math" not in page
    assert extract_formulas(source) == []


# The ten real front-page summaries

FRONTPAGE = settings.FRONTPAGE_DATA_DIR / "summaries"

# Formulas per file, counted with FORMULA_RE below and checked by hand; the
# files contain no code, so every $ belongs to a formula.
FRONTPAGE_FORMULAS = {
    "01.md": 0,
    "02.md": 0,
    "03.md": 13,
    "04.md": 15,
    "05.md": 0,
    "06.md": 0,
    "07.md": 5,
    "08.md": 0,
    "09.md": 7,
    "10.md": 40,
}
FORMULA_RE = re.compile(r"\$\$.+?\$\$|\$[^$]+?\$", re.DOTALL)


def frontpage_files() -> list[str]:
    index = FRONTPAGE / "index.json"
    if not index.exists():
        return []
    return [entry["file"] for entry in json.loads(index.read_text())]


@pytest.fixture
def frontpage():
    if not FRONTPAGE.exists():
        pytest.skip(f"no real data at {FRONTPAGE}; set SHORTSCIENCE_SHARED_DATA")

    def read(name: str) -> str:
        return (FRONTPAGE / name).read_text(encoding="utf-8")

    return read


def test_frontpage_index_lists_ten_files(frontpage):
    assert frontpage_files() == sorted(FRONTPAGE_FORMULAS)


@pytest.mark.parametrize("name", sorted(FRONTPAGE_FORMULAS))
def test_frontpage_formula_count_pinned(frontpage, name):
    source = frontpage(name)
    assert len(FORMULA_RE.findall(source)) == FRONTPAGE_FORMULAS[name]
    assert len(extract_formulas(source)) == FRONTPAGE_FORMULAS[name]


@pytest.mark.parametrize("name", sorted(FRONTPAGE_FORMULAS))
def test_frontpage_every_formula_renders(frontpage, name):
    source = frontpage(name)
    page = render_markdown(source)
    assert page.count("<math") == len(extract_formulas(source))
    assert "math-error" not in page
    assert "$" not in visible_text(without_math(page))


@pytest.mark.parametrize("name", sorted(FRONTPAGE_FORMULAS))
def test_frontpage_annotations_match_source(frontpage, name):
    source = frontpage(name)
    expected = [match.strip("$").strip() for match in FORMULA_RE.findall(source)]
    assert annotations(render_markdown(source)) == expected


def test_frontpage_residual_unit_equation(frontpage):
    page = render_markdown(frontpage("03.md"))
    assert any("y_l = h(x_l) + F(x_l, W_l)" in tex for tex in annotations(page))


def test_frontpage_initialisation_range(frontpage):
    # 07.md: W \sim U \left [ -\frac{\sqrt{6}}{...}, ... \right ] inside a paragraph.
    page = render_markdown(frontpage("07.md"))
    ranges = [tex for tex in annotations(page) if tex.startswith(r"W \sim U")]
    assert len(ranges) == 1
    assert r"\left [" in ranges[0]
    assert r"\right ]" in ranges[0]
    assert "math-error" not in page


def test_frontpage_range_is_display_inline(frontpage):
    page = render_markdown(frontpage("07.md"))
    assert '<span class="math math-display"><span class="katex"><math' in page


def test_frontpage_bare_image_urls(frontpage):
    page = render_markdown(frontpage("06.md"))
    sources = [attrs["src"] for attrs in tags(page, "img")]
    assert "https://i.imgur.com/0dGX9b7.png" in sources
    assert len(sources) == 4


# MathML structure of environments and operators


def mathml(tex: str, display: bool = True) -> str:
    return render_markdown(f"$${tex}$$" if display else f"${tex}$")


def test_aligned_rows_and_cells():
    page = mathml(r"\begin{aligned} a &= b + c \\ d &= e \end{aligned}")
    assert page.count("<mtable") == 1
    assert page.count("<mtr>") == 2
    assert page.count("<mtd>") == 4


def test_cases_rows_and_text():
    page = mathml(r"f(x) = \begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}")
    assert page.count("<mtr>") == 2
    assert "<mtext>otherwise</mtext>" in page


def test_bmatrix_is_bracketed_table():
    page = mathml(r"\begin{bmatrix} a & b \\ c & d \end{bmatrix}")
    assert page.count("<mtr>") == 2
    assert page.count("<mtd>") == 4
    assert '<mo fence="true">[</mo>' in page


def test_operatorname_star_arg_max():
    page = mathml(r"\operatorname*{arg\,max}_{\theta} L(\theta)")
    assert re.search(r'<munder><mrow><mi mathvariant="normal">arg\W+max</mi>', page)


def test_arg_max_operators():
    page = mathml(r"\arg\max_{x} f(x)")
    assert "<mi>arg</mi><mo>\u2061</mo><munder><mrow><mi>max</mi>" in page


def test_mathbb_is_double_struck():
    page = mathml(r"\mathbb{E}[X]", display=False)
    assert '<mi mathvariant="double-struck">E</mi>' in page


def test_text_is_mtext():
    page = html.unescape(mathml(r"x \text{ for all } y", display=False))
    assert re.search(r"<mtext>\s*for\s+all\s*</mtext>", page)


# Formulas that fail


def test_bad_formula_shows_escaped_source():
    page = render_markdown(r"See $\frac{a <b>$ here.")
    errors = tags(page, "span")
    marked = [attrs for attrs in errors if attrs.get("class") == "math-error"]
    assert len(marked) == 1
    assert marked[0]["title"].startswith("Could not render this formula: ")
    assert r"\frac{a <b>" in visible_text(page)
    assert "<b>" not in page


def test_bad_display_formula_keeps_wrapper():
    page = render_markdown("$$\n\\undefinedcommand{x}\n$$")
    assert page.startswith('<div class="math math-display"><span class="math-error"')
    assert "\\undefinedcommand{x}" in visible_text(page)


def test_deep_braces_rejected_quickly():
    page = render_markdown("$" + "{" * 3000 + "x" + "}" * 3000 + "$")
    assert "math-error" in page
    assert "nested 3000 levels deep" in page


@pytest.mark.parametrize(
    "tex",
    [
        r"\left(" * 200 + "x" + r"\right)" * 200,
        r"\begin{matrix}" * 100 + "x" + r"\end{matrix}" * 100,
        r"\boxed{" * 40 + "x" + "}" * 40,
        r"\color{red}" * 200 + "x",
        r"\text{$" * 100 + "x" + "$}" * 100,
    ],
)
def test_deep_nesting_rejected_before_katex(tex):
    assert katex.nesting_depth(tex) > katex.MAX_NESTING


def test_stack_overflow_restarts_renderer():
    process = katex.KatexProcess()
    try:
        for _ in range(6):
            kind, message = process.convert("{" * 400 + "x" + "}" * 400, False)
            assert (kind, message) == ("error", katex.STACK_OVERFLOW_MESSAGE)
        kind, _ = process.convert("x_1", False)
        assert kind == "html"
    finally:
        process.stop()


def test_killed_renderer_restarts():
    process = katex.KatexProcess()
    try:
        process.convert("x", False)
        os.kill(process._process.pid, signal.SIGKILL)
        process._process.wait()
        kind, _ = process.convert("y", False)
        assert kind == "html"
    finally:
        process.stop()


def test_renderer_timeout_is_formula_error(monkeypatch):
    process = katex.KatexProcess()
    monkeypatch.setattr(katex, "CONVERT_TIMEOUT_S", 0.0)
    try:
        with pytest.raises(katex.FormulaError, match="timed out"):
            process.convert("z", False)
        monkeypatch.setattr(katex, "CONVERT_TIMEOUT_S", 10.0)
        assert process.convert("z", False)[0] == "html"
    finally:
        process.stop()


def test_invalid_renderer_output_is_formula_error(monkeypatch, tmp_path):
    script = tmp_path / "prints_text.py"
    script.write_text(
        "import sys\nfor line in sys.stdin:\n    print('hello', flush=True)\n"
    )
    monkeypatch.setattr(katex, "WORKER_SCRIPT", script)
    process = katex.KatexProcess()
    try:
        with pytest.raises(katex.FormulaError, match="invalid response"):
            process.convert("x", False)
    finally:
        process.stop()


def test_missing_renderer_is_formula_error(monkeypatch, tmp_path):
    monkeypatch.setattr(katex, "WORKER_SCRIPT", tmp_path / "missing.py")
    process = katex.KatexProcess()
    try:
        with pytest.raises(katex.FormulaError, match="crashed"):
            process.convert("x", False)
    finally:
        process.stop()


def test_untrusted_tex_commands_do_not_link():
    page = render_markdown(r"$\href{javascript:alert(1)}{x} \url{https://a.example}$")
    assert tags(page, "a") == []
    assert urls(page) == []


def test_huge_rule_is_capped():
    page = render_markdown(r"$\rule{5000em}{5000em}$")
    assert "5000em" not in without_math(page)
    assert 'width="20em"' in page


# Never raises


@pytest.mark.parametrize(
    "source",
    [
        "",
        "\x00",
        "a\ud800b",
        "$\ud800$",
        "$a\x00b$",
        "$",
        "$$",
        "$$$",
        "\\",
        "\\(",
        "\\[",
        "\\cite{",
        "\\cite{}",
        "\\begin{align}",
        "[",
        "`",
        "$\\\\$",
        "| a |\n|---|\n| $x |",
        "> $$\n> x\n",
        "- $$\n  x\n- $$",
        "\u202e$x$\u202d",
    ],
)
def test_render_never_raises(source):
    assert isinstance(render_markdown(source), str)


def test_lone_surrogates_sanitised():
    assert "\ufffd" in sanitize_html("<p>a\ud800b</p>")


# Limits: these must finish (timings are in bench/render_limits.py)


def test_many_brackets_render():
    page = render_markdown("[" * 20_000)
    assert page.count("[") == 20_000


def test_deeply_nested_list_renders():
    source = "".join("  " * level + "- item\n" for level in range(1000))
    assert "<li>" in render_markdown(source)


def test_nested_list_on_one_line_renders():
    assert "<ul>" in render_markdown("- " * 1000 + "x")


def test_unclosed_openers_render():
    source = "$$x\n\n" * 2000 + "\\begin{align}\n" * 2000 + "\\(" * 2000
    assert "<math" not in render_markdown(source)


# Citations


@pytest.mark.parametrize(
    "key",
    [
        "DBLP:journals/corr/ExampleXY16",
        "Writer:2016:ABC:1234567.7654321",
        "10.1000/0123-4567(99)00001-2",
        "journals/corr/HeZR016",
    ],
)
def test_cite_links_to_paper(key):
    page = render_markdown(f"As shown in \\cite{{{key}}}.")
    links = tags(page, "a")
    assert len(links) == 1
    assert unquote(links[0]["href"]) == f"/paper/{key}"
    assert f"[{key}]" in visible_text(page)


def test_cite_several_keys():
    page = render_markdown(r"See \cite{a/b, c:d,e.f}.")
    hrefs = [unquote(attrs["href"]) for attrs in tags(page, "a")]
    assert hrefs == ["/paper/a/b", "/paper/c:d", "/paper/e.f"]
    assert "[a/b, c:d, e.f]" in visible_text(page)


def test_cite_key_escaped():
    page = render_markdown(r"See \cite{x<script>y}.")
    assert "<script" not in page
    assert "x<script>y" in visible_text(page)


def test_cite_href_percent_encoded():
    href = tags(render_markdown(r"\cite{a#b?c%d}"), "a")[0]["href"]
    assert "#" not in href
    assert "?" not in href
    assert unquote(href) == "/paper/a#b?c%d"


@pytest.mark.parametrize(
    "source",
    ["`\\cite{a}`", "$\\cite{a}$", "\\cite{}", "\\cite{a b}", "\\\\cite{a}"],
)
def test_cite_not_linked(source):
    page = render_markdown(source)
    assert not [attrs for attrs in tags(page, "a") if "/paper/" in attrs["href"]]


def test_cite_inside_link_is_text():
    page = render_markdown(r"[see \cite{k}](https://example.com)")
    assert len(tags(page, "a")) == 1
    assert "[k]" in visible_text(page)


# Bare URLs


@pytest.mark.parametrize(
    "url",
    [
        "https://i.imgur.com/0dGX9b7.png",
        "https://example.com/a/b.jpg",
        "https://example.com/b.JPEG",
        "http://example.com/c.gif?raw=1",
        "https://example.com/d.webp",
        "https://example.com/e.svg",
    ],
)
def test_bare_image_url_is_image(url):
    page = render_markdown(f"Figure: {url} shows it.")
    images = tags(page, "img")
    assert len(images) == 1
    assert images[0]["src"] == url
    assert tags(page, "a") == []


def test_bare_url_is_link():
    page = render_markdown("Code at https://github.com/example/repo today.")
    links = tags(page, "a")
    assert [attrs["href"] for attrs in links] == ["https://github.com/example/repo"]


def test_explicit_image_link_stays_link():
    page = render_markdown("[figure](https://example.com/f.png)")
    assert tags(page, "img") == []
    assert len(tags(page, "a")) == 1


@pytest.mark.parametrize(
    "source",
    ["`https://example.com/f.png`", "$https://example.com/f.png$"],
)
def test_bare_url_in_code_or_math_untouched(source):
    page = render_markdown(source)
    assert tags(page, "img") == []
    assert tags(page, "a") == []


# Script-capable link schemes

SCHEME_LINES = [
    "[a](javascript:void(7))",
    "[b](JaVaScRiPt:void(7))",
    "[c](javascript&#58;void(7))",
    "[d](javascript&#x3A;void(7))",
    "[e](vbscript:msgbox(7))",
    "[f](data:text/html,<b>7</b>)",
]

MORE_BAD_LINKS = [
    "[g](<javascript:alert(1)>)",
    "[h](&#106;avascript:alert(1))",
    "[i](javascript&colon;alert(1))",
    "[j](<java\tscript:alert(1)>)",
    "[k](<\x01javascript:alert(1)>)",
    "[l](<java\nscript:alert(1)>)",
    "[m](  javascript:alert(1))",
    "[n](javascript%3Aalert(1))",
    "[o](&#x6A;&#x61;&#x76;&#x61;script:alert(1))",
    "[p](jav&#x09;ascript:alert(1))",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "[q][ref]\n\n[ref]: javascript:alert(1)",
    "[r][ref]\n\n[ref]: <data:text/html;base64,PHNjcmlwdD4=>",
    "![s](javascript:alert(1))",
    "![t](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    "![u](data:image/png;base64,iVBORw0KGgo=)",
    "![v][img]\n\n[img]: vbscript:x",
    "[w](file:///etc/passwd)",
    "javascript:alert(1) and www.example.com and data:text/html,x",
    "[x](java&#115;cript:alert(1))",
]


@pytest.mark.parametrize("source", SCHEME_LINES + MORE_BAD_LINKS)
def test_no_script_capable_urls(source):
    page = render_markdown(source)
    schemes = {url_scheme(url) for url in urls(page)}
    assert schemes <= SAFE_SCHEMES


@pytest.mark.parametrize("line", SCHEME_LINES)
def test_bad_scheme_link_text_kept(line):
    label = line[1]
    text = visible_text(render_markdown(line))
    assert re.search(rf"(?<![a-z]){label}(?![a-z])", text)


def test_bad_schemes_together():
    page = render_markdown("\n".join(SCHEME_LINES))
    assert {url_scheme(url) for url in urls(page)} <= SAFE_SCHEMES


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[m](mailto:someone@example.com)", "mailto:someone@example.com"),
        ("[r](/paper/journals/corr/HeZR016)", "/paper/journals/corr/HeZR016"),
        ("[h](https://example.com/?a=1&b=2)", "https://example.com/?a=1&b=2"),
        ("<https://example.com/x>", "https://example.com/x"),
    ],
)
def test_safe_links_kept(source, href):
    links = tags(render_markdown(source), "a")
    assert [attrs["href"] for attrs in links] == [href]
    assert links[0]["rel"] == "nofollow ugc noopener"


# Attribute break-out through alt text and titles


@pytest.mark.parametrize(
    "source",
    [
        '![\\" onerror=console.log(7) ](pic.png)',
        '![a" onerror="console.log(7)](pic.png)',
        "![a' onerror='console.log(7)](pic.png)",
        '![x](pic.png "t\\" onload=\\"console.log(7)")',
        "![x](pic.png onerror=console.log(7))",
        '[x](https://a.example "t\\" onmouseover=\\"console.log(7)")',
        '![x"><img src=y onerror=console.log(7)>](pic.png)',
    ],
)
def test_no_event_attributes(source):
    page = render_markdown(source)
    for tag, attrs in elements(page):
        assert not [name for name in attrs if name.startswith("on")], tag


def test_image_keeps_src_and_alt():
    page = render_markdown('![\\" onerror=console.log(7) ](pic.png)')
    images = tags(page, "img")
    assert len(images) == 1
    assert set(images[0]) <= {"src", "alt", "title"}
    assert images[0]["src"] == "pic.png"


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "<iframe src=/x></iframe>",
        "<svg onload=alert(1)>",
        "<style>body{display:none}</style>",
    ],
)
def test_raw_html_is_text(source):
    page = render_markdown(source)
    assert elements(page) == [("p", {})]
    assert source in visible_text(page)


# sanitize_html alone: notebook outputs and paper metadata


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        (
            '<div><img src="nope" onerror="console.log(7)"></div>',
            '<div><img src="nope"></div>',
        ),
        ("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"),
        ("<style>p{}</style><p>x</p>", "<p>x</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="nofollow ugc noopener">x</a>'),
        (
            '<a href="https://e.example" target="_blank" rel="opener">x</a>',
            '<a href="https://e.example" rel="nofollow ugc noopener">x</a>',
        ),
        (
            '<img src="a.png" width="9" style="x" alt="a" title="t">',
            '<img src="a.png" alt="a" title="t">',
        ),
        ('<p style="color:red" class="x" id="y">t</p>', "<p>t</p>"),
        (
            '<table><tr><td style="text-align: right; background: url(x)">1</td>'
            "</tr></table>",
            "<table><tbody><tr><td>1</td></tr></tbody></table>",
        ),
        ("<svg><script>alert(1)</script></svg>", ""),
        ("<iframe srcdoc='<script>alert(1)</script>'></iframe>", ""),
        ("<form action='/x'><input name=a></form>", ""),
        ('<object data="x.swf"></object><embed src="x">', ""),
        ("<!-- comment --><p>x</p>", "<p>x</p>"),
        ('<img src="data:image/svg+xml,<svg onload=alert(1)>">', "<img>"),
        (
            '<span class="math-error bad" title="t">x</span>',
            '<span class="math-error" title="t">x</span>',
        ),
    ],
)
def test_sanitize_html(dirty, clean):
    assert sanitize_html(dirty) == clean


@pytest.mark.parametrize(
    "dirty",
    [
        '<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)>'
        "</annotation-xml></math>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<math><maction actiontype='statusline'><mi>x</mi></maction></math>",
        '<math href="javascript:alert(1)"><mi xlink:href="javascript:alert(1)">x</mi>'
        "</math>",
        "<svg><a xlink:href='javascript:alert(1)'><text>x</text></a></svg>",
    ],
)
def test_sanitize_mathml_tricks(dirty):
    page = sanitize_html(dirty)
    for tag, attrs in elements(page):
        assert tag not in {"img", "script", "style", "annotation-xml", "maction"}
        assert not [name for name in attrs if name.startswith("on")]
    assert {url_scheme(url) for url in urls(page)} <= SAFE_SCHEMES


MATHML_SAMPLES = [
    r"\frac{a}{b} + \sqrt[3]{x} + \binom{n}{k}",
    r"\sum_{i=1}^{n} x_i^2 \int_0^1 f \, dx",
    r"\left( \frac{a}{b} \right) \big[ x \big]",
    r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}",
    r"\begin{array}{|c|c|} \hline a & b \\ \hline \end{array}",
    r"\mathbb{R} \mathcal{L} \mathfrak{g} \mathrm{d} \boldsymbol{\alpha}",
    r"\hat{x} \widetilde{xy} \overline{ab} \vec{v}",
    r"\overbrace{x}^{a} \underbrace{y}_{b} \overset{!}{=} \stackrel{def}{=}",
    r"\xrightarrow[a]{b} \cancel{x} \boxed{y} \colorbox{yellow}{z} \color{red} w",
    r"\operatorname*{arg\,max}_x \phantom{x} \rule{1em}{2em} \quad \hspace{1em}",
    r"\begin{aligned} a &= b \\ c &= d \end{aligned} \tag{1}",
    r"\begin{align} a &= b \\ c &= d \end{align}",
    r"\text{text} \textbf{bold} \verb|v| \mathring{a} \overgroup{ab}",
    r"a \bmod b \mathop{lim} \mathrel{\text{is}} \mathbin{\overset{a}{b}} \minuso",
]


@pytest.mark.parametrize("tex", MATHML_SAMPLES)
def test_sanitize_keeps_katex_mathml(tex):
    raw = katex.tex_to_mathml(tex, display=True)
    assert elements(sanitize_html(raw)) == elements(raw)


@pytest.mark.parametrize("tex", MATHML_SAMPLES)
def test_token_elements_hold_only_text(tex):
    # An element inside mi/mo/mn/ms/mtext is parsed as HTML by browsers.
    page = render_markdown(f"$${tex}$$")
    assert not re.search(r"<(mi|mo|mn|ms|mtext)\b[^>]*>[^<]*<(?!/)", page)


@pytest.mark.parametrize(
    ("tex", "kept"),
    [
        (r"\overset{!}{=}", "<mover><mrow><mo>=</mo></mrow><mo"),
        (r"\stackrel{\text{def}}{=}", "<mtext>def</mtext></mover>"),
        (r"a \bmod b", '<mrow><mi mathvariant="normal">m</mi>'),
        (r"\mathop{lim}_{x}", "<msub><mrow><mi>l</mi><mi>i</mi><mi>m</mi></mrow>"),
    ],
)
def test_stacked_operators_survive(tex, kept):
    assert kept in render_markdown(f"${tex}$")


def test_rendered_html_is_sanitised_fixpoint(frontpage):
    page = render_markdown(frontpage("10.md"))
    assert sanitize_html(page) == page


# validate_source


def test_validate_accepts_limit_exactly():
    validate_source("x" * 1024, max_bytes=1024, max_formula_bytes=100)


def test_validate_rejects_large_source():
    with pytest.raises(ValidationError) as caught:
        validate_source(
            "x" * (100 * 1024 + 1), max_bytes=100 * 1024, max_formula_bytes=10
        )
    message = caught.value.messages[0]
    assert "100.0 KB (102,401 bytes" in message.replace("102401", "102,401")
    assert "maximum is 100 KB" in message
    assert caught.value.code == "too_large"


def test_validate_counts_utf8_bytes():
    source = "€" * 40_000  # 40,000 characters, 120,000 bytes
    with pytest.raises(ValidationError, match=r"117\.2 KB"):
        validate_source(source, max_bytes=100 * 1024, max_formula_bytes=10 * 1024)


def test_validate_rejects_large_formula():
    source = "Intro.\n\nSome text\nthen $" + "x_{1}+" * 2000 + "y$ end."
    with pytest.raises(ValidationError) as caught:
        validate_source(source, max_bytes=100 * 1024, max_formula_bytes=10 * 1024)
    message = caught.value.messages[0]
    assert "line 4" in message
    assert "“x_{1}+x_{1}+" in message
    assert "maximum for one formula is 10 KB" in message
    assert caught.value.code == "formula_too_large"


def test_validate_ignores_dollars_in_code():
    source = "```\n$" + "x" * 20_000 + "$\n```"
    validate_source(source, max_bytes=100 * 1024, max_formula_bytes=10 * 1024)


def test_validate_defaults_from_settings(settings):
    settings.SUMMARY_MAX_BYTES = 10
    with pytest.raises(
        ValidationError, match=r"11 bytes in UTF-8\); the maximum is 0\.0 KB"
    ):
        validate_source("x" * 11)


def test_validate_formula_default_from_settings(settings):
    settings.FORMULA_MAX_BYTES = 4
    with pytest.raises(ValidationError, match="line 1"):
        validate_source("$abcde$")


# extract_formulas


def test_extract_lines_and_display():
    source = (
        "# Title\n"
        "\n"
        "First $a$ line\n"
        "second line $$b$$\n"
        "third \\(c\\) line\n"
        "\n"
        "$$\n"
        "d\n"
        "$$\n"
        "\n"
        "- item $e$\n"
        "\n"
        "\\begin{equation}\n"
        "f\n"
        "\\end{equation}\n"
        "\n"
        "| x | y |\n"
        "|---|---|\n"
        "| $g$ | \\[h\\] |\n"
    )
    assert extract_formulas(source) == [
        Formula("a", False, 3),
        Formula("b", True, 4),
        Formula("c", False, 5),
        Formula("d", True, 7),
        Formula("e", False, 11),
        Formula("\\begin{equation}\nf\n\\end{equation}", True, 13),
        Formula("g", False, 19),
        Formula("h", True, 19),
    ]


def test_extract_matches_render_count():
    source = (
        "$a$ $$b$$ \\(c\\) \\[d\\]\n\n$$\ne\n$$\n\n\\begin{gather}\nf\n\\end{gather}"
    )
    assert render_markdown(source).count("<math") == len(extract_formulas(source)) == 6


# Concurrency and processes


def test_render_from_many_threads(frontpage):
    sources = [frontpage(name) for name in sorted(FRONTPAGE_FORMULAS)] * 3
    expected = [render_markdown(source) for source in sources]
    results: dict[int, str] = {}

    def work(index: int) -> None:
        results[index] = render_markdown(sources[index])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(sources))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[i] for i in range(len(sources))] == expected


def test_render_in_forked_child():
    render_markdown("$warm$")  # starts this process's KaTeX child first
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            page = render_markdown("$forked_{child}$")
            os.write(write_end, page.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        page = pipe.read().decode()
    os.waitpid(pid, 0)
    assert annotations(page) == ["forked_{child}"]
    assert "<math" in render_markdown("$parent_{after}$")
