"""Where the Mongo tests run: mongomock-ng in process, and a server over the wire.

The server is the real MongoDB at ``$ACTIONLOGKIT_TEST_MONGODB_URL`` when that is set; otherwise
nx-27017, a MongoDB wire-protocol server on SQLite, started here on a free 127.0.0.1 port for the
session and stopped by its PID at the end. Each test gets its own collection, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.errors import PyMongoError

# The corner cases are a mixin module of test methods: pytest should explain their asserts.
pytest.register_assert_rewrite("tests.mongo.corner_cases")

ENV_VAR = "ACTIONLOGKIT_TEST_MONGODB_URL"
TEST_DATABASE = "actionlogkit_test"


def real_server_url() -> str | None:
    """The URL of a real MongoDB server to test against, if one is configured."""
    return os.environ.get(ENV_VAR) or None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _nx_command() -> list[str]:
    script = Path(sys.executable).with_name("nx-27017")
    found = str(script) if script.exists() else shutil.which("nx-27017")
    if not found:
        pytest.fail("nx-27017 is not installed; it comes with the project's test dependencies")
    return [found]


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    probe: MongoClient[dict[str, Any]] = MongoClient(url, serverSelectionTimeoutMS=500)
    with probe:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"nx-27017 exited with {process.returncode}:\n{log.read_text()}")
            try:
                probe.admin.command("ping")
            except PyMongoError:
                time.sleep(0.1)
            else:
                return
    pytest.fail(f"nx-27017 did not answer within 30 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of the MongoDB server of this session (database path included)."""
    configured = real_server_url()
    if configured:
        client: MongoClient[dict[str, Any]] = MongoClient(configured, connect=False)
        with client:
            try:
                client.get_default_database()
            except PyMongoError:
                pytest.fail(f"{ENV_VAR} must name a database kept for tests: mongodb://host/db")
        yield configured
        return
    workdir = tmp_path_factory.mktemp("nx-27017")
    port = _free_port()
    log = workdir / "server.log"
    command = [
        *_nx_command(),
        "--db",
        "memory",
        "--host",
        "127.0.0.1",
        "-p",
        str(port),
        "--log-file",
        str(workdir / "nx.log"),
        "--pid-file",
        str(workdir / "nx.pid"),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=workdir)
    try:
        url = f"mongodb://127.0.0.1:{port}/{TEST_DATABASE}"
        _wait_until_serving(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def on_real_server() -> bool:
    """Whether the server tests run against a real MongoDB (not the wire stand-in)."""
    return real_server_url() is not None


@pytest.fixture(scope="session")
def server_client(server_url: str) -> Iterator[MongoClient[dict[str, Any]]]:
    """A pymongo client of the session's server."""
    client: MongoClient[dict[str, Any]] = MongoClient(server_url, serverSelectionTimeoutMS=5000)
    with client:
        yield client


@pytest.fixture(scope="session")
def server_database(server_client: MongoClient[dict[str, Any]]) -> str:
    """The database the tests write to: the URL's, else ``actionlogkit_test``."""
    default = server_client.get_default_database(default=TEST_DATABASE)
    return default.name


@pytest.fixture
def collection_name(
    server_client: MongoClient[dict[str, Any]], server_database: str
) -> Iterator[str]:
    """A collection of its own for one test, dropped afterwards."""
    name = f"actionlogs_{uuid.uuid4().hex[:12]}"
    yield name
    server_client[server_database].drop_collection(name)
