"""``actionlogkit stats`` and ``actionlogkit count`` on an SQLite store."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from actionlogkit import open_store

from .conftest import RunCli

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _seed(url: str) -> None:
    with open_store(url) as store:
        store.create_many(
            [
                {
                    "integrationId": f"shop-{i % 2}",
                    "actionType": "sync",
                    "entityType": "order",
                    "status": ("success", "failed")[i % 4 == 0],
                    "retryCount": i % 3,
                    "executionTime": float(i),
                }
                for i in range(1, 21)
            ],
            created_at=[T0 + timedelta(minutes=10 * i) for i in range(20)],
        )


def test_stats_prints_a_table_per_integration_and_status(run_cli: RunCli, sqlite_url: str) -> None:
    """The default table has a row per integrationId and status, with counts and percentiles."""
    _seed(sqlite_url)
    done = run_cli("stats", "--store", sqlite_url)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == [
        "integrationId",
        "status",
        "count",
        "failed",
        "failed",
        "%",
        "retried",
        *(word for name in ("min", "avg", "p50", "p95", "p99", "max") for word in (name, "ms")),
    ]
    # shop-0 failed: i = 4, 8, 12, 16, 20.
    assert lines[1].split()[:6] == ["shop-0", "failed", "5", "5", "100.0", "4"]
    assert lines[1].split()[6:] == ["4.0", "12.0", "12.0", "20.0", "20.0", "20.0"]
    assert lines[-1] == "3 groups, 20 records"


def test_stats_json_gives_the_stores_groups(run_cli: RunCli, sqlite_url: str) -> None:
    """--json prints each group of Store.stats as a JSON line, the summary on stderr."""
    _seed(sqlite_url)
    done = run_cli(
        "stats", "--store", sqlite_url, "--by", "", "--interval", "1h", "--filter",
        '{"status": "success"}', "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with open_store(sqlite_url) as store:
        expected = store.stats({"status": "success"}, by=(), interval="1h")
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    assert printed == [g.model_dump(mode="json", by_alias=True) for g in expected.groups]
    assert done.stderr.strip() == f"{len(printed)} groups, 15 records"


def test_count_prints_how_many_match(run_cli: RunCli, sqlite_url: str) -> None:
    """count prints the number of records matching the filter and search."""
    _seed(sqlite_url)
    done = run_cli("count", "--store", sqlite_url, "--filter", '{"retryCount": {"$gt": 0}}')
    assert (done.returncode, done.stdout) == (0, "14\n")
    assert run_cli("count", "--store", sqlite_url, "--search", "SHOP-1").stdout == "10\n"


def test_bad_queries_exit_2_and_missing_stores_exit_1(
    run_cli: RunCli, sqlite_url: str, tmp_path: Path
) -> None:
    """A bad --by or filter exits 2; a store that does not exist exits 1 and is not created."""
    _seed(sqlite_url)
    done = run_cli("stats", "--store", sqlite_url, "--by", "integrationId,payload.x")
    assert done.returncode == 2
    assert done.stderr.startswith("actionlogkit stats: error: invalid query: by: cannot group")
    assert run_cli("count", "--store", sqlite_url, "--filter", "{").returncode == 2
    missing = tmp_path / "none.db"
    for command in ("stats", "count"):
        done = run_cli(command, "--store", f"sqlite:///{missing}")
        assert done.returncode == 1
        assert f"no such database: {missing}" in done.stderr
    assert not missing.exists()


def test_stats_on_no_match_says_so(run_cli: RunCli, sqlite_url: str) -> None:
    """A query matching nothing prints no table and says no records match."""
    _seed(sqlite_url)
    done = run_cli("stats", "--store", sqlite_url, "--filter", '{"status": "pending"}')
    assert (done.returncode, done.stdout) == (0, "no records match\n")
