"""The formulas that render_markdown converts, for validation and tests."""

from dataclasses import dataclass

from .parser import DISPLAY_MATH_TOKEN_TYPES, MATH_TOKEN_TYPES, formula_tex, get_parser


@dataclass(frozen=True)
class Formula:
    """One formula of a Markdown source."""

    tex: str
    display: bool
    line: int  # 1-based line of the source where the formula starts


def extract_formulas(source: str) -> list[Formula]:
    """Return the formulas of a Markdown source in document order.

    The same parser as render_markdown finds them, so ``$`` in code stays
    out, and each formula here becomes one ``<math>`` element (or one
    ``math-error`` span) in the rendered HTML.
    """
    return formulas_from_tokens(get_parser().parse(source, {}))


def formulas_from_tokens(tokens) -> list[Formula]:
    """Return the formulas among already parsed tokens, in document order."""
    formulas = []
    block_line = 1
    for token in tokens:
        if token.map:
            block_line = token.map[0] + 1
        if token.type in MATH_TOKEN_TYPES:
            formulas.append(_formula(token, block_line))
        elif token.type == "inline" and token.children:
            formulas.extend(_inline_formulas(token, block_line))
    return formulas


def _inline_formulas(inline, first_line: int) -> list[Formula]:
    formulas = []
    counted_to = newlines = 0
    for child in inline.children:
        if child.type not in MATH_TOKEN_TYPES:
            continue
        # Offsets grow through the paragraph, so count newlines incrementally.
        offset = child.meta.get("offset", counted_to)
        newlines += inline.content.count("\n", counted_to, offset)
        counted_to = max(counted_to, offset)
        formulas.append(_formula(child, first_line + newlines))
    return formulas


def _formula(token, line: int) -> Formula:
    display = token.type in DISPLAY_MATH_TOKEN_TYPES
    return Formula(tex=formula_tex(token), display=display, line=line)
