"""A private PostgreSQL server for fault tests: started, stopped, frozen and resumed by the test.

Never the shared server of the other tests: a cluster of its own in a temporary directory, on a
free port, run as the ``postgres`` user when the tests run as root. The binaries come from the
PostgreSQL installation (``/usr/lib/postgresql/<version>/bin``, or ``PATH``); without them the
tests are skipped, except under ``CI=true`` where that is a failure (``.ci/run`` installs them).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

_TOOLS = ("initdb", "pg_ctl", "postgres")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _binaries() -> Path | None:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: [int(part) for part in path.parent.name.split(".") if part.isdigit()],
    )
    for folder in reversed(candidates):
        if all((folder / tool).exists() for tool in _TOOLS):
            return folder
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PrivatePostgres:
    """One throwaway cluster; :meth:`freeze` stops every process of it with SIGSTOP."""

    def __init__(self, binaries: Path, folder: Path) -> None:
        self.binaries = binaries
        self.folder = folder
        self.data = folder / "data"
        self.port = _free_port()
        self.frozen: list[int] = []
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")

    @property
    def url(self) -> str:
        """The server's SQLAlchemy URL."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *arguments: str) -> None:
        command = [str(self.binaries / tool), *arguments]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-t", "60",
            "-o", options, "start",
        )  # fmt: skip

    def stop(self) -> None:
        """Stop the server (fast shutdown: sessions are ended, nothing half-written is kept)."""
        self.thaw()
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def processes(self) -> list[int]:
        """The postmaster's pid, then its children's."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                # The parent pid is the second field after the command, which ends with ")".
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    children.append(int(stat.parent.name))
        return [postmaster, *children]

    def freeze(self) -> None:
        """SIGSTOP the whole server: the postmaster first (so it starts no one), then the rest.

        The kernel still accepts and acknowledges connections and data: a machine that froze.
        """
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
                self.frozen.append(pid)

    def thaw(self) -> None:
        """SIGCONT whatever :meth:`freeze` stopped."""
        while True:
            try:
                pid = self.frozen.pop()
            except IndexError:
                return
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)

    @contextlib.contextmanager
    def frozen_for(self, at_most: float = 120.0) -> Iterator[None]:
        """Freeze inside the block, which must end while the server is still frozen.

        A timer resumes the server after ``at_most`` seconds, so that a block that would wait for
        the server forever ends the test (as a failure) instead of hanging it.
        """
        rescued = threading.Event()

        def rescue() -> None:
            rescued.set()
            self.thaw()

        self.freeze()
        timer = threading.Timer(at_most, rescue)
        timer.start()
        try:
            yield
            assert not rescued.is_set(), "the block ended only after the server was resumed"
        finally:
            timer.cancel()
            self.thaw()


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started private server, stopped and removed afterwards."""
    binaries = _binaries()
    if binaries is None:
        message = "the PostgreSQL server binaries (initdb, pg_ctl) are not installed"
        if _in_ci():
            pytest.fail(f"{message}: under CI the fault tests must run")
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="actionlogkit-pg-"))
    server = PrivatePostgres(binaries, folder)
    try:
        server.start()
        yield server
    finally:
        server.thaw()
        with contextlib.suppress(subprocess.SubprocessError):
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
