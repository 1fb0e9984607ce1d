"""Turn executed notebook cells into safe HTML, stored with the run.

Nothing a notebook outputs may run script in the site's origin:

- images (PNG, JPEG, GIF) are stored as files and shown with ``<img>``;
- SVG is stored as a file too, with scripts and event attributes removed,
  and shown only with ``<img>``, where browsers never run its scripts;
- ``text/html`` goes through ``sanitize_html``, the summaries' allowlist;
- ``application/javascript`` and widget outputs are dropped, with a note;
- Markdown cells go through ``render_markdown``, where raw HTML is text;
- stream, error and plain-text output is escaped, ANSI colour codes removed.

Cut output is always marked.
"""

import base64
import binascii
import hashlib
import re

# expat, under ElementTree, resolves no external entities.
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.html import format_html

from shortscience.markup import render_markdown, sanitize_html

from .execution import CellResult

IMAGE_TYPES = {
    "image/png": ("png", (b"\x89PNG\r\n\x1a\n",)),
    "image/jpeg": ("jpg", (b"\xff\xd8\xff",)),
    "image/gif": ("gif", (b"GIF87a", b"GIF89a")),
}
SVG_TYPE = "image/svg+xml"
# The first of these in an output's data is shown; the rest are alternatives.
PREFERRED_TYPES = (
    *IMAGE_TYPES,
    SVG_TYPE,
    "text/html",
    "text/markdown",
    "text/latex",
    "text/plain",
)
OUTPUT_FOLDER = "demos/runs"

_ANSI_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b")
_SVG_NS = "http://www.w3.org/2000/svg"
_SVG_UNSAFE_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object"}


@dataclass
class RenderedRun:
    """The cells as stored on a run, and whether any output was cut."""

    cells: list[dict]
    truncated: bool


def strip_ansi(text: str) -> str:
    """Remove terminal escape sequences, such as the colours of tracebacks."""
    return _ANSI_RE.sub("", text)


def render_cells(run_id: int, cells: list[CellResult]) -> RenderedRun:
    """Render every cell; images are written to storage under the run's folder."""
    renderer = _Renderer(run_id)
    rendered = [renderer.cell(cell) for cell in cells if cell.cell_type != "raw"]
    return RenderedRun(cells=rendered, truncated=renderer.truncated)


class _Renderer:
    def __init__(self, run_id: int):
        self.run_id = run_id
        self.max_chars = settings.DEMOS_TEXT_OUTPUT_MAX_CHARS
        self.truncated = False
        self.cell_number: int | None = None

    def cell(self, cell: CellResult) -> dict:
        if cell.cell_type == "markdown":
            return {"type": "markdown", "html": render_markdown(cell.source)}
        self.cell_number = cell.number
        parts = [
            self.output(cell, position, out)
            for position, out in enumerate(cell.outputs)
        ]
        if cell.dropped_bytes:
            self.truncated = True
            parts.append(
                format_html(
                    '<p class="demo-cut">Output cut: {} more bytes passed the '
                    "output limit and were not kept.</p>",
                    f"{cell.dropped_bytes:,}",
                )
            )
        return {
            "type": "code",
            "number": cell.number,
            "status": cell.status,
            "source": cell.source,
            "execution_count": cell.execution_count,
            "outputs_html": "".join(parts),
        }

    def output(self, cell: CellResult, position: int, out: dict) -> str:
        kind = out.get("output_type")
        if kind == "stream":
            css = "demo-stderr" if out.get("name") == "stderr" else "demo-stdout"
            return self.text(out.get("text", ""), css)
        if kind == "error":
            lines = out.get("traceback") or [f"{out.get('ename')}: {out.get('evalue')}"]
            return self.text("\n".join(lines), "demo-traceback")
        if kind in {"execute_result", "display_data"}:
            return self.rich(cell, position, out.get("data", {}))
        return ""

    def text(self, text, css: str) -> str:
        if isinstance(text, list):
            text = "".join(text)
        text = strip_ansi(text)
        marker = ""
        if len(text) > self.max_chars:
            self.truncated = True
            marker = format_html(
                '<p class="demo-cut">Output cut: {} more characters not shown.</p>',
                f"{len(text) - self.max_chars:,}",
            )
            text = text[: self.max_chars]
        return format_html('<pre class="{}">{}</pre>{}', css, text, marker)

    def rich(self, cell: CellResult, position: int, data: dict) -> str:
        mime = next((name for name in PREFERRED_TYPES if name in data), None)
        if mime is None:
            kinds = ", ".join(sorted(data)) or "empty"
            return format_html(
                '<p class="demo-dropped">Output of type {} is not shown: code from '
                "notebooks never runs on this site.</p>",
                kinds,
            )
        value = data[mime]
        if isinstance(value, list):
            value = "".join(value)
        if mime in IMAGE_TYPES:
            return self.image(cell, position, mime, value)
        if mime == SVG_TYPE:
            return self.svg(cell, position, value)
        if mime == "text/html":
            return format_html('<div class="demo-html">{}</div>', _safe(value))
        if mime in {"text/markdown", "text/latex"}:
            html = render_markdown(value)
            return format_html('<div class="demo-markdown">{}</div>', _safe(html))
        return self.text(value, "demo-text")

    def image(self, cell: CellResult, position: int, mime: str, value: str) -> str:
        extension, signatures = IMAGE_TYPES[mime]
        try:
            content = base64.b64decode(value, validate=False)
        except (binascii.Error, ValueError):
            content = b""
        if not content.startswith(signatures):
            return format_html(
                '<p class="demo-dropped">An output claiming to be {} is not a valid '
                "image and is not shown.</p>",
                mime,
            )
        return self.stored(cell, position, extension, content)

    def svg(self, cell: CellResult, position: int, value: str) -> str:
        content = clean_svg(value)
        if content is None:
            return format_html(
                '<p class="demo-dropped">An SVG output could not be read and is '
                "not shown.</p>"
            )
        return self.stored(cell, position, "svg", content)

    def stored(self, cell: CellResult, position: int, extension: str, content: bytes):
        digest = hashlib.sha256(content).hexdigest()[:16]
        filename = f"cell{cell.index}-{position}-{digest}.{extension}"
        name = f"{OUTPUT_FOLDER}/{self.run_id}/{filename}"
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(content))
        url = reverse("demos:output-file", args=[self.run_id, filename])
        return format_html(
            '<img class="demo-figure" src="{}" alt="Figure from cell {}" '
            'loading="lazy">',
            url,
            self.cell_number,
        )


class _Safe(str):
    """A string already sanitised, so ``format_html`` must not escape it."""

    def __html__(self):
        return self


def _safe(html: str) -> _Safe:
    return _Safe(sanitize_html(html))


def clean_svg(text: str) -> bytes | None:
    """Return the SVG without script elements, event attributes or script URLs.

    Browsers run no script in an SVG shown through ``<img>``; this cleaning
    guards the file when it is opened on its own. Returns None when the
    text is not an SVG document.
    """
    try:
        root = ET.fromstring(text)  # noqa: S314 - see the import
    except ET.ParseError:
        return None
    if _local_name(root.tag) != "svg":
        return None
    for parent in root.iter():
        for child in list(parent):
            if _local_name(child.tag) in _SVG_UNSAFE_ELEMENTS:
                parent.remove(child)
        for attribute in list(parent.attrib):
            name = _local_name(attribute).lower()
            value = parent.attrib[attribute].strip().lower()
            if name.startswith("on") or (
                name == "href" and not value.startswith(("#", "data:image/"))
            ):
                del parent.attrib[attribute]
    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _local_name(tag) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]
