"""SIGTERM, the normal shutdown under service managers, loses nothing that was queued.

Each test runs a real process, sends it SIGTERM while records wait in its queue, and counts what
its store received (a file each write is appended to).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CALLS = 200

STORE = """
import sys
import time
from actionlogkit import MemoryStore, Recorder


class FileStore(MemoryStore):
    # A slow store: each write waits, then lands in a file read once the process is gone.
    def _insert(self, records):
        time.sleep(0.05)
        super()._insert(records)
        with open(sys.argv[1], "a") as file:
            file.write(f"{len(records)}\\n")


def record_and_say_so(rec):
    push = rec.action("update", entity_type="product")(lambda n: n)
    for n in range(200):
        push(n)
    print("queued", rec.stats.queued, flush=True)
"""


def _run_until_queued_then_terminate(tmp_path: Path, body: str) -> tuple[int, int, str]:
    """Start the script, wait until it says its records are queued, send SIGTERM.

    Returns the exit status, the records its store received, and what it wrote to stderr.
    """
    script = tmp_path / "service.py"
    script.write_text(STORE + textwrap.dedent(body))
    output = tmp_path / "written.txt"
    output.touch()
    process = subprocess.Popen(
        [sys.executable, str(script), str(output)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("queued "), line + (process.stderr.read() if process.stderr else "")
    assert int(line.split()[1]) > 0  # records were still waiting when the signal came
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    written = sum(int(count) for count in output.read_text().split())
    return process.returncode, written, stderr


def test_a_plain_script_flushes_on_sigterm_and_ends_as_sigterm_would(tmp_path: Path) -> None:
    """Default SIGTERM handling: the recorder's handler flushes, then the process dies of it."""
    status, written, stderr = _run_until_queued_then_terminate(
        tmp_path,
        """
        import signal, time
        rec = Recorder(FileStore(), mode="background", batch_size=10)
        record_and_say_so(rec)
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        time.sleep(60)
        """,
    )
    assert status == -signal.SIGTERM, stderr
    assert written == CALLS


def test_without_the_handler_sigterm_loses_what_was_queued(tmp_path: Path) -> None:
    """handle_sigterm=False: Python's default handling ends the process, the queue with it."""
    status, written, stderr = _run_until_queued_then_terminate(
        tmp_path,
        """
        import signal, time
        rec = Recorder(FileStore(), mode="background", batch_size=10, handle_sigterm=False)
        record_and_say_so(rec)
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
        time.sleep(60)
        """,
    )
    assert status == -signal.SIGTERM, stderr
    assert written < CALLS


def test_an_applications_own_handler_is_left_alone_and_the_documented_line_flushes(
    tmp_path: Path,
) -> None:
    """An application with its own handler keeps it; actionlogkit.shutdown() in it saves all."""
    status, written, stderr = _run_until_queued_then_terminate(
        tmp_path,
        """
        import signal, sys, time
        import actionlogkit

        def on_sigterm(signum, frame):
            actionlogkit.shutdown()  # the line the documentation says to add
            sys.exit(3)

        signal.signal(signal.SIGTERM, on_sigterm)
        rec = Recorder(FileStore(), mode="background", batch_size=10)
        record_and_say_so(rec)
        assert signal.getsignal(signal.SIGTERM) is on_sigterm
        time.sleep(60)
        """,
    )
    assert status == 3, stderr
    assert written == CALLS


def test_a_recorder_made_off_the_main_thread_arms_the_handler_at_its_first_main_thread_call(
    tmp_path: Path,
) -> None:
    """Only the main thread may install a handler: a recorder made elsewhere installs it later."""
    status, written, stderr = _run_until_queued_then_terminate(
        tmp_path,
        """
        import signal, threading, time
        made = []
        maker = threading.Thread(
            target=lambda: made.append(Recorder(FileStore(), mode="background", batch_size=10))
        )
        maker.start()
        maker.join()
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
        record_and_say_so(made[0])
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        time.sleep(60)
        """,
    )
    assert status == -signal.SIGTERM, stderr
    assert written == CALLS


@pytest.mark.parametrize(
    "lock",
    [
        "rec._tally._lock",  # the counts, taken by every loss and every write
        "rec._sink.writer.wake._cond",  # the writer's wake-up, taken by a call or a flush
    ],
    ids=["counts", "wake-up"],
)
def test_sigterm_landing_while_the_main_thread_holds_a_recorder_lock_neither_hangs_nor_loses(
    tmp_path: Path, lock: str
) -> None:
    """A handler runs between two steps of the main thread: the flush must not need its locks."""
    script = tmp_path / "service.py"
    script.write_text(
        STORE
        + textwrap.dedent(
            f"""
            import os, signal, time
            rec = Recorder(FileStore(), mode="background", batch_size=10)
            record_and_say_so(rec)
            # As when SIGTERM lands while the main thread queues a call or runs the exit flush.
            with {lock}:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.5)
            time.sleep(60)
            """
        )
    )
    output = tmp_path / "written.txt"
    output.touch()
    result = subprocess.run(
        [sys.executable, str(script), str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == -signal.SIGTERM, result.stderr
    assert sum(int(count) for count in output.read_text().split()) == CALLS
