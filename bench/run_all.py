"""Run every benchmark in one go and write docs/benchmarks.md.

Usage: .venv/bin/python bench/run_all.py [--papers N] [--summaries N]
           [--page-seconds N] [--import-entries N] [--regenerate]

Environment: BENCH_DATABASE_URL (a PostgreSQL database this script may drop
and fill; default postgres://postgres@127.0.0.1:5432/shortscience_bench) and
BENCH_CACHE_URL (Redis for the page benchmark; default
redis://127.0.0.1:6379/0). The generated data is kept between runs and made
again only when its size differs or with --regenerate.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "benchmarks.md"
PYTHON = sys.executable

TARGETS = {
    "page_ratio": 0.6,
    "search_p95_ms": 50.0,
    "import_per_second": 2000.0,
}


def run(script: str, *args: str, env: dict | None = None) -> str:
    print(f"running {script} {' '.join(args)}", file=sys.stderr, flush=True)
    return subprocess.run(  # noqa: S603 -- fixed arguments
        [PYTHON, str(ROOT / "bench" / script), *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def database_counts(url: str) -> tuple[int, int] | None:
    """Return (papers, summaries) in the benchmark database, or None if unusable."""
    import psycopg2

    try:
        with psycopg2.connect(url) as connection, connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM papers_paper), "
                "(SELECT count(*) FROM summaries_summary)"
            )
            return cursor.fetchone()
    except psycopg2.Error:
        return None


def recreate_database(url: str) -> None:
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    config = dj_database_url.parse(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"],
        host=config["HOST"],
        port=config["PORT"],
    )
    connection.autocommit = True
    name = sql.Identifier(config["NAME"])
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
    connection.close()


def prepare_data(url: str, options) -> None:
    if not options.regenerate and database_counts(url) == (
        options.papers,
        options.summaries,
    ):
        print("reusing the generated data", file=sys.stderr)
        return
    recreate_database(url)
    env = {"DATABASE_URL": url}
    subprocess.run(  # noqa: S603 -- fixed arguments
        [PYTHON, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )
    run(
        "generate_data.py",
        f"--papers={options.papers}",
        f"--summaries={options.summaries}",
        env=env,
    )
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


def import_rates(entries: int, runs: int) -> dict[str, float]:
    output = run("import_bibtex.py", f"--entries={entries}", f"--runs={runs}")
    rates = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 5 and cells[0] and cells[1][:1].isdigit():
            rates[cells[0]] = float(cells[4].replace(",", ""))
    return rates


def describe_machine(url: str) -> str:
    import psycopg2

    model = platform.machine()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f", {int(line.split()[1]) / 2**20:.0f} GiB of memory"
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    wrk = shutil.which("wrk")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{model}, {os.cpu_count()} CPUs{memory}; Linux {platform.release()}; "
        f"Python {platform.python_version()}; PostgreSQL {postgres}; "
        f"load generator: {'wrk' if wrk else 'Python threads'}. The load "
        "generator, gunicorn, PostgreSQL and Redis share these CPUs. Load "
        f"average (1, 5, 15 min) at the end of the run: {load}; on a shared "
        "machine, other processes take part of the CPUs and the figures vary "
        "from run to run accordingly."
    )


def verdict(ok: bool) -> str:
    return "meets the target" if ok else "**misses the target**"


def write_report(machine: str, pages: dict, search: dict, render: dict, imports):
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run_all.py) on "
        f"{datetime.now(UTC):%Y-%m-%d}; every figure below comes from that one "
        "run. Run it again to refresh this page.",
        "",
        f"Machine: {machine}",
        "",
        "## Pages under concurrent load",
        "",
        f"gunicorn with {pages['workers']} sync workers and the production "
        f"settings (bench/settings.py, over plain HTTP), {pages['tool']} with "
        f"{pages['connections']} connections for {pages['seconds']} s per page "
        f"after a 2 s warm-up, the pages taking turns for {pages['rounds']} "
        "rounds, as a visitor who is not signed in. The ratio divides a "
        "page's median requests per second by those of a minimal Django "
        "view (`/bench/minimal/`, the same middleware, a fixed text) on the "
        f"same server. Target: a ratio of at least {TARGETS['page_ratio']}.",
        "",
        "| page | address | cached req/s | ratio | uncached req/s | ratio |",
        "|---|---|---|---|---|---|",
    ]
    cached, uncached = pages["cached"], pages["uncached"]
    for name, path in pages["urls"].items():
        lines.append(
            f"| {name} | `{path}` | {cached[name]:,.0f} | "
            f"{cached[name] / cached['minimal view']:.2f} | {uncached[name]:,.0f} | "
            f"{uncached[name] / uncached['minimal view']:.2f} |"
        )
    worst_cached = min(
        cached[name] / cached["minimal view"] for name in ("home", "paper", "summary")
    )
    worst_uncached = min(
        uncached[name] / uncached["minimal view"]
        for name in ("home", "paper", "summary")
    )
    lines += [
        "",
        f"With the page cache (Redis, the default for visitors) the lowest "
        f"ratio is {worst_cached:.2f}: it {verdict(worst_cached >= 0.6)}. "
        f"Rendering every page afresh (PAGE_CACHE_SECONDS=0, as for signed-in "
        f"members) the lowest ratio is {worst_uncached:.2f}, which "
        f"{verdict(worst_uncached >= 0.6)}.",
        "",
        "A cached page costs one Redis round trip for the generations of its "
        "scopes (shortscience/pagecache.py) and, once a process holds a copy, "
        "no transfer of the page itself. The rest of the gap to the minimal "
        "view is the size of the page sent. Uncached, a page costs two to "
        "four indexed queries and the rendering of its templates, and the "
        "rendering takes most of the time. The home page lists 20 summaries "
        "with their papers and authors (`summaries.selectors.summary_feed`). "
        "The paper page shows every summary of the paper in full, and the "
        "paper measured has the most summaries of the generated data.",
        "",
        "## Search",
        "",
        f"`search.selectors.search` as the search page calls it (first page of "
        f"25 with snippets, as a visitor) on {search['vendor']} with "
        f"{search['papers']:,} papers and {search['summaries']:,} summaries "
        f"from bench/generate_data.py, {search['rounds']} rounds of 12 queries "
        f"per class after a warm-up round ({search['count']} timings). "
        f"Target: p95 at most {TARGETS['search_p95_ms']:.0f} ms.",
        "",
        "| query class | example | papers matched (median) | p50 ms | p95 ms |",
        "|---|---|---|---|---|",
    ]
    for name, row in search["classes"].items():
        lines.append(
            f"| {name} | `{row['example']}` | {row['median_matches']:,.0f} | "
            f"{row['p50']:.1f} | {row['p95']:.1f} |"
        )
    overall = search["overall"]
    lines += [
        f"| **all** | | | {overall['p50']:.1f} | {overall['p95']:.1f} |",
        "",
        f"Overall p95 is {overall['p95']:.1f} ms: it "
        f"{verdict(overall['p95'] <= TARGETS['search_p95_ms'])}.",
        "",
        "Each query ranks at most `search.backends.MAX_CANDIDATES` paper and "
        "summary documents, papers whose title matches first, because "
        "ranking every match of a common word means reading tens of "
        "thousands of vectors; the page then says that more papers match. "
        "The number of papers matched above is that of the ranked "
        "candidates.",
        "",
        "## Rendering",
        "",
        f"{render['summaries']} summaries built from the sample content "
        f"(mean {render['mean_chars']:,.0f} characters, {render['formulas']:,} "
        "formulas in all), rendered by our pipeline (`render_markdown`: "
        "markdown-it-py, KaTeX MathML in a child process, nh3) and by "
        "Python-Markdown + bleach, which leave formulas as TeX text "
        "(bench/render.py). Summaries per second, one process:",
        "",
        "| pipeline | first pass | later passes |",
        "|---|---|---|",
        f"| ours | {render['ours'][0]:,.0f} | {render['ours'][1]:,.0f} |",
        f"| Python-Markdown + bleach | {render['baseline'][0]:,.0f} | "
        f"{render['baseline'][1]:,.0f} |",
        "",
        "Later passes reuse the MathML of formulas seen before. No target is "
        "set; the hostile-input limits are in "
        "[benchmarks-rendering.md](benchmarks-rendering.md).",
        "",
        "## BibTeX import",
        "",
        "bench/import_bibtex.py on a generated 10,000-entry file into SQLite; "
        "the file and the other steps are described in "
        "[benchmarks-import.md](benchmarks-import.md). Entries per second, "
        "median of the runs, search indexing included. Target: at least "
        f"{TARGETS['import_per_second']:,.0f} entries per second.",
        "",
        "| step | entries/s |",
        "|---|---|",
    ]
    for name, value in imports.items():
        lines.append(f"| {name} | {value:,.0f} |")
    empty = imports.get("import into an empty database", 0.0)
    lines += [
        "",
        f"An import into an empty database runs at {empty:,.0f} entries per "
        f"second: it {verdict(empty >= TARGETS['import_per_second'])}.",
        "",
    ]
    OUTPUT.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--summaries", type=int, default=100_000)
    parser.add_argument("--page-seconds", type=int, default=10)
    parser.add_argument("--search-rounds", type=int, default=5)
    parser.add_argument("--render-summaries", type=int, default=300)
    parser.add_argument("--import-entries", type=int, default=10_000)
    parser.add_argument("--import-runs", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true")
    options = parser.parse_args()
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shortscience_bench"
    )
    cache_url = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/0")
    prepare_data(url, options)
    env = {"DATABASE_URL": url, "CACHE_URL": cache_url, "LOG_LEVEL": "WARNING"}
    search = last_json(
        run("search.py", f"--rounds={options.search_rounds}", "--json", env=env)
    )
    pages = last_json(
        run("pages.py", f"--seconds={options.page_seconds}", "--json", env=env)
    )
    render = last_json(
        run(
            "render.py",
            f"--summaries={options.render_summaries}",
            "--json",
            env={"LOG_LEVEL": "WARNING"},
        )
    )
    imports = import_rates(options.import_entries, options.import_runs)
    write_report(describe_machine(url), pages, search, render, imports)
    print(f"wrote {OUTPUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
