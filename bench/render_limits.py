"""Time render_markdown on hostile inputs and on the real front-page summaries.

Run with ``.venv/bin/python bench/render_limits.py``; it prints Markdown
tables (the source of docs/benchmarks-rendering.md). Real summaries are read
from $SHORTSCIENCE_SHARED_DATA/data/shortscience-frontpage/summaries, by
default ../shared next to the repository.
"""

import json
import os
import platform
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.dev")
django.setup()

from django.conf import settings  # noqa: E402

from shortscience.markup import extract_formulas, katex, render_markdown  # noqa: E402

REPEATS = 5


def hostile_inputs() -> dict[str, str]:
    """Return inputs known to be slow in some Markdown or TeX renderers."""
    return {
        "8 KB of `[`": "[" * 8_000,
        "20 KB of `[`": "[" * 20_000,
        "40 KB of `[`": "[" * 40_000,
        "80 KB of `[`": "[" * 80_000,
        "20 KB of `![`": "![" * 10_000,
        "20 KB of `[x](`": "[x](" * 5_000,
        "1000 nested list levels, one per line": "".join(
            "  " * level + "- item\n" for level in range(1000)
        ),
        "1000 nested list levels on one line": "- " * 1000 + "x",
        "1000 nested block quotes": ">" * 1000 + " x",
        "3000 nested braces in one formula": "$" + "{" * 3000 + "x" + "}" * 3000 + "$",
        "20 KB of `_a`": "_a" * 10_000,
        "20 KB of `*a **b `": "*a **b " * 2_857,
        "2500 unclosed `$$x` paragraphs": "$$x\n\n" * 2_500,
        "2000 unclosed `\\begin{align}` lines": "\\begin{align}\n" * 2_000,
        "10000 unclosed `\\(`": "\\(" * 10_000,
        "4000 unclosed `\\[` paragraphs": "\\[x\n\n" * 4_000,
        "20 KB of `$`": "$" * 20_000,
        "5000 copies of `$x$`": "$x$ " * 5_000,
        "500 different formulas": " ".join(f"$x_{{{i}}}^2$" for i in range(500)),
        "1500 citations": "\\cite{journals/corr/HeZR016} " * 1_500,
        "1000 bare image URLs": "https://i.imgur.com/0dGX9b7.png " * 1_000,
    }


def time_call(function, argument) -> float:
    """Return the median wall time in ms, the formula cache cleared each run."""
    timings = []
    for _ in range(REPEATS):
        katex._convert_cached.cache_clear()
        start = time.perf_counter()
        function(argument)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def frontpage_sources() -> list[tuple[str, str]]:
    folder = settings.FRONTPAGE_DATA_DIR / "summaries"
    index = json.loads((folder / "index.json").read_text())
    return [(entry["file"], (folder / entry["file"]).read_text()) for entry in index]


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    packages = ", ".join(
        f"{name} {version(name)}"
        for name in ("markdown-it-py", "mdit-py-plugins", "nh3", "pykatex", "Django")
    )
    return (
        f"{cpu}, {os.cpu_count()} CPUs visible, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; {packages}"
    )


def katex_start_ms() -> float:
    """Return the ms that a new KaTeX child process takes for its first formula."""
    process = katex.KatexProcess()
    start = time.perf_counter()
    process.convert("x", False)
    elapsed = (time.perf_counter() - start) * 1000
    process.stop()
    return elapsed


def main() -> int:
    print(f"Machine: {machine()}\n")
    print(f"KaTeX child process start and first formula: {katex_start_ms():.0f} ms\n")
    render_markdown("$warm$")  # start the KaTeX process outside the timings

    print(f"Median of {REPEATS} runs, formula cache cleared before each run.\n")
    print("| Input | Size | render_markdown | extract_formulas |")
    print("|---|---:|---:|---:|")
    for name, source in hostile_inputs().items():
        size = len(source.encode())
        rendered = time_call(render_markdown, source)
        extracted = time_call(extract_formulas, source)
        print(f"| {name} | {size:,} B | {rendered:,.1f} ms | {extracted:,.1f} ms |")

    print("\n| Real summary | Size | Formulas | render_markdown |")
    print("|---|---:|---:|---:|")
    total = 0.0
    for name, source in frontpage_sources():
        rendered = time_call(render_markdown, source)
        total += rendered
        count = len(extract_formulas(source))
        print(f"| {name} | {len(source.encode()):,} B | {count} | {rendered:.1f} ms |")
    print(f"| all ten | | | {total:.1f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
