"""Every curl example of docs/http.md runs as written against a live ``actionlogkit serve``."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from actionlogkit import ActionLog, open_store
from tests.cli.test_serve import _serving

DOC = Path(__file__).resolve().parents[2] / "docs" / "http.md"
WRITTEN_BASE = "http://127.0.0.1:8000"
# The ids the examples use, stored before they run.
EXAMPLE_IDS = ("6650a3f2c1d2e3f4a5b6c7d8", "6650a3f2c1d2e3f4a5b6c7d9")


def _complete(command: str) -> bool:
    try:
        shlex.split(command)
    except ValueError:  # a quotation still open
        return False
    return True


def _curl_commands() -> list[str]:
    """The shell commands of the page's console blocks that call curl, in the page's order."""
    commands = []
    for block in re.findall(r"```console\n(.*?)```", DOC.read_text(), re.DOTALL):
        lines = block.splitlines()
        for index, line in enumerate(lines):
            if not line.startswith("$ curl"):
                continue
            command = [line[2:]]
            following = index
            # A command goes on past a line ending in a backslash or inside an open quote.
            while command[-1].endswith("\\") or not _complete("\n".join(command)):
                following += 1
                command.append(lines[following])
            commands.append("\n".join(command))
    return commands


def _seed(url: str) -> None:
    now = datetime.now(timezone.utc)
    with open_store(url) as store:
        store.import_records(
            [
                ActionLog.model_validate(
                    {
                        "_id": record_id,
                        "integrationId": "shop-1",
                        "actionType": "update",
                        "entityType": "product",
                        "status": "failed",
                        "errorMessage": "HTTP 422: price must be positive",
                        "createdAt": now,
                        "updatedAt": now,
                    }
                )
                for record_id in EXAMPLE_IDS
            ]
        )


def test_the_page_has_an_example_of_every_route() -> None:
    """The examples cover GET and POST of the collection, GET, PUT and DELETE of a record."""
    text = "\n".join(_curl_commands())
    assert len(_curl_commands()) >= 6
    for method in ("-G", "-X POST", "-X PUT", "-X DELETE"):
        assert method in text


def test_every_curl_example_runs_as_written(tmp_path: Path) -> None:
    """Each example, pointed at a live server, exits 0 and answers success."""
    if shutil.which("curl") is None:
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail("curl is missing: .ci/run installs it")
        pytest.skip("needs curl")
    url = f"sqlite:///{tmp_path / 'logs.db'}"
    _seed(url)
    with _serving("--store", url) as server:
        for command in _curl_commands():
            assert WRITTEN_BASE in command
            result = subprocess.run(
                ["bash", "-o", "pipefail", "-c", command.replace(WRITTEN_BASE, server.base)],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert result.returncode == 0, (command, result.stderr)
            answer = json.loads(result.stdout)
            assert answer["success"] is True, (command, answer)
    with open_store(url) as store:
        assert store.count() == 2  # one created, one deleted
        assert store.get(EXAMPLE_IDS[0]).status.value == "failed"
