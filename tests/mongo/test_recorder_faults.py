"""The recorder against a MongoDB server that freezes: bounded waits, every record accounted.

The server is a private nx-27017 process (the wire stand-in), frozen with SIGSTOP: its kernel still
accepts the connection and the data, so only the client's own deadline ends the wait.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from actionlogkit import Recorder

pytestmark = pytest.mark.mongodb


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def frozen_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A private nx-27017 server: its URL and its process, which the test may freeze."""
    script = Path(sys.executable).with_name("nx-27017")
    command = str(script) if script.exists() else shutil.which("nx-27017")
    if not command:
        pytest.fail("nx-27017 is not installed; it comes with the project's test dependencies")
    port = _free_port()
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [command, "--db", "memory", "--host", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    url = f"mongodb://127.0.0.1:{port}/faults"
    try:
        probe: MongoClient[dict[str, Any]] = MongoClient(url, serverSelectionTimeoutMS=500)
        with probe:
            deadline = time.monotonic() + 30
            while True:
                try:
                    probe.admin.command("ping")
                    break
                except PyMongoError:
                    assert process.poll() is None, (tmp_path / "server.log").read_text()
                    assert time.monotonic() < deadline, "nx-27017 did not answer"
                    time.sleep(0.1)
        yield url, process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGCONT)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_a_frozen_server_holds_a_sync_call_no_longer_than_write_timeout(
    frozen_server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    """SIGSTOP: the call returns while the server is frozen; its record, in doubt, is looked for."""
    url, process = frozen_server
    rec = Recorder(url, write_timeout=1.0)
    push = rec.action("update", entity_type="product", entity_id="sku")(lambda sku: sku)
    push("before")
    rescued = threading.Event()

    def rescue() -> None:
        rescued.set()
        os.kill(process.pid, signal.SIGCONT)

    os.kill(process.pid, signal.SIGSTOP)
    timer = threading.Timer(120, rescue)
    timer.start()
    try:
        push("frozen")
        assert not rescued.is_set()  # the call returned while the server was still frozen
    finally:
        timer.cancel()
        os.kill(process.pid, signal.SIGCONT)
    try:
        assert rec.stats.failed == 1
        # MongoDB applies an insert it received before it froze: the record was in doubt, and is
        # looked for, and counted, once the store answers again.
        deadline = time.monotonic() + 60
        n = 0
        while rec.stats.failed:
            assert time.monotonic() < deadline
            push(f"after-{n}")
            n += 1
            time.sleep(0.1)
        stored = {record.entity_id for record in rec.store.list(limit=100).data}
        stats = rec.stats
        assert "frozen" in stored
        assert stats.recorded == len(stored) == 2 + n
    finally:
        rec.close()
