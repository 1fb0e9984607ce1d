"""Markdown and LaTeX to safe HTML, for summaries, comments, previews and notebooks.

- ``render_markdown(source)``: Markdown with math to sanitised HTML + MathML.
- ``sanitize_html(html)``: the allowlist alone, for notebook outputs and
  paper metadata.
- ``render_excerpt(source)``: the same for the opening blocks, for listings.
- ``render_checked(source)``: the limits checked, then HTML and excerpt
  from one parse, for saving.
- ``render_title(title)``: a paper title with its ``$..$`` formulas as
  MathML and the rest escaped.
- ``extract_formulas(source)``: the formulas that the renderer converts.
- ``validate_source(source, max_bytes=..., max_formula_bytes=...)``: size
  limits, raising ``django.core.exceptions.ValidationError``.
"""

from .formulas import Formula, extract_formulas
from .render import (
    RenderedMarkdown,
    normalize_newlines,
    render_checked,
    render_excerpt,
    render_markdown,
)
from .sanitize import sanitize_html
from .title import render_title
from .validation import validate_source

__all__ = [
    "Formula",
    "RenderedMarkdown",
    "extract_formulas",
    "normalize_newlines",
    "render_checked",
    "render_excerpt",
    "render_markdown",
    "render_title",
    "sanitize_html",
    "validate_source",
]
