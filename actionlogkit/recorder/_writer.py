"""The background writer: a bounded queue drained in batches by two threads in a pipeline.

Callers (the recorder's ``_enqueue``) only append to ``queue``, a deque (atomic under the GIL, no
lock), and set ``wake`` when it is not set. The *preparing* thread takes up to ``batch_size`` items
at a time and turns them into a write with ``prepare`` (building records is Python work, holding
the GIL); the *writing* thread runs the writes in order. While the database works on one batch
with the GIL released, the next batch is prepared, so the two overlap on a multi-core machine.

The hand-over is a rendezvous: the preparing thread waits until the writing thread has taken its
write. Waiting, it leaves the GIL free at the moment the writing thread comes back from the
database and needs it, instead of holding it until the interpreter's switch interval (5 ms) forces
it to let go.

``flush`` puts a marker in the queue and waits until the writing thread has passed it, so
everything queued before the flush has been written when it returns. Every live writer is flushed
at interpreter exit, and a forked child starts its own threads with an empty queue.
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

__all__ = ["BackgroundWriter", "Write"]

_IDLE_WAIT = 0.5
"""Seconds the idle thread sleeps between looks at the queue when nobody wakes it."""

Write = Callable[[], None]
"""A prepared write, run on the writing thread; it must not raise (if it does, it is lost)."""


class _FlushMarker:
    """Queued by ``flush``; set by the writing thread when every item before it is written."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


_STOP = object()  # handed to the writing thread when the preparing thread ends


class BackgroundWriter:
    """One queue, a preparing thread and a writing thread, both daemons.

    ``prepare`` turns a batch of queued items into a :data:`Write` (or ``None`` when there is
    nothing to write). It must not raise (the recorder counts its own failures); if it does, the
    batch is lost and the threads go on.
    """

    def __init__(
        self,
        prepare: Callable[[list[Any]], Write | None],
        *,
        max_queue: int,
        batch_size: int,
        atexit_timeout: float | None,
        name: str = "actionlogkit-writer",
    ) -> None:
        self._prepare = prepare
        self.max_queue = max_queue
        self.batch_size = batch_size
        self.atexit_timeout = atexit_timeout
        self._name = name
        self._stopping = False
        self.queue: deque[Any] = deque()
        self.wake = threading.Event()
        self._preparing: threading.Thread | None = None
        self._writing: threading.Thread | None = None
        self._start()
        _live.add(self)

    def _start(self) -> None:
        self._handover = threading.Condition()
        self._slot: object = None
        self._preparing = threading.Thread(target=self._run_preparing, name=self._name, daemon=True)
        self._writing = threading.Thread(
            target=self._run_writing, name=f"{self._name}-io", daemon=True
        )
        self._writing.start()
        self._preparing.start()

    # -- caller side ----------------------------------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued so far is written; ``False`` if ``timeout`` ran out."""
        preparing, writing = self._preparing, self._writing
        if preparing is None or writing is None or not preparing.is_alive():
            return not self.queue
        if threading.current_thread() in (preparing, writing):
            return False  # the writer cannot wait for itself
        marker = _FlushMarker()
        self.queue.append(marker)
        self.wake.set()
        return marker.done.wait(timeout)

    def stop(self, timeout: float | None = None) -> bool:
        """Flush, then end the threads; later offers are refused. ``False`` if time ran out."""
        flushed = self.flush(timeout)
        self._stopping = True  # the threads end once the queue is empty
        self.wake.set()
        current = threading.current_thread()
        for thread in (self._preparing, self._writing):
            if thread is not None and thread is not current:
                thread.join(timeout)
        _live.discard(self)
        return flushed

    @property
    def pending(self) -> int:
        """How many items wait in the queue (approximately, while callers add more)."""
        return len(self.queue)

    # -- the threads ----------------------------------------------------------------------------

    def _run_preparing(self) -> None:
        queue = self.queue
        wake = self.wake
        while True:
            if not queue:
                if self._stopping:
                    self._hand_over(_STOP)
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
            write = None
            if batch:
                # The prepare function counts its own failures; nothing may stop this thread.
                with contextlib.suppress(Exception):
                    write = self._prepare(batch)
            if write is not None or markers:
                self._hand_over((write, markers))

    def _hand_over(self, work: object) -> None:
        with self._handover:
            self._slot = work  # empty: the last hand-over waited until its work was taken
            self._handover.notify_all()
            while self._slot is work:  # a rendezvous: see the module's docstring
                self._handover.wait()

    def _run_writing(self) -> None:
        handover = self._handover
        while True:
            with handover:
                while self._slot is None:
                    handover.wait()
                work, self._slot = self._slot, None
                handover.notify_all()
            if work is _STOP:
                return
            write: Write | None
            markers: list[_FlushMarker]
            write, markers = work  # type: ignore[misc]
            if write is not None:
                with contextlib.suppress(Exception):
                    write()
            for marker in markers:
                marker.done.set()

    def _after_fork_in_child(self) -> None:
        # The parent's queued items are the parent's to write, and its threads do not exist here.
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
