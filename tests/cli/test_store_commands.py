"""The list, get, delete and openapi commands, run as a user runs them: in a subprocess."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from actionlogkit import open_store
from actionlogkit.http import openapi_json

RunCli = Callable[..., subprocess.CompletedProcess[str]]

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _seed(url: str, count: int) -> list[dict[str, Any]]:
    """Store ``count`` records a second apart; return them as JSON, in creation order."""
    with open_store(url) as store:
        created = store.create_many(
            [
                {
                    "integrationId": f"shop-{i}",
                    "actionType": "sync",
                    "entityType": "order",
                    "entityId": f"o-{i}",
                    "status": ("success", "failed")[i % 2],
                    "errorMessage": "timeout after 30 s" if i % 2 else None,
                    "retryCount": i,
                    "executionTime": 12.5 * i,
                }
                for i in range(count)
            ],
            created_at=[T0 + timedelta(seconds=i) for i in range(count)],
        )
        return [record.model_dump(mode="json", by_alias=True) for record in created]


def _one_line_error(result: Any, command: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"actionlogkit {command}: error: ")
    return str(lines[0])


# -- list ------------------------------------------------------------------------------------------


def test_list_prints_a_table_with_the_total(sqlite_url: str, run_cli: RunCli) -> None:
    """list prints a header, one row per record newest first, and which records of how many."""
    records = _seed(sqlite_url, 5)
    result = run_cli("list", "--store", sqlite_url, "--limit", "3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "_id",
        "createdAt",
        "status",
        "actionType",
        "integrationId",
        "entityType",
        "entityId",
        "retryCount",
        "executionTime",
        "errorMessage",
    ]
    rows = lines[1:-1]
    assert [row.split()[0] for row in rows] == [r["_id"] for r in records[::-1][:3]]
    assert rows[0].split()[1] == records[4]["createdAt"]
    assert lines[-1] == "records 1-3 of 5"


def test_list_applies_filter_search_sort_order_offset(sqlite_url: str, run_cli: RunCli) -> None:
    """list's options are the query's: filter, search, sort, order, limit and offset."""
    records = _seed(sqlite_url, 8)
    result = run_cli(
        "list",
        "--store",
        sqlite_url,
        "--filter",
        '{"status": "failed"}',
        "--search",
        "TIMEOUT",
        "--sort",
        "retryCount",
        "--order",
        "asc",
        "--limit",
        "2",
        "--offset",
        "1",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    listed = [json.loads(line) for line in result.stdout.splitlines()]
    failed = [r for r in records if r["status"] == "failed"]
    assert listed == failed[1:3]
    assert result.stderr.strip() == "records 2-3 of 4"


def test_list_table_rounds_execution_time_and_json_keeps_it(
    sqlite_url: str, run_cli: RunCli
) -> None:
    """The table shows executionTime to hundredths; --json gives the exact value."""
    with open_store(sqlite_url) as store:
        store.create(
            {
                "integrationId": "shop-1",
                "actionType": "sync",
                "entityType": "order",
                "entityId": "o-1",
                "status": "failed",
                "errorMessage": "timeout",
                "executionTime": 17.630387,
            }
        )
    table = run_cli("list", "--store", sqlite_url)
    assert table.stdout.splitlines()[1].split()[8] == "17.63"
    exact = run_cli("list", "--store", sqlite_url, "--json")
    assert json.loads(exact.stdout)["executionTime"] == 17.630387


def test_list_names_a_single_record_shown(sqlite_url: str, run_cli: RunCli) -> None:
    """A page of one record is summed up as "record N of TOTAL"."""
    _seed(sqlite_url, 3)
    result = run_cli("list", "--store", sqlite_url, "--limit", "1", "--offset", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "record 2 of 3"


def test_list_json_prints_one_record_per_line(sqlite_url: str, run_cli: RunCli) -> None:
    """--json prints each record as one JSON line in the API's format, the count on stderr."""
    records = _seed(sqlite_url, 3)
    result = run_cli("list", "--store", sqlite_url, "--json")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == records[::-1]
    assert result.stderr.strip() == "records 1-3 of 3"


def test_list_on_an_empty_store_says_so(sqlite_url: str, run_cli: RunCli) -> None:
    """With no matches list prints that nothing matches and exits 0."""
    _seed(sqlite_url, 0)
    result = run_cli("list", "--store", sqlite_url)
    assert result.returncode == 0
    assert result.stdout == "no records match\n"


def test_list_memory_store_is_empty(run_cli: RunCli) -> None:
    """memory:// is a fresh empty store for each command."""
    result = run_cli("list", "--store", "memory://", "--json")
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr.strip() == "no records match"


def test_list_default_store_is_the_sqlite_file_in_the_working_directory(
    sqlite_url: str, tmp_path: Path, run_cli: RunCli
) -> None:
    """Without --store the commands use actionlogs.db in the working directory."""
    [record] = _seed(f"sqlite:///{tmp_path / 'actionlogs.db'}", 1)
    result = run_cli("list", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == record


@pytest.mark.parametrize(
    ("args", "place"),
    [
        (["--limit", "0"], "limit"),
        (["--offset", "-1"], "offset"),
        (["--filter", "{"], "filter"),
        (["--filter", '{"nope": 1}'], "filter.nope"),
        (["--sort", "nope"], "sort"),
        (["--search", "x" * 300], "search"),
    ],
)
def test_list_bad_query_exits_2_with_one_line(args: list[str], place: str, run_cli: RunCli) -> None:
    """A query the language refuses is a one-line error naming the place, exit code 2."""
    result = run_cli("list", "--store", "memory://", *args)
    assert result.returncode == 2
    assert f"invalid query: {place}: " in _one_line_error(result, "list")
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [["--limit", "x"], ["--order", "up"], ["--bogus"], ["--offset", "1.5"]],
)
def test_list_bad_arguments_exit_2(args: list[str], run_cli: RunCli) -> None:
    """Arguments argparse refuses give its usage and one error line, exit code 2."""
    result = run_cli("list", "--store", "memory://", *args)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(("actionlogkit list: error: ", "actionlogkit: error: "))
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("url", ["nonsense", "nosuchscheme://x", "memory://somewhere"])
def test_unusable_store_url_exits_2(url: str, run_cli: RunCli) -> None:
    """A store URL that cannot be used here is a one-line error, exit code 2."""
    result = run_cli("list", "--store", url)
    assert result.returncode == 2
    assert "--store" in _one_line_error(result, "list")


def test_store_failure_exits_1(tmp_path: Path, sqlite_url: str, run_cli: RunCli) -> None:
    """A store that cannot be opened (an SQLite file in a missing directory) exits 1."""
    url = f"sqlite:///{tmp_path / 'missing' / 'dir' / 'logs.db'}"
    result = run_cli("list", "--store", url)
    assert result.returncode == 1
    _one_line_error(result, "list")


def test_password_is_not_echoed_in_errors(run_cli: RunCli) -> None:
    """An error about a store URL hides the URL's password."""
    result = run_cli("list", "--store", "nosuchscheme://user:hunter2@host/db")
    assert result.returncode == 2
    assert "hunter2" not in result.stderr
    assert "user:***@host" in result.stderr


# -- get, delete ----------------------------------------------------------------------------------


def test_get_prints_the_record_as_json(sqlite_url: str, run_cli: RunCli) -> None:
    """get prints the record in the API's JSON."""
    records = _seed(sqlite_url, 2)
    result = run_cli("get", "--store", sqlite_url, records[1]["_id"])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == records[1]


def test_delete_removes_the_record(sqlite_url: str, run_cli: RunCli) -> None:
    """delete removes the record and says so; get then fails with exit code 1."""
    records = _seed(sqlite_url, 2)
    deleted = records[0]["_id"]
    result = run_cli("delete", "--store", sqlite_url, deleted)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"deleted {deleted}\n"
    with open_store(sqlite_url) as store:
        assert [record.id for record in store.list().data] == [records[1]["_id"]]
    missing = run_cli("get", "--store", sqlite_url, deleted)
    assert missing.returncode == 1


@pytest.mark.parametrize("command", ["get", "delete"])
@pytest.mark.parametrize("record_id", ["60f7b1b3e4b0e8b3f8b3f8b3", "not-an-id"])
def test_unknown_id_exits_1_with_one_line(command: str, record_id: str, run_cli: RunCli) -> None:
    """get and delete of an id no record has are a one-line error, exit code 1."""
    result = run_cli(command, "--store", "memory://", record_id)
    assert result.returncode == 1
    assert record_id in _one_line_error(result, command)


@pytest.mark.parametrize("command", ["get", "delete"])
def test_missing_id_argument_exits_2(command: str, run_cli: RunCli) -> None:
    """get and delete without an id are an argument error, exit code 2."""
    result = run_cli(command, "--store", "memory://")
    assert result.returncode == 2


# -- openapi --------------------------------------------------------------------------------------


def test_openapi_writes_the_document(tmp_path: Path, run_cli: RunCli) -> None:
    """openapi --output writes the document committed as docs/openapi.json; without it, stdout."""
    target = tmp_path / "openapi.json"
    result = run_cli("openapi", "--output", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8") == openapi_json()
    printed = run_cli("openapi")
    assert printed.stdout == openapi_json()


def test_openapi_to_an_unwritable_place_exits_1(tmp_path: Path, run_cli: RunCli) -> None:
    """openapi to a path that cannot be written is a one-line error, exit code 1."""
    result = run_cli("openapi", "--output", str(tmp_path / "no" / "such" / "dir.json"))
    assert result.returncode == 1
    _one_line_error(result, "openapi")


# -- list --all, export, migrate -------------------------------------------------------------------


def test_list_all_json_streams_every_match(sqlite_url: str, run_cli: RunCli) -> None:
    """list --all --json prints every match as JSON lines, newest first, the count on stderr."""
    records = _seed(sqlite_url, 230)
    result = run_cli("list", "--store", sqlite_url, "--all", "--json")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == records[::-1]
    assert result.stderr.strip() == "230 records"


def test_list_all_prints_one_table(sqlite_url: str, run_cli: RunCli) -> None:
    """list --all without --json prints every match in one table."""
    records = _seed(sqlite_url, 130)
    result = run_cli("list", "--store", sqlite_url, "--all", "--filter", '{"status": "failed"}')
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 + 65 + 1
    assert [line.split()[0] for line in lines[1:-1]] == [
        record["_id"] for record in records[::-1] if record["status"] == "failed"
    ]
    assert lines[-1] == "records 1-65 of 65"


def test_list_all_with_an_offset_is_refused(sqlite_url: str, run_cli: RunCli) -> None:
    """--offset beside --all exits 2 with one line."""
    _seed(sqlite_url, 3)
    result = run_cli("list", "--store", sqlite_url, "--all", "--offset", "1")
    assert result.returncode == 2
    assert "--offset" in _one_line_error(result, "list")


def test_export_writes_every_match_as_json_lines(
    sqlite_url: str, run_cli: RunCli, tmp_path: Path
) -> None:
    """export writes every match to the file, one JSON record a line, oldest first."""
    records = _seed(sqlite_url, 250)
    output = tmp_path / "out.jsonl"
    result = run_cli(
        "export", "--store", sqlite_url, "--search", "TIMEOUT", "--output", str(output)
    )
    assert result.returncode == 0, result.stderr
    expected = [record for record in records if record["errorMessage"]]
    assert [json.loads(line) for line in output.read_text().splitlines()] == expected
    assert result.stdout == ""
    assert result.stderr.strip() == f"exported {len(expected)} records to {output}"


def test_export_to_stdout_without_a_terminal_shows_no_progress(
    sqlite_url: str, run_cli: RunCli
) -> None:
    """export without --output writes the records to stdout and nothing to stderr."""
    records = _seed(sqlite_url, 5)
    result = run_cli("export", "--store", sqlite_url)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == records
    assert result.stderr == ""


def test_export_shows_progress_on_a_terminal(sqlite_url: str, tmp_path: Path) -> None:
    """On a terminal, export draws a progress bar that ends at every record."""
    import os
    import pty
    import sys

    _seed(sqlite_url, 120)
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "actionlogkit.cli",
            "export",
            "--store",
            sqlite_url,
            "-o",
            str(tmp_path / "out.jsonl"),
        ],
        stderr=terminal,
        stdout=subprocess.DEVNULL,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=60) == 0
    os.close(controller)
    assert b"120/120 records 100%" in shown


def test_export_memory_stays_flat(sqlite_url: str, tmp_path: Path) -> None:
    """Exporting ten times the records takes no more memory at its peak (pages are streamed)."""
    import tracemalloc

    from actionlogkit.cli import main

    def peak(count: int) -> int:
        url = f"sqlite:///{tmp_path / f'{count}.db'}"
        _seed(url, count)
        tracemalloc.start()
        assert main(["export", "--store", url, "-o", str(tmp_path / f"{count}.jsonl")]) == 0
        _, highest = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return highest

    peak(10)  # the first export imports modules: keep that out of the measures
    small, large = peak(300), peak(3000)
    assert large < small * 1.5, (small, large)


def test_migrate_an_up_to_date_store_builds_nothing(sqlite_url: str, run_cli: RunCli) -> None:
    """migrate on a store created by this version says there is nothing to build."""
    _seed(sqlite_url, 1)
    result = run_cli("migrate", "--store", sqlite_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "nothing to build: the store is up to date"
