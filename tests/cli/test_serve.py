"""``actionlogkit serve`` end to end: a real server process answering a real HTTP client."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from actionlogkit import open_store

RunCli = Callable[..., subprocess.CompletedProcess[str]]

URL = "/integration-action-logs"
BODY = {
    "integrationId": "shop-1",
    "actionType": "create",
    "entityType": "product",
    "status": "success",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class _Server:
    """A running ``serve`` process; ``stderr`` holds what it wrote once it has stopped."""

    base: str
    process: subprocess.Popen[str]
    stderr: str = ""


@contextmanager
def _serving(
    *args: str,
    cwd: Path | None = None,
    stop: signal.Signals = signal.SIGTERM,
    env: dict[str, str] | None = None,
) -> Iterator[_Server]:
    """Start ``actionlogkit serve`` on a free port; yield it once it answers; stop it by PID."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "actionlogkit.cli", "serve", "--port", str(port), *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = _Server(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"serve exited early ({process.returncode}): {process.communicate()}")
            try:
                httpx.get(f"{server.base}{URL}", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail("serve did not answer within 60 s")
                time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            os.kill(process.pid, stop)
        try:
            server.stderr = process.communicate(timeout=30)[1]
        except subprocess.TimeoutExpired:
            process.kill()
            server.stderr = process.communicate()[1]


def test_serve_answers_a_real_client_and_stops_cleanly() -> None:
    """serve answers HTTP on its port: create, list, get, docs; SIGTERM stops it with exit 0."""
    with (
        _serving("--store", "memory://") as server,
        httpx.Client(base_url=server.base) as client,
    ):
        created = client.post(URL, json=BODY)
        assert created.status_code == 201
        record = created.json()["data"]
        listed = client.get(URL, params={"filter": '{"status": "success"}', "limit": 50})
        assert listed.json() == {"success": True, "data": [record], "total": 1, "nextCursor": None}
        assert client.get(f"{URL}/{record['_id']}").json()["data"] == record
        docs = client.get("/docs")
        assert docs.status_code == 200
        assert "swagger" in docs.text.lower()
        assert client.get("/openapi.json").json()["paths"].keys() == {
            URL,
            f"{URL}/{{id}}",
            f"{URL}/stats",
        }
        viewer = client.get("/")
        assert viewer.status_code == 200
        assert "Integration action logs" in viewer.text
    assert server.process.returncode == 0
    assert f"serving memory:// at {server.base}{URL}" in server.stderr


def test_serve_stops_on_ctrl_c_without_a_traceback() -> None:
    """SIGINT (Ctrl-C) stops serve with exit code 0 and no traceback."""
    with _serving("--store", "memory://", stop=signal.SIGINT) as server:
        assert httpx.get(f"{server.base}{URL}").status_code == 200
    assert server.process.returncode == 0
    assert "Traceback" not in server.stderr
    assert "Application shutdown complete" in server.stderr


def test_serve_refuses_a_streamed_body_over_the_limit() -> None:
    """Over real HTTP, a chunked body past 1 MiB gets a 413 in the error body."""

    def chunks() -> Iterator[bytes]:
        yield b'{"integrationId": "'
        for _ in range(200):
            yield b"x" * 8192
        yield b'"}'

    with (
        _serving("--store", "memory://") as server,
        httpx.Client(base_url=server.base) as client,
    ):
        response = client.post(URL, content=chunks(), headers={"content-type": "application/json"})
        assert response.status_code == 413
        assert response.json()["success"] is False
        assert client.get(URL).json()["total"] == 0


def test_serve_shrugs_off_a_client_that_leaves_mid_body() -> None:
    """A client that disconnects while sending its body leaves no error in the log."""
    with _serving("--store", "memory://") as server:
        port = int(server.base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(
                f"POST {URL} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                '{"integrationId": '.encode()
            )
        time.sleep(0.5)
        assert httpx.get(f"{server.base}{URL}").json()["total"] == 0
    assert "Traceback" not in server.stderr
    assert "unexpected error" not in server.stderr


def test_serve_allows_configured_cors_origins() -> None:
    """--cors-origin lets that origin call the API from a browser."""
    args = ("--store", "memory://", "--cors-origin", "https://admin.example")
    with _serving(*args) as server:
        response = httpx.get(f"{server.base}{URL}", headers={"origin": "https://admin.example"})
        assert response.headers["access-control-allow-origin"] == "https://admin.example"


def test_serve_uses_the_default_sqlite_file(tmp_path: Path, sqlite_url: str) -> None:
    """Without --store, serve keeps the records in actionlogs.db in the working directory."""
    with _serving(cwd=tmp_path) as server:
        assert httpx.post(f"{server.base}{URL}", json=BODY).status_code == 201
    assert server.process.returncode == 0
    with open_store(f"sqlite:///{tmp_path / 'actionlogs.db'}") as store:
        [record] = store.list().data
        assert record.integration_id == "shop-1"


def test_serve_with_an_unusable_store_exits_2(run_cli: RunCli) -> None:
    """serve with a store URL that cannot be used exits 2 with one line, before listening."""
    result = run_cli("serve", "--store", "nosuchscheme://x", "--port", str(_free_port()))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("actionlogkit serve: error: --store nosuchscheme://x")


def test_serve_on_a_busy_port_exits_1(run_cli: RunCli) -> None:
    """serve on a port already taken exits 1 and says why."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--store", "memory://", "--port", str(port))
    assert result.returncode == 1
    assert "actionlogkit serve: error: " in result.stderr
    assert "in use" in result.stderr


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_serve_with_a_bad_port_exits_2(port: str, run_cli: RunCli) -> None:
    """A port that is not a number from 0 to 65535 is an argument error, exit code 2."""
    result = run_cli("serve", "--store", "memory://", "--port", port)
    assert result.returncode == 2
    assert "error: argument --port" in result.stderr
