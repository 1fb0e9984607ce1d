"""Render Markdown with LaTeX math to sanitised HTML."""

from .parser import get_parser
from .sanitize import replace_lone_surrogates, sanitize_html

EXCERPT_CHARS = 700


def render_markdown(source: str) -> str:
    """Return sanitised HTML for Markdown with LaTeX math, as MathML.

    Never raises for a str. A formula that fails to convert shows its TeX in
    ``<span class="math-error" title="reason">``; see ``parser`` for the
    syntax and ``sanitize`` for what HTML survives. Safe to call from several
    threads at once.
    """
    md = get_parser()
    env: dict = {}
    tokens = md.parse(replace_lone_surrogates(source), env)
    return sanitize_html(md.renderer.render(tokens, md.options, env))


def render_excerpt(source: str, max_chars: int = EXCERPT_CHARS) -> str:
    """Return sanitised HTML of the opening top-level blocks of ``source``.

    Whole blocks (paragraphs, lists, formulas, tables) are kept until they
    cover about ``max_chars`` characters of source, and at least one is, so
    no formula or list is cut in half; listings clip a long first block
    with CSS.
    """
    md = get_parser()
    env: dict = {}
    text = replace_lone_surrogates(source)
    tokens = md.parse(text, env)
    line_starts = _line_offsets(text)
    end = len(tokens)
    for index, token in enumerate(tokens):
        if token.level != 0 or token.nesting == 1 or not _closes_block(tokens, index):
            continue
        block_end_line = _block_end_line(tokens, index)
        if (
            block_end_line is not None
            and line_starts[min(block_end_line, len(line_starts) - 1)] >= max_chars
        ):
            end = index + 1
            break
    return sanitize_html(md.renderer.render(tokens[:end], md.options, env))


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _closes_block(tokens, index: int) -> bool:
    """Tell whether token ``index`` ends a top-level block (a close or a leaf)."""
    token = tokens[index]
    return token.block and (token.nesting == -1 or token.nesting == 0)


def _block_end_line(tokens, index: int) -> int | None:
    """Return the source line after the top-level block that ends at ``index``."""
    token = tokens[index]
    if token.nesting == 0:
        return token.map[1] if token.map else None
    depth = 0
    for position in range(index, -1, -1):
        depth += tokens[position].nesting
        if depth == 0:
            opening = tokens[position]
            return opening.map[1] if opening.map else None
    return None
