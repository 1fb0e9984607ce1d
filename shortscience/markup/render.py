"""Render Markdown with LaTeX math to sanitised HTML."""

import copy
from dataclasses import dataclass

from markdown_it.token import Token

from .formulas import formulas_from_tokens
from .parser import get_parser
from .sanitize import replace_lone_surrogates, sanitize_html
from .validation import check_formulas, check_size

EXCERPT_CHARS = 700


@dataclass(frozen=True)
class RenderedMarkdown:
    """The sanitised HTML of a whole source and of its opening (the excerpt)."""

    html: str
    excerpt: str


def render_markdown(source: str) -> str:
    """Return sanitised HTML for Markdown with LaTeX math, as MathML.

    Never raises for a str. A formula that fails to convert shows its TeX in
    ``<span class="math-error" title="reason">``; see ``parser`` for the
    syntax and ``sanitize`` for what HTML survives. Safe to call from several
    threads at once.
    """
    tokens, env = _parse(source)
    return _render(tokens, env)


def render_excerpt(source: str, max_chars: int = EXCERPT_CHARS) -> str:
    """Return sanitised HTML of about the first ``max_chars`` characters of text.

    Blocks are kept whole while they fit; the block that crosses the limit is
    cut between inline elements (never inside a formula, a link or emphasis)
    or between words, and ends with an ellipsis.
    """
    tokens, env = _parse(source)
    return _render(excerpt_tokens(tokens, max_chars), env)


def render_checked(
    source: str,
    *,
    max_bytes: int | None = None,
    max_formula_bytes: int | None = None,
    max_formulas: int | None = None,
    excerpt_chars: int = EXCERPT_CHARS,
) -> RenderedMarkdown:
    """Check the limits, then render the HTML and the excerpt, from one parse.

    Raises ValidationError as ``validate_source`` does. The size is checked
    before parsing, so an oversized text costs nothing to reject, and each
    formula is converted once for both renderings.
    """
    check_size(source, max_bytes)
    tokens, env = _parse(source)
    check_formulas(formulas_from_tokens(tokens), max_formula_bytes, max_formulas)
    return RenderedMarkdown(
        html=_render(tokens, env),
        excerpt=_render(excerpt_tokens(tokens, excerpt_chars), env),
    )


def _parse(source: str) -> tuple[list[Token], dict]:
    env: dict = {}
    return get_parser().parse(replace_lone_surrogates(source), env), env


def _render(tokens: list[Token], env: dict) -> str:
    md = get_parser()
    return sanitize_html(md.renderer.render(tokens, md.options, env))


def excerpt_tokens(tokens: list[Token], max_chars: int) -> list[Token]:
    """Return the tokens of the opening ``max_chars`` characters of text.

    Blocks still open at the cut are closed, so the HTML stays well formed.
    """
    kept: list[Token] = []
    open_blocks: list[Token] = []
    used = 0
    for token in tokens:
        if token.nesting == 1:
            open_blocks.append(token)
            kept.append(token)
            continue
        if token.nesting == -1:
            open_blocks.pop()
            kept.append(token)
            if not open_blocks and used >= max_chars:
                return kept
            continue
        if token.type == "inline":
            children, length, cut = _cut_inline(token.children or [], max_chars - used)
            shortened = copy.copy(token)
            shortened.children = children
            kept.append(shortened)
            used += length
            if cut:
                return kept + [_closing(block) for block in reversed(open_blocks)]
            continue
        length = len(token.content)
        if used and used + length > max_chars:
            return kept + [_closing(block) for block in reversed(open_blocks)]
        kept.append(token)
        used += length
        if not open_blocks and used >= max_chars:
            return kept
    return kept


def _cut_inline(children: list[Token], budget: int) -> tuple[list[Token], int, bool]:
    """Keep inline children while they fit in ``budget`` characters.

    Returns the kept children, the characters they use and whether a cut was
    made. A cut happens only between top-level children (outside emphasis and
    links) or inside plain text at a space.
    """
    kept: list[Token] = []
    used = 0
    depth = 0
    for index, child in enumerate(children):
        length = len(child.content)
        if depth == 0 and used + length > budget and index > 0:
            if child.type == "text" and budget - used > 20:
                kept.append(_cut_text(child, budget - used))
            return [*kept, _ellipsis()], used, True
        if depth == 0 and child.type == "text" and length > budget and index == 0:
            return [_cut_text(child, budget), _ellipsis()], budget, True
        kept.append(child)
        used += length
        depth += child.nesting
    return kept, used, False


def _cut_text(token: Token, budget: int) -> Token:
    text = token.content[:budget]
    space = text.rfind(" ")
    if space > budget // 2:
        text = text[:space]
    shortened = copy.copy(token)
    shortened.content = text.rstrip()
    return shortened


def _ellipsis() -> Token:
    token = Token("text", "", 0)
    token.content = " …"
    return token


def _closing(opening: Token) -> Token:
    return Token(opening.type.replace("_open", "_close"), opening.tag, -1)


def normalize_newlines(text: str) -> str:
    """Turn the CRLF and CR line ends that browsers submit into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
