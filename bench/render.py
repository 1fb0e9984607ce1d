"""Measure rendering speed: our pipeline against Python-Markdown with bleach.

Usage: .venv/bin/python bench/render.py [--summaries 300] [--rounds 3] [--json]

Both render the same summaries, built by bench/generate_data.py from the
sample content with its formulas. Ours is ``render_markdown``
(markdown-it-py, KaTeX MathML in a child process, nh3). The baseline is
Python-Markdown with its tables extension and bleach's sanitiser, which
leaves formulas as TeX text; its numbers show what a plain pipeline costs,
not a pipeline with the same output. Needs ``pip install -e '.[bench]'``.
The first pass is reported apart: ours caches each formula's MathML, so
repeated formulas cost less after it.
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate_data import paragraph_pool  # noqa: E402


def summaries(count: int) -> list[str]:
    rng = random.Random(7)  # noqa: S311 -- reproducible test data
    pool = paragraph_pool(rng, 400)
    return ["\n\n".join(rng.sample(pool, rng.randint(3, 7))) for _ in range(count)]


def baseline():
    import bleach
    import markdown

    converter = markdown.Markdown(extensions=["tables", "fenced_code"])
    tags = bleach.sanitizer.ALLOWED_TAGS | {
        *("p", "pre", "h1", "h2", "h3", "h4", "table", "thead", "tbody"),
        *("tr", "th", "td", "img", "hr", "br", "sub", "sup", "del"),
    }

    def render(source: str) -> str:
        converter.reset()
        return bleach.clean(converter.convert(source), tags=tags)

    return render


def rate(render, texts: list[str], rounds: int) -> tuple[float, float]:
    """Return summaries per second on the first pass and the best later pass."""
    start = time.perf_counter()
    for text in texts:
        render(text)
    first = time.perf_counter() - start
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            render(text)
        best = min(best, time.perf_counter() - start)
    return len(texts) / first, len(texts) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summaries", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.dev")
    import django

    django.setup()
    from shortscience.markup import render_markdown

    texts = summaries(options.summaries)
    report = {
        "summaries": len(texts),
        "mean_chars": sum(map(len, texts)) / len(texts),
        "formulas": sum(text.count("$") for text in texts) // 2,
        "ours": rate(render_markdown, texts, options.rounds),
        "baseline": rate(baseline(), texts, options.rounds),
    }
    if options.json:
        print(json.dumps(report))
        return
    for name in ("ours", "baseline"):
        first, warm = report[name]
        print(f"{name:9} first pass {first:7.0f}/s, later passes {warm:7.0f}/s")


if __name__ == "__main__":
    main()
