r"""Render a paper title: ``$..$`` math as MathML and everything else as text.

Titles imported from BibTeX keep their math verbatim, as in
``The $\alpha$-Divergence``. Only dollar math is converted, with the same
rules as in summaries (``$5 and $10`` stays text), and only as inline math:
``$$..$$`` in a title is inline too. No other Markdown applies, so ``*`` and
``_`` stay as typed.
"""

import functools
import html

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath.index import math_inline_dollar

from .katex import formula_html
from .parser import formula_tex
from .sanitize import replace_lone_surrogates, sanitize_html


@functools.cache
def _title_parser() -> MarkdownIt:
    # The "zero" preset turns every Markdown rule off, backslash escapes and
    # entities included; the dollar rule is the only one added.
    md = MarkdownIt("zero")
    md.inline.ruler.before(
        "text",
        "math_inline",
        math_inline_dollar(allow_space=False, allow_digits=False, allow_double=True),
    )
    return md


def render_title(title: str) -> str:
    """Return the HTML of a paper title, with its ``$..$`` formulas as MathML.

    A title without a formula is only escaped. A formula that fails to
    convert shows its TeX in the ``math-error`` span, as in summaries,
    instead of raising.
    """
    title = replace_lone_surrogates(title)
    if "$" not in title:
        return html.escape(title, quote=False)
    (inline,) = _title_parser().parseInline(title)
    pieces = []
    for child in inline.children or []:
        if child.type in ("math_inline", "math_inline_double"):
            pieces.append(formula_html(formula_tex(child), display=False, block=False))
        elif child.type in ("softbreak", "hardbreak"):
            pieces.append(" ")
        else:
            pieces.append(html.escape(child.content, quote=False))
    return sanitize_html("".join(pieces))
