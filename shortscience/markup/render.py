"""Render Markdown with LaTeX math to sanitised HTML."""

from .parser import get_parser
from .sanitize import replace_lone_surrogates, sanitize_html


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
