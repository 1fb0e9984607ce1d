"""The one markdown-it parser behind rendering, formula extraction and validation.

CommonMark with tables, strikethrough and linkify; raw HTML is off, so HTML
in the source shows as text. Math comes as tokens of four types, whatever the
delimiter:

- ``math_inline``: ``$..$`` and ``\\(..\\)`` inside a paragraph;
- ``math_inline_double``: ``$$..$$`` and ``\\[..\\]`` inside a paragraph,
  shown as display math;
- ``math_block``: ``$$`` or ``\\[`` lines that open a block;
- ``math_environment``: a bare ``\\begin{align}`` (or aligned, cases, …)
  block; see ``environments`` for environments inside a paragraph.

Inline math tokens carry ``meta["offset"]``, their position in the inline
content, so that a formula's line can be reported. ``\\cite{key}`` becomes a
link to the page of the paper with that BibTeX key, and a bare image URL
becomes an image.
"""

import functools
import re
from bisect import bisect_left, bisect_right
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.dollarmath.index import math_block_dollar, math_inline_dollar
from mdit_py_plugins.utils import is_code_block

from papers.paths import paper_path

from .environments import environment_block, environment_inline
from .katex import formula_html

MATH_TOKEN_TYPES = frozenset(
    {"math_inline", "math_inline_double", "math_block", "math_environment"}
)
DISPLAY_MATH_TOKEN_TYPES = frozenset(
    {"math_inline_double", "math_block", "math_environment"}
)

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")

_CITE_RE = re.compile(r"\\cite\{([^{}\n]*)\}")
_CITE_KEY_RE = re.compile(r"[^\s{},\\]{1,255}")
# Block rules that a math environment may interrupt, as with the amsmath
# plugin of mdit-py-plugins.
_ENVIRONMENT_ALT = ["paragraph", "reference", "blockquote", "list", "footnote_def"]


@functools.cache
def get_parser() -> MarkdownIt:
    """Return the shared parser, built on first use."""
    # NOTE: Blocks nested deeper than 20 levels (the CommonMark preset's
    # maxNesting) are dropped from the output, as markdown-it does; raising
    # the limit risks RecursionError, since block parsing recurses.
    md = MarkdownIt(
        "commonmark", {"html": False, "linkify": True, "typographer": False}
    )
    md.enable(["table", "strikethrough", "linkify"])

    # These dollarmath settings keep prices ("$5 and $10") as text and pair
    # every formula of the real summaries correctly; the defaults pair the
    # wrong dollar signs there.
    dollarmath_plugin(
        md,
        allow_labels=False,
        allow_space=False,
        allow_digits=False,
        double_inline=True,
    )
    # The plugins place their rules in the chains; these replace them with
    # the same rules and settings, wrapped.
    inline_dollar = math_inline_dollar(
        allow_space=False, allow_digits=False, allow_double=True
    )
    md.inline.ruler.at("math_inline", _with_offset(inline_dollar))
    md.block.ruler.at(
        "math_block", _needs_closing_line(math_block_dollar(False, None, True), "$$")
    )
    md.block.ruler.before(
        "blockquote",
        "math_environment",
        environment_block,
        {"alt": _ENVIRONMENT_ALT},
    )

    md.inline.ruler.before("escape", "math_brackets", _with_offset(_math_brackets))
    md.inline.ruler.before(
        "escape", "math_environment", _with_offset(environment_inline)
    )
    md.block.ruler.before("fence", "math_block_brackets", _math_brackets_block)
    md.inline.ruler.before("escape", "cite", _cite)
    md.core.ruler.after("linkify", "bare_images", _bare_images)
    md.core.ruler.push("cell_alignment", _cell_alignment_classes)

    for token_type in MATH_TOKEN_TYPES:
        md.add_render_rule(token_type, _render_math)
    return md


def formula_tex(token: Token) -> str:
    """Return the TeX of a math token, without surrounding whitespace.

    A trailing control space (``a\\ ``) keeps its space.
    """
    tex = token.content.strip()
    if _is_escaped(tex + " ", len(tex)):
        tex += " "
    return tex


def _render_math(self, tokens: list[Token], index: int, options, env) -> str:
    token = tokens[index]
    display = token.type in DISPLAY_MATH_TOKEN_TYPES
    block = token.block
    tex = formula_tex(token)
    # One rendering of a document (its HTML and its excerpt share ``env``)
    # converts each distinct formula once.
    converted = env.setdefault("converted_formulas", {})
    html = converted.get((tex, display, block))
    if html is None:
        html = formula_html(tex, display=display, block=block)
        converted[(tex, display, block)] = html
    return html + "\n" if block else html


def _with_offset(rule):
    """Wrap an inline rule so that the token it adds records where it starts."""

    def rule_with_offset(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        matched = rule(state, silent)
        if matched and not silent and len(state.tokens) > count:
            state.tokens[-1].meta["offset"] = start
        return matched

    return rule_with_offset


# Linear time. The plugins' block rules scan to the end of the document for
# a closing line each time an opening line has none, which is quadratic.
# With mdit-py-plugins 0.7.0, 2,500 unclosed "$$x" paragraphs took 3 s and
# 2,000 unclosed \begin{align} lines 1.4 s (docs/benchmarks-rendering.md
# machine). The wrapper below calls the dollar rule only when a closing line
# exists, and environment_block looks its \end up in a table built in one pass.


def _needs_closing_line(rule, marker: str):
    """Wrap a block rule for ``marker`` fences to fail fast without a closer."""

    def rule_if_closed(
        state: StateBlock, start_line: int, end_line: int, silent: bool
    ) -> bool:
        start = state.bMarks[start_line] + state.tShift[start_line]
        if not state.src.startswith(marker, start):
            return False
        first = state.src[start : state.eMarks[start_line]].strip()
        if len(first) > 2 * len(marker) - 1 and marker in first[len(marker) :]:
            return rule(state, start_line, end_line, silent)
        closing_lines = _lines_ending_with(state, marker)
        index = bisect_right(closing_lines, start_line)
        if index == len(closing_lines) or closing_lines[index] >= end_line:
            return False
        return rule(state, start_line, end_line, silent)

    return rule_if_closed


def _lines_ending_with(state: StateBlock, marker: str) -> list[int]:
    """Return the sorted numbers of the lines that end with ``marker``."""
    cache = state.env.setdefault("_markup_closing_lines", {})
    cached = cache.get(marker)
    if cached is not None and cached[0] is state.src:
        return cached[1]
    pattern = re.compile(re.escape(marker) + r"[^\S\n]*$", re.MULTILINE)
    # A match ends where its line ends, at that line's eMarks entry.
    lines = [
        bisect_left(state.eMarks, match.end()) for match in pattern.finditer(state.src)
    ]
    cache[marker] = (state.src, lines)
    return lines


def _find_after(env: dict, src: str, needle: str, start: int) -> int:
    """Return ``src.find(needle, start)``, reusing the last search of ``src``.

    Inline rules search forward through a paragraph, and the last result stays
    valid for any later start up to it, so many unclosed openers cost one
    search instead of one each.
    """
    cache = env.setdefault("_markup_find", {})
    cached = cache.get(needle)
    if cached is not None and cached[0] is src and cached[1] <= start:
        found = cached[2]
        if found < 0 or found >= start:
            return found
    found = src.find(needle, start)
    cache[needle] = (src, start, found)
    return found


def _is_escaped(src: str, pos: int) -> bool:
    """Return whether an odd number of backslashes precedes ``src[pos]``."""
    count = 0
    while pos - count - 1 >= 0 and src[pos - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _math_brackets(state: StateInline, silent: bool) -> bool:
    r"""Parse inline ``\(..\)`` and display ``\[..\]`` inside a paragraph.

    The texmath plugin's brackets rules would do this, but they copy the rest
    of the source and match a lazy regex for every opener, which is quadratic.
    """
    src, pos = state.src, state.pos
    opener = src[pos : pos + 2]
    if opener not in ("\\(", "\\["):
        return False
    closer = "\\)" if opener == "\\(" else "\\]"
    search = pos + 2
    while True:
        end = _find_after(state.env, src, closer, search)
        if end < 0 or end >= state.posMax:
            return False
        if not _is_escaped(src, end):
            break
        search = end + 1
    content = src[pos + 2 : end]
    if not content.strip():
        return False
    if not silent:
        kind = "math_inline" if opener == "\\(" else "math_inline_double"
        token = state.push(kind, "math", 0)
        token.content = content
        token.markup = opener
    state.pos = end + 2
    return True


def _math_brackets_block(
    state: StateBlock, start_line: int, end_line: int, silent: bool
) -> bool:
    r"""Parse a ``\[`` line up to the next line that ends with ``\]``."""
    if is_code_block(state, start_line):
        return False
    start = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("\\[", start):
        return False
    first = state.src[start : state.eMarks[start_line]].rstrip()
    if (
        len(first) > 4
        and first.endswith("\\]")
        and not _is_escaped(first, len(first) - 2)
    ):
        close_line = start_line
    elif "\\]" in first[2:]:
        # Closed inside the line with text after it: inline math.
        return False
    else:
        closing_lines = _lines_ending_with(state, "\\]")
        index = bisect_right(closing_lines, start_line)
        if index == len(closing_lines) or closing_lines[index] >= end_line:
            return False
        close_line = closing_lines[index]

    if silent:
        return True
    text = state.getLines(start_line, close_line + 1, state.sCount[start_line], False)
    text = text.strip()
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = text[2:-2]
    token.markup = "\\["
    token.map = [start_line, close_line + 1]
    state.line = close_line + 1
    return True


def paper_url(bibtex_key: str) -> str:
    """Return the path of the paper page for a BibTeX key."""
    return paper_path(bibtex_key)


def _cite(state: StateInline, silent: bool) -> bool:
    r"""Turn ``\cite{key1, key2}`` into ``[key1, key2]`` linked to the papers."""
    if not state.src.startswith("\\cite{", state.pos):
        return False
    match = _CITE_RE.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    keys = [key.strip() for key in match.group(1).split(",")]
    if not all(_CITE_KEY_RE.fullmatch(key) for key in keys):
        return False
    if not silent:
        _push_text(state, "[")
        for index, key in enumerate(keys):
            if index:
                _push_text(state, ", ")
            if state.linkLevel > 0:
                # Inside the text of a link: a nested link is invalid HTML.
                _push_text(state, key)
                continue
            link = state.push("link_open", "a", 1)
            link.attrs = {"href": paper_url(key)}
            link.markup = "cite"
            _push_text(state, key)
            state.push("link_close", "a", -1).markup = "cite"
        _push_text(state, "]")
    state.pos = match.end()
    return True


def _push_text(state: StateInline, text: str) -> None:
    state.push("text", "", 0).content = text


def _bare_images(state: StateCore) -> None:
    """Replace each linkified bare URL of an image file with the image."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = block.children
        index = 0
        while index + 2 < len(children):
            link = children[index]
            if (
                link.type == "link_open"
                and link.markup == "linkify"
                and children[index + 2].type == "link_close"
                and _is_image_url(str(link.attrs.get("href", "")))
            ):
                children[index : index + 3] = [_image_token(link, children[index + 1])]
            index += 1


_ALIGNMENT_RE = re.compile(r"text-align:(left|center|right)")


def _cell_alignment_classes(state: StateCore) -> None:
    """Turn the table rule's ``style="text-align:…"`` into ``align-…`` classes.

    The Content-Security-Policy blocks style attributes, so alignment comes
    from classes that site.css styles.
    """
    for token in state.tokens:
        if token.type not in ("th_open", "td_open"):
            continue
        style = token.attrs.pop("style", None)
        match = _ALIGNMENT_RE.fullmatch(str(style or ""))
        if match is not None:
            token.attrSet("class", f"align-{match[1]}")


def _is_image_url(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(IMAGE_EXTENSIONS)


def _image_token(link: Token, text: Token) -> Token:
    image = Token("image", "img", 0)
    image.attrs = {"src": link.attrs["href"], "alt": ""}
    image.level = link.level
    # The renderer takes the alt text from the children: the URL as written.
    image.children = [text]
    image.content = text.content
    return image
