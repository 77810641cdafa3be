"""The background writer: two bounded queues drained by two threads in a pipeline.

Callers (the recorder's sink) append the calls they made to ``queue``, a deque (atomic under the
GIL, no lock), bounded by a count of calls (``max_queue``): they hold their arguments and results
by reference, so there are few of them. The *preparing* thread takes up to ``batch_size`` at a time
and turns them into a write with ``prepare``: the records are built (the capture pipeline bounds
each by bytes) and, where the store prepares its inserts, encoded. Prepared writes wait for the
*writing* thread in a second queue bounded by bytes (``max_queue_bytes``), which runs them in order.
So memory stays bounded whatever the values' sizes and the store's speed.

The preparing thread runs at most one write ahead of the writing thread: it waits until the writing
thread has taken its last write before it builds the next. Waiting, it leaves the GIL free at the
moment the writing thread comes back from the database and needs it, instead of holding it until
the interpreter's switch interval (5 ms) forces it to let go. Only when callers are squeezed (the
call queue half full) does it run further ahead, within the byte budget, to free their queue.

A caller finding the call queue full may wait for room (:meth:`BackgroundWriter.wait_for_room`);
the writer says whether the store is ``healthy``, that is whether the last write succeeded, and a
caller never waits while it is not.

``flush`` puts a marker in the queue and waits until the writing thread has passed it, so
everything queued before the flush has been written when it returns. Every live writer is flushed
at interpreter exit and, when the process's SIGTERM handling is the default one, on SIGTERM (see
:func:`arm_sigterm`); a forked child starts its own threads with empty queues.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from types import FrameType
from typing import Any, NamedTuple

from actionlogkit.recorder._tally import report_all

__all__ = ["BackgroundWriter", "Prepared", "Write", "arm_sigterm", "flush_all"]

_IDLE_WAIT = 0.5
"""Seconds the idle thread sleeps between looks at the queue when nobody wakes it."""
_PRESSURE_CHECK = 0.01
"""Seconds between the preparing thread's looks at the call queue while it waits."""
_ROOM_CHECK = 0.05
"""Seconds between a waiting caller's looks at the queue and the store's health."""

Write = Callable[[], None]
"""A prepared write, run on the writing thread; it must not raise (if it does, it is lost)."""


class Prepared(NamedTuple):
    """What ``prepare`` makes of a batch: the write, how many records, and about how many bytes."""

    write: Write | None
    records: int
    size: int


class _FlushMarker:
    """Queued by ``flush``; set by the writing thread when every item before it is written."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


class _Work(NamedTuple):
    write: Write | None
    records: int
    size: int
    markers: list[_FlushMarker]


_STOP = _Work(None, 0, 0, [])  # handed to the writing thread when the preparing thread ends


class BackgroundWriter:
    """A call queue, a preparing thread, a queue of prepared writes and a writing thread.

    ``prepare`` turns a batch of queued items into a :class:`Prepared`. It must not raise (the
    recorder counts its own failures); if it does, the batch is lost and the threads go on.
    ``on_lost(count, why)`` is told of records that could not be written before the interpreter
    exits or the writer stops. ``on_idle`` is called now and then while the writer is idle.
    """

    def __init__(
        self,
        prepare: Callable[[list[Any]], Prepared],
        *,
        max_queue: int,
        max_queue_bytes: int,
        batch_size: int,
        atexit_timeout: float | None,
        on_lost: Callable[[int, str], None] | None = None,
        on_idle: Callable[[], None] | None = None,
        name: str = "actionlogkit-writer",
    ) -> None:
        self._prepare = prepare
        self.max_queue = max_queue
        self.max_queue_bytes = max_queue_bytes
        self.batch_size = batch_size
        self.atexit_timeout = atexit_timeout
        self._on_lost = on_lost
        self._on_idle = on_idle
        self._name = name
        self._stopping = False
        self.healthy = True
        """Whether the last write succeeded: callers wait for room only while it did."""
        self.queue: deque[Any] = deque()
        self.wake = threading.Event()
        self._room = threading.Condition()
        self._waiting = 0
        self._taken = 0  # batches taken from the call queue: waiting callers watch it change
        self._preparing: threading.Thread | None = None
        self._writing: threading.Thread | None = None
        self._start()
        _live.add(self)

    def _start(self) -> None:
        self._slots = threading.Condition()
        self._prepared: deque[_Work] = deque()
        self._prepared_bytes = 0
        self._prepared_records = 0
        self._held_records = 0  # taken by the preparing thread, not yet handed over
        self._preparing = threading.Thread(target=self._run_preparing, name=self._name, daemon=True)
        self._writing = threading.Thread(
            target=self._run_writing, name=f"{self._name}-io", daemon=True
        )
        self._writing.start()
        self._preparing.start()

    # -- caller side ----------------------------------------------------------------------------

    def wait_for_room(self, timeout: float) -> bool:
        """Wait until the call queue has room; ``False`` if the store fails or time runs out.

        A caller that was waiting when the preparing thread took a batch gets its place even if
        callers that did not wait took the room first: the queue may then exceed ``max_queue`` by
        the number of such callers, but none of them starves.
        """
        deadline = time.monotonic() + timeout
        with self._room:
            self._waiting += 1
            generation = self._taken
            try:
                while len(self.queue) >= self.max_queue and self._taken == generation:
                    left = deadline - time.monotonic()
                    if not self.healthy or self._stopping or left <= 0:
                        return False
                    self._room.wait(min(left, _ROOM_CHECK))
                return True
            finally:
                self._waiting -= 1

    def set_healthy(self, healthy: bool) -> None:
        """Say whether the last write succeeded; waiting callers give up when it did not."""
        if healthy == self.healthy:
            return
        self.healthy = healthy
        if not healthy:
            with self._room:
                self._room.notify_all()

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
        with self._room:
            self._room.notify_all()
        current = threading.current_thread()
        for thread in (self._preparing, self._writing):
            if thread is not None and thread is not current:
                thread.join(timeout)
        _live.discard(self)
        return flushed

    @property
    def pending(self) -> int:
        """How many records wait, captured or not (approximately, while callers add more)."""
        return len(self.queue) + self._held_records + self._prepared_records

    def report_lost(self, why: str) -> int:
        """Report the records still waiting as lost for ``why``; return how many."""
        lost = sum(1 for item in list(self.queue) if type(item) is not _FlushMarker)
        lost += self._held_records + self._prepared_records
        if lost and self._on_lost is not None:
            self._on_lost(lost, why)
        return lost

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
                    if not queue and self._on_idle is not None:
                        with contextlib.suppress(Exception):
                            self._on_idle()
                continue
            batch: list[Any] = []
            markers: list[_FlushMarker] = []
            while queue and len(batch) < self.batch_size:
                item = queue.popleft()
                if type(item) is _FlushMarker:
                    markers.append(item)
                    break  # the marker's items are all in this batch: hand them over first
                batch.append(item)
            self._held_records = len(batch)
            if self._waiting:
                with self._room:
                    self._taken += 1
                    self._room.notify_all()
            prepared = Prepared(None, 0, 0)
            if batch:
                # The prepare function counts its own failures; nothing may stop this thread.
                with contextlib.suppress(Exception):
                    prepared = self._prepare(batch)
            if prepared.write is not None or markers:
                self._hand_over(_Work(prepared.write, prepared.records, prepared.size, markers))

    def _squeezed(self) -> bool:
        return len(self.queue) * 2 >= self.max_queue

    def _hand_over(self, work: _Work) -> None:
        with self._slots:
            # Within the byte budget: a write that alone exceeds it still goes, alone.
            while self._prepared and self._prepared_bytes + work.size > self.max_queue_bytes:
                self._slots.wait()
            self._prepared.append(work)
            self._prepared_bytes += work.size
            self._prepared_records += work.records
            self._held_records = 0
            self._slots.notify_all()
            if work is _STOP:
                return
            # A rendezvous (see the module's docstring), unless callers are squeezed.
            while any(waiting is work for waiting in self._prepared) and not self._squeezed():
                self._slots.wait(_PRESSURE_CHECK)

    def _run_writing(self) -> None:
        slots = self._slots
        while True:
            with slots:
                while not self._prepared:
                    slots.wait()
                work = self._prepared.popleft()
                slots.notify_all()
            if work is _STOP:
                return
            if work.write is not None:
                with contextlib.suppress(Exception):
                    work.write()
            with slots:
                # Counted as waiting until written, so that ``pending`` never misses them.
                self._prepared_bytes -= work.size
                self._prepared_records -= work.records
                slots.notify_all()
            for marker in work.markers:
                marker.done.set()

    def _after_fork_in_child(self) -> None:
        # The parent's queued items are the parent's to write, and its threads do not exist here.
        self.queue = deque()
        self.wake = threading.Event()
        self._room = threading.Condition()
        self._waiting = 0
        if not self._stopping:
            self._start()


_live: weakref.WeakSet[BackgroundWriter] = weakref.WeakSet()


def flush_all(timeout: float | None = None, *, why: str = "") -> bool:
    """Flush every live writer, all within ``timeout``; ``False`` if anything remains unwritten.

    With ``timeout=None`` each writer gets its own ``atexit_timeout``. What could not be written
    is reported as lost for ``why``.
    """
    writers = list(_live)
    deadline = None if timeout is None else time.monotonic() + timeout
    done = True
    for writer in writers:
        bound = writer.atexit_timeout if deadline is None else max(deadline - time.monotonic(), 0)
        if not writer.flush(bound):
            done = False
            writer.report_lost(why or f"they were not written within {bound:g} s")
    return done


def _flush_all_at_exit() -> None:
    _await_sigterm_flush()
    flush_all(why="the process exited before the store took them (atexit_timeout)")
    # Losses of the last interval, held back by the rate limit, would otherwise never be logged.
    report_all()
    _await_sigterm_flush()  # SIGTERM may have come during this flush


def _restart_all_after_fork() -> None:
    for writer in list(_live):
        writer._after_fork_in_child()


atexit.register(_flush_all_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_restart_all_after_fork)


# -- SIGTERM --------------------------------------------------------------------------------------

_sigterm_lock = threading.Lock()
_sigterm_armed: list[bool] = [False]  # a list: set from a function without a global statement
SIGTERM_TIMEOUT = 10.0
"""The most seconds the SIGTERM handler spends flushing before the process ends."""


def arm_sigterm() -> bool:
    """Install the flush-then-terminate SIGTERM handler, if SIGTERM's handling is the default.

    Once per process, from the main thread only (the only one that may install handlers); an
    application's own handler is left alone. Returns whether the handler is installed.
    """
    with _sigterm_lock:
        if _sigterm_armed[0]:
            return True
        if threading.current_thread() is not threading.main_thread():
            return False
        try:
            if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
                return False
            signal.signal(signal.SIGTERM, _on_sigterm)
        except (ValueError, OSError):  # not the main interpreter, or no such signal here
            return False
        _sigterm_armed[0] = True
        return True


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Flush every background recorder (within a bound) on a thread, then end as SIGTERM would.

    A handler runs on the main thread between two of its steps, maybe while it holds a lock the
    flush needs (a recorder's, or an event's while a call wakes the writer): flushing here would
    wait for it forever. So the flush runs on a thread of its own and the handler returns at once;
    the main thread goes on meanwhile, and that thread ends the process when the flush is done.
    SIGTERM's handling is the default again from now on: a second SIGTERM ends the process at once.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    flusher = threading.Thread(
        target=_flush_then_terminate, name="actionlogkit-sigterm", daemon=True
    )
    try:
        flusher.start()
    except RuntimeError:  # the interpreter is shutting down and starts no thread: flush here
        _flush_then_terminate()
        return
    _sigterm_flushers.append(flusher)


def _flush_then_terminate() -> None:
    timeout = max((writer.atexit_timeout or SIGTERM_TIMEOUT for writer in list(_live)), default=0)
    with contextlib.suppress(Exception):
        flush_all(
            min(timeout, SIGTERM_TIMEOUT),
            why="the process was terminated (SIGTERM) before the store took them",
        )
        report_all()
    # The default handling, so that the process ends with the status SIGTERM gives.
    os.kill(os.getpid(), signal.SIGTERM)


_sigterm_flushers: list[threading.Thread] = []


def _await_sigterm_flush() -> None:
    # The main thread may end while the SIGTERM flush runs: the process must still end as SIGTERM
    # would, once the flush is done, not with the status of a normal exit.
    for flusher in list(_sigterm_flushers):
        flusher.join(SIGTERM_TIMEOUT + 1)
