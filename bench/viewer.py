"""The log viewer on a million records, in a real headless Chromium: table and charts timings.

Loads 1,000,000 records (``createdAt`` spread over the last 90 days, so the last 24 hours hold
about 11,000) into a SQLite file, starts ``actionlogkit serve`` on it (uvicorn, one process, on
127.0.0.1), and opens the viewer's default view in the system's Chromium (``--chromium``,
default ``/usr/bin/chromium``) through Playwright, ``--runs`` times, each a fresh page with the
browser's cache warm after the first. It reads the viewer's own marks (``alk:table`` once the
table and its count are shown, ``alk:charts`` once the charts of the last 24 hours are drawn) and
the Resource Timing of each API request, all in milliseconds from the start of the navigation.

    uv run python bench/viewer.py [--records 1000000] [--runs 15] [--sqlite-file PATH]

Goals: the table with its count within 300 ms, the charts within 1 s. The server is stopped by its
PID; every wait is bounded.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from _common import load_recent, timed
from playwright.sync_api import sync_playwright

from actionlogkit import open_store

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READ_TIMINGS = """() => {
  const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  const requests = performance.getEntriesByType("resource")
    .filter((e) => e.name.includes("/integration-action-logs"))
    .map((e) => ({ url: e.name, start: e.startTime, duration: e.duration }));
  return { table: mark("alk:table"), charts: mark("alk:charts"), requests };
}"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve(path: Path, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "actionlogkit.cli", "serve", "--store", f"sqlite:///{path}"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"], stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def _kind(url: str) -> str:
    if "/stats" in url:
        return "stats by integration" if "by=integrationId" in url else "stats by hour"
    return "list + count"


def _row(label: str, values: list[float], goal: str = "") -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return f"| {label} | {statistics.median(values):.0f} ms | {p90:.0f} ms | {goal} |"


def measure(base: str, runs: int, chromium: str) -> None:
    """Open the viewer ``runs`` times and print the medians as a Markdown table."""
    found: dict[str, list[float]] = {"table": [], "charts": []}
    with sync_playwright() as driver, tempfile.TemporaryDirectory() as profile:
        context = driver.chromium.launch_persistent_context(
            profile, executable_path=chromium, args=ARGS, headless=True
        )
        try:
            for run in range(runs + 1):
                page = context.new_page()
                page.goto(f"{base}/")
                page.wait_for_function(
                    "() => Number(document.body.dataset.chartLoads || 0) >= 1", timeout=60_000
                )
                timings: dict[str, Any] = page.evaluate(READ_TIMINGS)
                count = page.text_content("#count")
                page.close()
                if run == 0:
                    print(
                        f"first (cold) load: table {timings['table']:.0f} ms, charts "
                        f"{timings['charts']:.0f} ms; {count}"
                    )
                    continue
                found["table"].append(timings["table"])
                found["charts"].append(timings["charts"])
                for request in timings["requests"]:
                    found.setdefault(_kind(request["url"]), []).append(request["duration"])
        finally:
            context.close()
    print("| from the start of the navigation | p50 | p90 | goal |")
    print("|---|---|---|---|")
    print(_row("table and its count shown", found["table"], "≤ 300 ms"))
    print(_row("charts of the last 24 hours drawn", found["charts"], "≤ 1,000 ms"))
    for kind in ("list + count", "stats by hour", "stats by integration"):
        print(_row(f"request: {kind}", found[kind]))


def main() -> None:
    """Load, serve, measure, stop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--sqlite-file", type=Path, default=None)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = arguments.sqlite_file or Path(directory) / "viewer.db"
        with open_store(f"sqlite:///{path}") as store:
            seconds = timed(lambda: load_recent(store, arguments.records))
            print(f"{store.count():,} records ready in {seconds:.0f} s")
        port = _free_port()
        server = _serve(path, port)
        try:
            measure(f"http://127.0.0.1:{port}", arguments.runs, arguments.chromium)
        finally:
            os.kill(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
