"""Measure the API's paper list on a million papers: the first page and a deep one.

Usage:
    .venv/bin/python bench/api_pagination.py [--papers N] [--requests N]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME \\
        .venv/bin/python bench/api_pagination.py

Without DATABASE_URL the papers go into the SQLite file
var/bench/api_pagination.sqlite3, which later runs reuse. With it, the
PostgreSQL database must exist and is filled once. Generation uses bulk
inserts (executemany on SQLite, COPY on PostgreSQL): each paper gets two
authors from a pool of 50,000, and every 1,000th paper has a summary.

Each request goes through the whole Django stack in this process
(routing, authentication, throttling, the queries, serialization), as
``GET /api/v1/papers/`` with 20 rows a page. The deep page starts 90% of
the way into the list, from a cursor made for that row, as a client
following ``next`` links would arrive there. Requests alternate between
the first and the deep page. The script also times the same deep page read
with OFFSET and checks that no request runs COUNT(*). It rewrites this
database's section of docs/benchmarks-api.md.
"""

import argparse
import io
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = ROOT / "var" / "bench" / "api_pagination.sqlite3"
REPORT = ROOT / "docs" / "benchmarks-api.md"

AUTHOR_POOL = 50_000
SUMMARY_EVERY = 1_000
BATCH = 50_000
DEPTH = 0.9
VENUES = [f"Conference on Topic {number}" for number in range(200)]


def setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DEFAULT_SQLITE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.dev")
    # Debug mode would keep every query in memory, and the default anonymous
    # rate would throttle the benchmark's own requests.
    os.environ["DEBUG"] = "0"
    os.environ["API_THROTTLE_ANON"] = "1000000/minute"
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def insert_rows(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Insert database-ready rows in bulk: COPY on PostgreSQL, else executemany."""
    from django.db import connection

    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(_copy_value(value) for value in row) + "\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {quote(table)} ({names}) FROM STDIN", buffer
            )
        return
    marks = ", ".join(["%s"] * len(columns))
    # Table and column names are the models' own, never input.
    sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def generate(count: int) -> float:
    """Fill the database with ``count`` papers; return the seconds it took."""
    from django.db import connection, transaction

    from accounts.models import User
    from papers.models import Author, Authorship, Paper
    from shortscience.markup import render_excerpt, render_markdown
    from summaries.models import Summary

    started = time.perf_counter()
    randomly = random.Random(7)  # noqa: S311  (reproducible years, not secrets)
    now = Paper._meta.get_field("created").get_db_prep_save(
        datetime.now(UTC), connection
    )
    with transaction.atomic():
        insert_rows(
            Author._meta.db_table,
            ["name", "first", "von", "last", "jr"],
            [
                (f"Ada Person{n}", "Ada", "", f"Person{n}", "")
                for n in range(AUTHOR_POOL)
            ],
        )
    author_ids = list(Author.objects.order_by("pk").values_list("pk", flat=True))
    columns = [
        "bibtex_key",
        "entry_type",
        "title",
        "year",
        "month",
        "venue",
        "abstract",
        "arxiv_id",
        "doi",
        "url",
        "bibtex",
        "created",
        "updated",
    ]
    for start in range(0, count, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, count)):
            year = None if n % 50 == 0 else randomly.randint(1950, 2024)
            rows.append(
                (
                    f"DBLP:journals/corr/abs-{n // 10_000:04d}-{n:07d}",
                    "article",
                    f"A study of topic {n % 997} in setting {n}",
                    year,
                    None,
                    VENUES[n % len(VENUES)],
                    "",
                    "",
                    "",
                    "",
                    "",
                    now,
                    now,
                )
            )
        with transaction.atomic():
            insert_rows(Paper._meta.db_table, columns, rows)
        print(f"  papers: {start + len(rows):,}", file=sys.stderr)
    first_id = Paper.objects.order_by("pk").values_list("pk", flat=True).first()
    for start in range(0, count, BATCH):
        rows = [
            (first_id + n, author_ids[(n * 7 + place) % AUTHOR_POOL], place)
            for n in range(start, min(start + BATCH, count))
            for place in range(2)
        ]
        with transaction.atomic():
            insert_rows(
                Authorship._meta.db_table, ["paper_id", "author_id", "position"], rows
            )
    writer, _ = User.objects.get_or_create(username="bench-writer")
    source = "A short summary with $x^2$."
    html, excerpt = render_markdown(source), render_excerpt(source)
    summaries = [
        Summary(
            paper_id=first_id + n,
            author=writer,
            source=source,
            html=html,
            excerpt=excerpt,
        )
        for n in range(0, count, SUMMARY_EVERY)
    ]
    Summary.objects.bulk_create(summaries, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def deep_cursor(ordering: str, fields: tuple[str, ...], offset: int) -> str:
    """Return the cursor that a client would hold after ``offset`` rows."""
    from papers.models import Paper
    from shortscience.api.pagination import Cursor, encode_cursor, sort_keys

    keys = sort_keys(Paper, fields)
    row = (
        Paper.objects.order_by(*(key.order_by() for key in keys))
        .values_list(*(key.field for key in keys))[offset - 1 : offset]
        .get()
    )
    return encode_cursor(Cursor(ordering, tuple(row)))


def time_request(client, url: str, queries: list[str]) -> float:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    if response.status_code != 200 or len(response.json()["results"]) != 20:
        sys.exit(f"{url} returned {response.status_code}: {response.content[:300]}")
    queries.extend(query["sql"] for query in captured)
    return elapsed


def time_offset(offset: int, runs: int) -> list[float]:
    """Time the deep page read with OFFSET, as page-number pagination reads it."""
    from django.contrib.auth.models import AnonymousUser

    from papers.selectors import paper_listing

    listing = paper_listing(viewer=AnonymousUser()).select_related("submitted_by")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        list(listing.order_by("-pk")[offset : offset + 21])
        times.append(time.perf_counter() - started)
    return times


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def describe_machine(vendor: str) -> str:
    from django.db import connection

    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB of memory"
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]} on the same machine"
    else:
        database = f"SQLite {sqlite3.sqlite_version}"
    return (
        f"{model}, {os.cpu_count()} CPUs{memory}; Python "
        f"{platform.python_version()}, {database}"
    )


def measure(options) -> str:
    from django.db import connection
    from django.test import Client

    from papers.models import Paper

    vendor = connection.vendor
    stored = Paper.objects.count()
    generation = ""
    if stored != options.papers:
        if stored:
            sys.exit(
                f"The database has {stored:,} papers, not {options.papers:,}; "
                "empty it or pass --papers with that number."
            )
        seconds = generate(options.papers)
        generation = f"Generating the rows took {seconds:.0f} s.\n\n"
    client = Client(HTTP_HOST="localhost")
    offset = int(options.papers * DEPTH)
    lines = [
        "| ordering | first page ms, median | deep page ms, median | "
        "first p90 | deep p90 | deep / first |",
        "|---|---|---|---|---|---|",
    ]
    queries: list[str] = []
    orderings = {"-id": ("-pk",), "-year": ("-year", "-pk"), "year": ("year", "pk")}
    for ordering, fields in orderings.items():
        first_url = f"/api/v1/papers/?ordering={ordering}"
        deep_url = f"{first_url}&cursor={deep_cursor(ordering, fields, offset)}"
        for url in (first_url, deep_url):
            time_request(client, url, [])
        first, deep = [], []
        for _ in range(options.requests):
            first.append(time_request(client, first_url, queries))
            deep.append(time_request(client, deep_url, queries))
        ratio = statistics.median(deep) / statistics.median(first)
        lines.append(
            f"| `{ordering}` | {statistics.median(first) * 1000:.1f} | "
            f"{statistics.median(deep) * 1000:.1f} | "
            f"{percentile(first, 0.9) * 1000:.1f} | "
            f"{percentile(deep, 0.9) * 1000:.1f} | {ratio:.2f} |"
        )
    counts = [sql for sql in queries if sql.upper().startswith("SELECT COUNT(")]
    offset_times = time_offset(offset, max(3, options.requests // 10))
    return (
        f"Machine: {describe_machine(vendor)}.\n\n"
        f"{options.papers:,} papers, {options.requests} requests per page; "
        f"the deep page starts after row {offset:,}.\n\n{generation}"
        + "\n".join(lines)
        + "\n\n"
        f"Queries per request: {len(queries) // (2 * options.requests * 3)}; "
        f"COUNT(*) queries: {len(counts)}. The same deep page read with OFFSET "
        f"{offset:,} (ordering `-id`, query only, no serialization): "
        f"{statistics.median(offset_times) * 1000:.0f} ms, median of "
        f"{len(offset_times)}.\n"
    )


def write_section(vendor: str, text: str) -> None:
    """Replace this database's section of the report, keeping the others."""
    begin, end = f"<!-- results:{vendor} -->", f"<!-- end:{vendor} -->"
    report = REPORT.read_text() if REPORT.exists() else ""
    block = f"{begin}\n{text}{end}"
    if begin in report and end in report:
        head, rest = report.split(begin, 1)
        report = head + block + rest.split(end, 1)[1]
    else:
        report = report.rstrip() + f"\n\n### {vendor}\n\n{block}\n"
    REPORT.write_text(report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument(
        "--no-write", action="store_true", help="Print only; leave docs/ alone."
    )
    options = parser.parse_args()

    setup_django()
    from django.db import connection

    text = measure(options)
    print(text)
    if not options.no_write:
        write_section(connection.vendor, text)


if __name__ == "__main__":
    main()
