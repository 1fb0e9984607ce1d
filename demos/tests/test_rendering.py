"""Notebook outputs rendered to HTML: nothing from a notebook may run script."""

import base64
import re

import pytest
from django.core.files.storage import default_storage

from demos.execution import CellResult
from demos.rendering import clean_svg, render_cells, strip_ansi

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()
SVG_WITH_SCRIPT = (
    '<svg xmlns="http://www.w3.org/2000/svg" onload="console.log(7)">'
    "<script>console.log(7)</script><circle r='2' onclick='console.log(7)'/>"
    '<a href="javascript:console.log(7)"><text>t</text></a></svg>'
)
SCRIPT_RE = re.compile(r"<script|javascript:|\son\w+\s*=", re.IGNORECASE)


def code_cell(*outputs, number=1, index=0) -> CellResult:
    return CellResult(
        index=index,
        cell_type="code",
        source="x",
        number=number,
        status="ok",
        outputs=list(outputs),
    )


def display(data: dict) -> dict:
    return {"output_type": "display_data", "data": data, "metadata": {}}


def render_one(*outputs) -> str:
    return render_cells(1, [code_cell(*outputs)]).cells[0]["outputs_html"]


def test_html_output_loses_onerror():
    html = render_one(
        display({"text/html": '<div><img src="nope" onerror="console.log(7)"></div>'})
    )
    assert "onerror" not in html
    assert '<img src="nope">' in html


def test_javascript_output_dropped():
    html = render_one(display({"application/javascript": "console.log(7)"}))
    assert "console.log" not in html
    assert "application/javascript is not shown" in html


def test_html_beside_javascript_is_sanitised():
    html = render_one(
        display(
            {
                "application/javascript": "console.log(7)",
                "text/html": "<b>t</b><script>x()</script>",
            }
        )
    )
    assert html == '<div class="demo-html"><b>t</b></div>'


def test_markdown_cell_script_is_text():
    cell = CellResult(
        index=0, cell_type="markdown", source="Hi <script>console.log(7)</script>"
    )
    html = render_cells(1, [cell]).cells[0]["html"]
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_svg_shown_as_img():
    html = render_one(display({"image/svg+xml": SVG_WITH_SCRIPT}))
    assert re.fullmatch(
        r'<img class="demo-figure" src="/demos/runs/1/files/[^"]+\.svg" '
        r'alt="Figure from cell 1" loading="lazy">',
        html,
    )


def test_svg_file_has_no_script():
    html = render_one(display({"image/svg+xml": SVG_WITH_SCRIPT}))
    name = re.search(r"files/([^\"]+)", html).group(1)
    stored = default_storage.open(f"demos/runs/1/{name}").read().decode()
    assert SCRIPT_RE.search(stored) is None
    assert "<circle" in stored


def test_svg_that_is_not_svg_dropped():
    assert clean_svg("<html><script>x</script></html>") is None


def test_png_stored_as_file():
    html = render_one(display({"image/png": PNG, "text/plain": "<Figure>"}))
    assert html.startswith('<img class="demo-figure" src="/demos/runs/1/files/cell0-0-')


def test_fake_png_rejected():
    html = render_one(display({"image/png": base64.b64encode(b"<script>").decode()}))
    assert "not a valid image" in html


def test_stream_escaped_and_ansi_stripped():
    html = render_one(
        {"output_type": "stream", "name": "stdout", "text": "\x1b[31m<b>red</b>\x1b[0m"}
    )
    assert html == '<pre class="demo-stdout">&lt;b&gt;red&lt;/b&gt;</pre>'


def test_error_traceback_escaped():
    error = {
        "output_type": "error",
        "ename": "E",
        "evalue": "v",
        "traceback": ["\x1b[0;31m<script>E</script>\x1b[0m"],
    }
    assert (
        render_one(error)
        == '<pre class="demo-traceback">&lt;script&gt;E&lt;/script&gt;</pre>'
    )


def test_long_text_cut_with_marker(settings):
    settings.DEMOS_TEXT_OUTPUT_MAX_CHARS = 10
    rendered = render_cells(
        1, [code_cell({"output_type": "stream", "name": "stdout", "text": "a" * 25})]
    )
    assert (
        "Output cut: 15 more characters not shown." in rendered.cells[0]["outputs_html"]
    )
    assert rendered.truncated


def test_dropped_bytes_marked():
    cell = code_cell()
    cell.dropped_bytes = 12345
    rendered = render_cells(1, [cell])
    assert "Output cut: 12,345 more bytes" in rendered.cells[0]["outputs_html"]


@pytest.mark.parametrize(
    "link",
    [
        "javascript:void(7)",
        "JaVaScRiPt:void(7)",
        "javascript&#58;void(7)",
        "javascript&#x3A;void(7)",
        "vbscript:msgbox(7)",
        "data:text/html,<b>7</b>",
    ],
)
def test_html_output_script_links_removed(link):
    html = render_one(display({"text/html": f'<a href="{link}">c</a>'}))
    assert "href" not in html
    assert ">c</a>" in html


def test_markdown_output_image_alt_breakout():
    html = render_one(
        display({"text/markdown": '![" onerror=console.log(7) ](pic.png)'})
    )
    image = re.search(r"<img[^>]*>", html).group(0)
    attributes = set(re.findall(r'\s([\w-]+)="', image))
    assert attributes <= {"src", "alt", "title"}


def test_strip_ansi_osc():
    assert strip_ansi("\x1b]8;;http://x\x07link\x1b]8;;\x07") == "link"
