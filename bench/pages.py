"""Measure page throughput under concurrent load against gunicorn.

Usage: DATABASE_URL=... CACHE_URL=... .venv/bin/python bench/pages.py
           [--seconds 10] [--connections 16] [--workers 4] [--json]

Starts gunicorn with bench/settings.py (production settings over plain
HTTP) on 127.0.0.1, then loads each page with wrk (or, without wrk, a
Python load generator) for the same time: a minimal Django view, the home
page, the paper with the most summaries and one of its summaries. The pages
take turns for ``--rounds`` rounds, and each page's median requests per
second are divided by the minimal view's. It runs twice: with the page
cache for visitors on, and off (PAGE_CACHE_SECONDS=0).
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def pick_urls() -> dict[str, str]:
    """Return the benchmarked paths: a busy paper and one of its summaries."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Count

    from papers.models import Paper
    from summaries.models import Summary

    paper = (
        Paper.objects.annotate(count=Count("summaries"))
        .order_by("-count", "pk")
        .first()
    )
    summary = Summary.objects.filter(paper=paper, private=False).order_by("pk").first()
    return {
        "minimal view": "/bench/minimal/",
        "home": "/",
        "paper": paper.get_absolute_url(),
        "summary": summary.get_absolute_url(),
    }


def start_server(port: int, workers: int, cache_seconds: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="bench.settings",
        PAGE_CACHE_SECONDS=str(cache_seconds),
        REQUEST_LOG_LEVEL="WARNING",
        GUNICORN_BIND=f"{HOST}:{port}",
        WEB_CONCURRENCY=str(workers),
        GUNICORN_MAX_REQUESTS="0",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            get(port, "/bench/minimal/")
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start within 60 s")


def get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def drain(port: int) -> None:
    """Wait until the server has finished the requests of the last load.

    The load generator stops sending when its time is up, but requests it
    left queued (slow pages pile up) would still occupy the workers during
    the next page's measurement.
    """
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        start = time.monotonic()
        get(port, "/bench/minimal/")
        if time.monotonic() - start < 0.05:
            return
    raise RuntimeError("gunicorn was still busy 300 s after the load stopped")


def load_with_wrk(port: int, path: str, seconds: int, connections: int) -> float:
    output = subprocess.run(  # noqa: S603 -- fixed arguments
        [
            shutil.which("wrk"),
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            f"http://{HOST}:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"{path} returned errors under load:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])


def load_with_python(port: int, path: str, seconds: int, connections: int) -> float:
    counts = [0] * connections
    deadline = time.monotonic() + seconds

    def client(index):
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.monotonic() < deadline:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path} returned status {response.status}")
            counts[index] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def measure(urls, options, cache_seconds: int) -> dict[str, float]:
    """Return each page's median requests per second over the rounds.

    The pages take turns in every round, so that a change in the machine's
    load during the run affects them all alike.
    """
    load = load_with_wrk if shutil.which("wrk") else load_with_python
    port = free_port()
    server = start_server(port, options.workers, cache_seconds)
    try:
        for path in urls.values():
            status = get(port, path)
            if status != 200:
                raise RuntimeError(f"{path} returned status {status}")
            load(port, path, 2, options.connections)  # warm-up
            drain(port)
        rates: dict[str, list[float]] = {name: [] for name in urls}
        for _ in range(options.rounds):
            for name, path in urls.items():
                rates[name].append(
                    load(port, path, options.seconds, options.connections)
                )
                drain(port)
        return {name: statistics.median(values) for name, values in rates.items()}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    options = parser.parse_args()
    urls = pick_urls()
    results = {
        "tool": "wrk" if shutil.which("wrk") else "python",
        "urls": urls,
        "cached": measure(urls, options, cache_seconds=300),
        "uncached": measure(urls, options, cache_seconds=0),
        "seconds": options.seconds,
        "connections": options.connections,
        "workers": options.workers,
        "rounds": options.rounds,
    }
    if options.json:
        print(json.dumps(results))
        return
    for mode in ("cached", "uncached"):
        base = results[mode]["minimal view"]
        for name, rate in results[mode].items():
            print(f"{mode:9} {name:13} {rate:9.0f} req/s  ratio {rate / base:.2f}")


if __name__ == "__main__":
    main()
