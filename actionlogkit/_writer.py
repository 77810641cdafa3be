"""The background writer: a bounded queue drained by one thread in batches.

Callers (the recorder's ``_enqueue``) only append to ``queue``, a deque (atomic under the GIL, no
lock), and set ``wake`` when it is not set; the thread takes up to ``batch_size`` items at a time
and hands them to the recorder's batch function. ``flush`` puts a marker in the queue and waits
for the thread to reach it, so everything queued before the flush has been handled when it
returns. Every live writer is flushed at interpreter exit, and a forked child starts its own
thread with an empty queue.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

__all__ = ["BackgroundWriter"]

_IDLE_WAIT = 0.5
"""Seconds the idle thread sleeps between looks at the queue when nobody wakes it."""


class _FlushMarker:
    """Queued by ``flush``; set by the thread when every item before it is handled."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


class BackgroundWriter:
    """One queue and one daemon thread that hands batches of queued items to ``handle_batch``.

    ``handle_batch`` must not raise (the recorder catches and counts store failures itself); if it
    does, the batch is lost and the thread goes on.
    """

    def __init__(
        self,
        handle_batch: Callable[[list[Any]], None],
        *,
        max_queue: int,
        batch_size: int,
        atexit_timeout: float | None,
        name: str = "actionlogkit-writer",
    ) -> None:
        self._handle_batch = handle_batch
        self.max_queue = max_queue
        self.batch_size = batch_size
        self.atexit_timeout = atexit_timeout
        self._name = name
        self._stopping = False
        self.queue: deque[Any] = deque()
        self.wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._start()
        _live.add(self)

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    # -- caller side ----------------------------------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued so far is handled; ``False`` if ``timeout`` ran out."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            return not self.queue
        if thread is threading.current_thread():
            return False  # the writer cannot wait for itself
        marker = _FlushMarker()
        self.queue.append(marker)
        self.wake.set()
        return marker.done.wait(timeout)

    def stop(self, timeout: float | None = None) -> bool:
        """Flush, then end the thread; later offers are refused. ``False`` if time ran out."""
        flushed = self.flush(timeout)
        self._stopping = True  # the thread ends once the queue is empty
        self.wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        _live.discard(self)
        return flushed

    @property
    def pending(self) -> int:
        """How many items wait in the queue (approximately, while callers add more)."""
        return len(self.queue)

    # -- the thread -----------------------------------------------------------------------------

    def _run(self) -> None:
        queue = self.queue
        wake = self.wake
        while True:
            if not queue:
                if self._stopping:
                    return
                wake.clear()
                if not queue:  # an item may have come between the look and the clear
                    wake.wait(_IDLE_WAIT)
                continue
            batch: list[Any] = []
            markers: list[_FlushMarker] = []
            while queue and len(batch) < self.batch_size:
                item = queue.popleft()
                if type(item) is _FlushMarker:
                    markers.append(item)
                    break  # the marker's items are all in this batch: hand them over first
                batch.append(item)
            if batch:
                # The batch function counts its own failures; nothing may stop this thread.
                with contextlib.suppress(Exception):
                    self._handle_batch(batch)
            for marker in markers:
                marker.done.set()

    def _after_fork_in_child(self) -> None:
        # The parent's queued items are the parent's to write, and its thread does not exist here.
        self.queue = deque()
        self.wake = threading.Event()
        if not self._stopping:
            self._start()


_live: weakref.WeakSet[BackgroundWriter] = weakref.WeakSet()


def _flush_all_at_exit() -> None:
    for writer in list(_live):
        writer.flush(writer.atexit_timeout)


def _restart_all_after_fork() -> None:
    for writer in list(_live):
        writer._after_fork_in_child()


atexit.register(_flush_all_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_restart_all_after_fork)
