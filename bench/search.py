"""Measure search latency on the generated data (bench/generate_data.py).

Usage: DATABASE_URL=... .venv/bin/python bench/search.py [--rounds 5] [--json]

Runs a fixed mix of queries through ``search.selectors.search`` as the
search page does (first page of 25, snippets included) as a visitor, after
one warm-up round, and reports the median (p50) and 95th percentile (p95)
latency per query class and overall.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate_data import LAST, OBJECTS, RARE, TOPICS  # noqa: E402

# Query classes, from common words that match many documents to rare ones.
QUERIES = {
    "one common word": TOPICS[:12],
    "two words": [f"{a} {b}" for a, b in zip(TOPICS[:12], TOPICS[12:24], strict=True)],
    "phrase": [f'"{t} {o}"' for t, o in zip(TOPICS[:12], OBJECTS[:12], strict=True)],
    "author name": [f"{name}{n}" for n, name in enumerate(LAST[:12], start=7)],
    "rare word": RARE[:12],
    "no match": [f"zzqx{n}" for n in range(12)],
}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.dev")
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from papers.models import Paper
    from search.selectors import search
    from summaries.models import Summary

    viewer = AnonymousUser()
    for queries in QUERIES.values():
        for query in queries:
            search(query=query, viewer=viewer, limit=25)
    timings: dict[str, list[float]] = {name: [] for name in QUERIES}
    matches: dict[str, list[int]] = {name: [] for name in QUERIES}
    for _ in range(options.rounds):
        for name, queries in QUERIES.items():
            for query in queries:
                start = time.perf_counter()
                results = search(query=query, viewer=viewer, limit=25)
                timings[name].append((time.perf_counter() - start) * 1000)
                matches[name].append(results.total)
    every = [value for values in timings.values() for value in values]
    report = {
        "vendor": connection.vendor,
        "papers": Paper.objects.count(),
        "summaries": Summary.objects.count(),
        "rounds": options.rounds,
        "classes": {
            name: {
                "p50": statistics.median(values),
                "p95": percentile(values, 0.95),
                "median_matches": statistics.median(matches[name]),
                "example": QUERIES[name][0],
            }
            for name, values in timings.items()
        },
        "overall": {"p50": statistics.median(every), "p95": percentile(every, 0.95)},
        "count": len(every),
    }
    if options.json:
        print(json.dumps(report))
        return
    for name, row in report["classes"].items():
        print(
            f"{name:16} p50 {row['p50']:7.1f} ms  p95 {row['p95']:7.1f} ms  "
            f"matches {row['median_matches']:.0f}"
        )
    overall = report["overall"]
    print(
        f"overall          p50 {overall['p50']:7.1f} ms  p95 {overall['p95']:7.1f} ms"
    )


if __name__ == "__main__":
    main()
