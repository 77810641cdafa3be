"""The ``actionlogkit demo`` command, end to end in a subprocess."""

from __future__ import annotations

import subprocess
import sys

import pytest

from actionlogkit import MemoryStore, Recorder, Status
from actionlogkit.cli._demo import INTEGRATIONS, format_table, report, simulate
from actionlogkit.query import Node
from actionlogkit.stats import StatsQuery, StatsRow


def run_demo_command(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``actionlogkit demo`` as a user would, in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "actionlogkit.cli", "demo", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def section(output: str, title: str) -> str:
    """The lines of one table of the report, its title included."""
    return output.split(title, 1)[1].split("\n\n", 1)[0]


def test_the_demo_records_and_reports_in_memory() -> None:
    """The demo exits 0 and prints the four tables, with every integration in the first one."""
    result = run_demo_command("--store", "memory://", "--seed", "7")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for title in ("Failures per integration", "Slowest calls", "Retried calls", 'Search "price"'):
        assert title in out
    failures = section(out, "Failures per integration")
    for integration in INTEGRATIONS:
        assert integration in failures
    assert "HTTP 422: price must be positive" in section(out, 'Search "price"')
    assert "ShopUnavailable: HTTP 503" in out


def test_the_same_seed_gives_the_same_outcomes() -> None:
    """Two runs with one seed count the same calls, failures and retries per integration."""
    first = run_demo_command("--store", "memory://", "--seed", "11", "--products", "12")
    second = run_demo_command("--store", "memory://", "--seed", "11", "--products", "12")
    assert first.returncode == second.returncode == 0
    table = "Failures per integration"
    assert section(first.stdout, table) == section(second.stdout, table)


def test_an_unusable_store_url_is_reported_with_exit_code_1() -> None:
    """A store that cannot be opened gives a one-line error on stderr and exit code 1."""
    result = run_demo_command("--store", "nosuchscheme://x")
    assert result.returncode == 1
    assert "unknown store URL scheme 'nosuchscheme'" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_simulation_covers_every_kind_of_outcome() -> None:
    """The simulation leaves every kind of outcome and never stores its API key or secrets."""
    store = MemoryStore()
    with Recorder(store, on_store_error="raise") as rec:
        simulate(rec, seed=7, run="r1", products=24)
    logs = store.list({"metadata.run": "r1"}, limit=100).data
    assert store.count({"metadata.run": "r1"}) == len(logs)
    assert {log.status for log in logs} == {Status.SUCCESS, Status.FAILED}
    assert any(log.retry_count > 0 and log.status is Status.SUCCESS for log in logs)
    assert store.count({"errorMessage": "HTTP 401: webhook signature does not match"}) >= 1
    assert store.count({"metadata.closedEarly": True}) >= 1
    raw = "".join(log.model_dump_json() for log in logs)
    assert "sk_live_" not in raw
    assert "Bearer whk_" not in raw
    text = report(store, "r1")
    assert "Failures per integration" in text


def test_tables_align_columns_and_say_when_empty() -> None:
    """Numbers are right-aligned, long cells cut, and an empty table says (none)."""
    table = format_table("T", ["name", "n"], [["a", 5], ["bb", 10], ["x" * 100, 1]])
    lines = table.splitlines()
    assert lines[0] == "T"
    assert lines[3].endswith(" 5")
    assert lines[4].endswith("10")
    assert "…" in lines[5]
    assert format_table("E", ["a"], []).endswith("(none)")


@pytest.mark.parametrize("mode", ["sync", "background"])
def test_both_recorder_modes_run_the_demo(mode: str) -> None:
    """--mode sync and --mode background both record the whole run."""
    result = run_demo_command("--store", "memory://", "--products", "4", "--mode", mode)
    assert result.returncode == 0, result.stderr
    assert "Recorded " in result.stdout


def test_the_tables_say_when_they_are_cut() -> None:
    """A table showing part of a result says "8 of 15"; one showing all of it just "3"."""
    store = MemoryStore()
    retried = {"integrationId": "acme-shop", "actionType": "update", "entityType": "product"}
    store.create_many(
        [{**retried, "status": "failed", "retryCount": 2, "metadata": {"run": "r1"}}] * 15
        + [{**retried, "status": "success", "errorMessage": "price", "metadata": {"run": "r1"}}] * 3
    )
    text = report(store, "r1")
    assert "Retried calls (8 of 15 retried calls)" in text
    assert "Slowest calls (5 of 18 calls)" in text
    assert 'Search "price" (3 matching)' in text


def test_the_report_counts_with_one_stats_query() -> None:
    """The failures table comes from one stats call, not a count() per integration and status."""

    class Watched(MemoryStore):
        def __init__(self) -> None:
            super().__init__()
            self.stats_calls = 0
            self.count_calls = 0

        def _stats(self, query: StatsQuery) -> list[StatsRow]:
            self.stats_calls += 1
            return super()._stats(query)

        def _count(self, filter: Node | None, search: str | None) -> int:
            self.count_calls += 1
            return super()._count(filter, search)

    store = Watched()
    with Recorder(store, on_store_error="raise") as rec:
        simulate(rec, seed=7, run="r1", products=6)
    text = report(store, "r1")
    # Three tables are pages of records, each with its total; the first table is one stats call.
    assert (store.stats_calls, store.count_calls) == (1, 3)
    calls = store.count({"metadata.run": "r1", "integrationId": "acme-shop"})
    assert section(text, "Failures per integration").splitlines()[3].split()[:2] == [
        "acme-shop",
        str(calls),
    ]
