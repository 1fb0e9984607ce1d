"""Notebook revisions as reviewers read them: the cells in order, and a diff.

The revision page shows the code that runs, never the outputs stored in the
uploaded file: those were produced elsewhere and are not what the site
runs. Markdown cells go through ``render_markdown``, as they do when a run's
cells are rendered, so raw HTML in them is text and no script survives.
Code cells are returned as text for the template to escape.
"""

import hashlib
from dataclasses import dataclass

import nbformat
from django.core.cache import cache

from shortscience.markup import render_markdown
from summaries.diff import DiffLine, diff_sources

from . import notebooks

# Seconds the HTML of a Markdown cell stays cached, keyed by the SHA-256 of
# its source. A notebook near the upload limit takes seconds to render, and
# visitors may open an approved demo's page often. A change to the Markdown
# pipeline reaches cached cells only after this time or a cache flush.
MARKDOWN_CACHE_SECONDS = 24 * 60 * 60


@dataclass
class ReviewCell:
    """One cell as the revision page shows it.

    ``kind`` is ``markdown``, ``code``, ``raw``, or ``injected`` for the
    cell the site adds to assign the demo's parameters. ``number`` counts
    the code cells that run, as run progress and errors do. Empty code
    cells do not run, so they have no number.
    """

    kind: str
    source: str
    html: str = ""
    number: int | None = None
    is_parameters: bool = False


@dataclass
class RevisionReview:
    """A revision's cells, and its diff from the previous revision if any."""

    cells: list[ReviewCell]
    diff: list[DiffLine] | None

    @property
    def changed(self) -> bool:
        """Whether any cell source differs from the previous revision."""
        return any(line.kind != "equal" for line in self.diff or [])


def review_revision(
    text: str, *, previous: str | None, parameters: dict
) -> RevisionReview:
    """Return the cells of notebook ``text`` and its diff from ``previous``.

    Both are nbformat 4 JSON as stored on a revision. ``parameters`` are
    the demo's: the cell that assigns them is shown where a run adds it.
    """
    notebook = nbformat.reads(text, as_version=4)
    diff = None
    if previous is not None:
        old = nbformat.reads(previous, as_version=4)
        diff = diff_sources(percent_script(old), percent_script(notebook))
    return RevisionReview(cells=review_cells(notebook, parameters), diff=diff)


def review_cells(notebook: nbformat.NotebookNode, parameters: dict) -> list[ReviewCell]:
    """Return the notebook's cells in order, with the injected parameters cell."""
    tagged = notebooks.parameters_cell_index(notebook)
    html = _markdown_html(
        [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    )
    cells = []
    for index, cell in enumerate(notebook.cells):
        cells.append(
            ReviewCell(
                kind=cell.cell_type,
                source=cell.source,
                html=html.get(cell.source, "") if cell.cell_type == "markdown" else "",
                is_parameters=index == tagged,
            )
        )
    if parameters:
        injected = ReviewCell(
            kind="injected", source=notebooks.parameters_source(parameters)
        )
        cells.insert(0 if tagged is None else tagged + 1, injected)
    number = 0
    for cell in cells:
        if cell.kind in {"code", "injected"} and cell.source.strip():
            number += 1
            cell.number = number
    return cells


def percent_script(notebook: nbformat.NotebookNode) -> str:
    """Return the cell sources as one text, each under a ``# %%`` line.

    The cell markers follow Jupytext's percent format, so a diff shows
    where cells begin, which kind they are and which cell contains the
    parameters.
    """
    tagged = notebooks.parameters_cell_index(notebook)
    parts = []
    for index, cell in enumerate(notebook.cells):
        marker = "# %%" if cell.cell_type == "code" else f"# %% [{cell.cell_type}]"
        if index == tagged:
            marker += f' tags=["{notebooks.PARAMETERS_TAG}"]'
        parts.extend([marker, cell.source])
    return "\n".join(parts)


def _markdown_html(sources: list[str]) -> dict[str, str]:
    keys = {
        source: "demos:markdown:"
        + hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
        for source in sources
    }
    cached = cache.get_many(list(keys.values()))
    html = {}
    rendered = {}
    for source, key in keys.items():
        if key in cached:
            html[source] = cached[key]
        else:
            html[source] = rendered[key] = render_markdown(source)
    if rendered:
        cache.set_many(rendered, MARKDOWN_CACHE_SECONDS)
    return html
