"""A real uvicorn server receiving SIGTERM: records queued before it are all stored.

uvicorn handles SIGTERM itself: it shuts the application down (the lifespan), then restores the
handling it found and raises the signal again, so ``atexit`` never runs. A recorder made before
uvicorn took SIGTERM over has installed its own handler, which that restores; one made later (here
at the first request, on a worker thread) has none, and the lifespan is the hook.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CALLS = 200

APP = """
import os
import time

from fastapi import FastAPI

from actionlogkit import MemoryStore, Recorder, recorder_lifespan


class FileStore(MemoryStore):
    # A slow store: each write waits, then lands in a file read once the server is gone.
    def _insert(self, records):
        time.sleep(0.2)
        super()._insert(records)
        with open(os.environ["WRITTEN"], "a") as file:
            file.write(f"{len(records)}\\n")


app = FastAPI(lifespan=recorder_lifespan() if os.environ["LIFESPAN"] == "1" else None)


@app.post("/burst")
def burst() -> dict:
    # Made at the first request, after uvicorn installed its own SIGTERM handler.
    recorder = Recorder(FileStore(), mode="background", batch_size=10)
    push = recorder.action("update", entity_type="product")(lambda n: n)
    for n in range(200):
        push(n)
    return {"queued": recorder.stats.queued}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _post(url: str) -> dict[str, int]:
    request = urllib.request.Request(url, method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict[str, int] = json.loads(response.read())
        return answer


@pytest.mark.parametrize("lifespan", [True, False], ids=["recorder_lifespan", "no hook"])
def test_records_queued_before_uvicorn_gets_sigterm_are_all_stored(
    tmp_path: Path, lifespan: bool
) -> None:
    """With recorder_lifespan() every queued record is stored; without it they are lost."""
    (tmp_path / "service.py").write_text(textwrap.dedent(APP))
    written = tmp_path / "written.txt"
    written.touch()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "service:app", "--port", str(port)],
        cwd=tmp_path,
        env={"WRITTEN": str(written), "LIFESPAN": "1" if lifespan else "0", "PATH": ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = _post(f"http://127.0.0.1:{port}/burst")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.communicate()[0]
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.1)
        assert answer["queued"] > 0  # records were still waiting when the signal came
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=120)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    stored = sum(int(count) for count in written.read_text().split())
    if lifespan:
        assert stored == CALLS, output
    else:
        assert stored < CALLS, output
    # uvicorn ends as SIGTERM would, once it has shut the application down.
    assert server.returncode == -signal.SIGTERM, output
