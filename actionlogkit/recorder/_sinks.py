"""The recorder's side of a call: write its records now, queue them, or refuse them once closed.

A recorder hands its calls' events to one :class:`~actionlogkit.recorder._call_state.CallSink`:
:class:`SyncSink` builds and writes each record before the call returns (a coroutine awaits the
write on a worker thread), :class:`BackgroundSink` queues events for the background writer, and
:class:`ClosedSink` counts them as dropped. Records reach the store only through the store's own
write functions (:func:`~actionlogkit.store.prepare_built`,
:func:`~actionlogkit.store.insert_built`, :func:`~actionlogkit.store.replace_built`), the way every
write of the core does, each under a deadline ``write_timeout`` seconds away that the store applies
itself.

The store itself is held by a :class:`StoreSlot`: a store opened from a URL whose storage did not
answer when the recorder was made is opened later, as soon as it answers.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal

from actionlogkit import _time
from actionlogkit.errors import ActionLogKitError, Conflict, StoreError, StoreTimeout
from actionlogkit.models import ActionLog
from actionlogkit.recorder._call_state import CallEvent, Snapshot, Step, error_text
from actionlogkit.recorder._record_builder import RecordBuilder
from actionlogkit.recorder._tally import Tally
from actionlogkit.recorder._target import Target
from actionlogkit.recorder._writer import BackgroundWriter, Prepared, Write, arm_sigterm
from actionlogkit.store import (
    PreparedInsert,
    Store,
    count_built,
    deadline,
    insert_built,
    prepare_built,
    replace_built,
)

__all__ = [
    "RETRY_DELAYS",
    "BackgroundSink",
    "ClosedSink",
    "Sink",
    "StoreSlot",
    "SyncSink",
    "WhenFull",
    "write_event",
]

logger = logging.getLogger("actionlogkit")

WhenFull = Literal["wait", "drop"]
_ASYNC_WRITE_THREADS = 8
RETRY_DELAYS = (0.1, 0.5, 2.0)
"""Background mode: seconds before each new attempt at a batch whose write failed."""
OPEN_TIMEOUT = 10.0
"""Seconds opening a store may take when no recorded call waits for it (it creates the schema)."""
_FIRST_OPEN_DELAY = 0.5
_MAX_OPEN_DELAY = 30.0
_FIRST_ROOM_POLL = 0.001
_MAX_ROOM_POLL = 0.02

# An enum member read from its class costs a lookup through the class on every event.
_FINAL, _PENDING = Step.FINAL, Step.PENDING


class StoreSlot:
    """The store records go to: given, opened from a URL, or to be opened once it answers.

    :meth:`get` returns the store, opening it first if it is not yet open; attempts are spaced by a
    backoff (0.5 s, doubling to 30 s) and each is bounded: by ``write_timeout`` on a caller's
    thread, by :data:`OPEN_TIMEOUT` (or ``write_timeout`` if longer) on the writer's. Meanwhile it
    raises :class:`StoreError`, and the records it was asked for are counted lost.
    """

    def __init__(
        self,
        store: Store | None,
        opener: Callable[[], Store] | None = None,
        *,
        write_timeout: float = 5.0,
        error: Exception | None = None,
    ) -> None:
        self.store = store
        self._opener = opener
        self._write_timeout = write_timeout
        self._lock = threading.Lock()
        self._error = error
        self._delay = _FIRST_OPEN_DELAY
        self._next_try = time.monotonic() + self._delay if error is not None else 0.0
        self._closed = False

    def get(self, *, patient: bool = False) -> Store:
        """The store, opened now if it was not; :class:`StoreError` while it cannot be.

        ``patient``: the caller is the writer's thread, not a recorded call, and may wait for
        the opening as long as :data:`OPEN_TIMEOUT`.
        """
        store = self.store
        if store is not None:
            return store
        if self._closed or self._opener is None:
            raise StoreError("the recorder is closed")
        bound = max(self._write_timeout, OPEN_TIMEOUT) if patient else self._write_timeout
        if not self._lock.acquire(timeout=bound):
            raise StoreError("the store is being opened by another call")
        try:
            return self._open(self._opener, bound)
        finally:
            self._lock.release()

    def _open(self, opener: Callable[[], Store], bound: float) -> Store:
        if self.store is not None:
            return self.store
        now = time.monotonic()
        if now < self._next_try:
            wait = self._next_try - now
            raise StoreError(
                f"the store could not be opened yet (next attempt in {wait:.1f} s): {self._error}"
            )
        try:
            with deadline(now + bound):
                store = opener()
        except Exception as exc:
            self._error = exc
            self._next_try = time.monotonic() + self._delay
            self._delay = min(self._delay * 2, _MAX_OPEN_DELAY)
            raise StoreError(f"the store could not be opened: {error_text(exc)}") from exc
        if self._closed:  # closed while it was being opened
            store.close()
            raise StoreError("the recorder is closed")
        logger.warning("actionlogkit: the store answers now; recording into it")
        self.store = store
        return store

    def close(self) -> Store | None:
        """Open no store from now on; return the open one, if any."""
        self._closed = True
        return self.store


class InDoubt:
    """The ids of records whose write timed out while its commit was under way: maybe stored.

    Once the store answers again (a later write succeeds), :meth:`resolve` looks for them and
    moves those found from failed to recorded, so that the counts stay exact. A server that
    resumes applies what it had received a moment after it answers new calls, so records not found
    are looked for again, at most every :data:`_RECHECK` seconds, for :data:`_WINDOW` seconds.
    """

    _MOST = 100_000
    _RECHECK = 0.5
    _WINDOW = 60.0

    def __init__(self) -> None:
        self.ids: list[tuple[float, list[str]]] = []
        """(when the write timed out, its ids), one entry per write."""
        self._lock = threading.Lock()
        self._checked = 0.0

    def add(self, exc: StoreTimeout, ids: list[str]) -> None:
        """Remember ``ids`` if ``exc`` says their write may have been stored."""
        if exc.in_doubt and ids:
            with self._lock:
                if sum(len(entry) for _, entry in self.ids) + len(ids) <= self._MOST:
                    self.ids.append((time.monotonic(), ids))
                # Beyond, they stay counted failed.

    def resolve(self, store: Store, tally: Tally, write_timeout: float) -> None:
        """Look for the remembered records; count those stored as recorded. Never raises."""
        now = time.monotonic()
        with self._lock:
            if not self.ids or now - self._checked < self._RECHECK:
                return
            self._checked = now
            entries, self.ids = self.ids, []
        kept = []
        for since, ids in entries:
            try:
                found = count_built(store, ids, time.monotonic() + write_timeout)
            except Exception:  # not answering again after all: look next time
                kept.append((since, ids))
                continue
            if found:
                tally.found_stored(found)
            elif now - since < self._WINDOW:
                kept.append((since, ids))
        if kept:
            with self._lock:
                self.ids[:0] = kept


def write_event(store: Store, event: CallEvent, record: ActionLog, until: float | None) -> None:
    """Write the record of one event: replace the call's pending record, else create it.

    A pending record that is gone (deleted meanwhile, or never written) gets created anew: the
    call still deserves its record. ``until`` is the deadline (a :func:`time.monotonic` time).
    """
    if (
        event.token is not None
        and event.step is not _PENDING
        and replace_built(store, record, until)
    ):
        return
    insert_built(store, (record,), until)


def _succeeded(event: CallEvent) -> bool:
    handle = event.handle
    return event.error is None and (handle is None or handle.failure is None)


def _retrieve(future: Future[Any] | asyncio.Future[Any]) -> None:
    # Marks the exception of a write nobody awaits any more (after a cancellation) as seen.
    if not future.cancelled():
        future.exception()


class _Sink:
    """What every sink shares: the store, the record builder, the tally."""

    def __init__(
        self,
        slot: StoreSlot,
        builder: RecordBuilder,
        tally: Tally,
        snapshots_payloads: bool,
        write_timeout: float,
    ) -> None:
        self.slot = slot
        self.builder = builder
        self.tally = tally
        self.snapshots_payloads = snapshots_payloads
        self.write_timeout = write_timeout
        self.in_doubt = InDoubt()

    def _creates(self, event: CallEvent) -> bool:
        """Whether the event's write inserts its final record (not a pending one, not a replace)."""
        return event.step is _FINAL and event.token is None

    def snapshot(
        self, target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Snapshot | None:
        """Capture the payload of a call as it starts."""
        return self.builder.snapshot(target, args, kwargs)


class SyncSink(_Sink):
    """Writes each record before the call returns; coroutines await it on a worker thread."""

    def __init__(
        self,
        slot: StoreSlot,
        builder: RecordBuilder,
        tally: Tally,
        snapshots_payloads: bool,
        write_timeout: float,
    ) -> None:
        super().__init__(slot, builder, tally, snapshots_payloads, write_timeout)
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, event: CallEvent) -> None:
        """Build and write the event's record, waiting at most ``write_timeout`` for the store.

        Raises only as ``on_store_error`` asks.
        """
        until = time.monotonic() + self.write_timeout
        record: ActionLog | None = None
        try:
            store = self.slot.store or self.slot.get()
            record = self.builder.build(event, _time.now())
            write_event(store, event, record, until)
        except Exception as exc:
            if isinstance(exc, StoreTimeout) and record is not None and self._creates(event):
                self.in_doubt.add(exc, [record.id])
            raise_now = event.step is _FINAL and _succeeded(event)
            self.tally.write_failed(exc, 1, raise_now=raise_now)
            return
        if event.step is _FINAL:
            self.tally.add_recorded(1)
        if self.in_doubt.ids:
            self.in_doubt.resolve(store, self.tally, self.write_timeout)

    async def asubmit(self, event: CallEvent) -> None:
        """:meth:`submit` on a worker thread: store I/O never runs on the event loop's thread."""
        future = asyncio.get_running_loop().run_in_executor(self._workers(), self.submit, event)
        future.add_done_callback(_retrieve)
        try:
            await asyncio.shield(future)
        except asyncio.CancelledError:
            if event.error is None and event.step is _FINAL:
                raise  # a cancellation during the write of a successful call is still honoured
            # Otherwise the call's own exception (or the next attempt) follows.

    def _workers(self) -> ThreadPoolExecutor:
        executor = self._executor
        if executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(
                        _ASYNC_WRITE_THREADS, thread_name_prefix="actionlogkit-write"
                    )
                executor = self._executor
        return executor

    def close(self) -> None:
        """Wait for the writes under way on worker threads."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)


class BackgroundSink(_Sink):
    """Queues events for the background writer, which builds and writes them in batches.

    A caller finding the queue full waits for room (``when_full="wait"``, at most ``max_wait``
    seconds) while the store is healthy, and drops its record (counted) otherwise. A batch whose
    write fails is tried again (:data:`RETRY_DELAYS`) before its records count as failed, unless
    the store was failing already; one whose write timed out is not, since it must never be
    written later.
    """

    def __init__(
        self,
        slot: StoreSlot,
        builder: RecordBuilder,
        tally: Tally,
        snapshots_payloads: bool,
        write_timeout: float,
        *,
        max_queue: int,
        max_queue_bytes: int,
        batch_size: int,
        atexit_timeout: float | None,
        when_full: WhenFull,
        max_wait: float,
        handle_sigterm: bool,
    ) -> None:
        super().__init__(slot, builder, tally, snapshots_payloads, write_timeout)
        self.when_full: WhenFull = when_full
        self.max_wait = max_wait
        self.writer = BackgroundWriter(
            self._prepare_batch,
            max_queue=max_queue,
            max_queue_bytes=max_queue_bytes,
            batch_size=batch_size,
            atexit_timeout=atexit_timeout,
            on_lost=self._lost,
            on_idle=functools.partial(tally.report, due_only=True),
        )
        if handle_sigterm and not arm_sigterm():
            # Not on the main thread: the first call made on it arms the handler.
            self.submit = self._submit_arming  # type: ignore[method-assign]

    def _submit_arming(self, event: CallEvent) -> None:
        if threading.current_thread() is threading.main_thread():
            arm_sigterm()
            del self.submit  # back to the class's method
        BackgroundSink.submit(self, event)

    def submit(self, event: CallEvent) -> None:
        """Queue the event; when the queue is full, wait for room or drop it, as configured."""
        writer = self.writer
        queue = writer.queue
        if len(queue) < writer.max_queue:
            queue.append(event)
            if not writer.wake.is_set():
                writer.wake.set()
            return
        if self.when_full == "wait" and writer.healthy and writer.wait_for_room(self.max_wait):
            queue.append(event)
            writer.wake.set()
            return
        self.tally.drop(self._full_reason())

    async def asubmit(self, event: CallEvent) -> None:
        """Queue the event; when the queue is full, await room without blocking the event loop."""
        writer = self.writer
        queue = writer.queue
        if len(queue) >= writer.max_queue and self.when_full == "wait":
            until = time.monotonic() + self.max_wait
            pause = _FIRST_ROOM_POLL
            while len(queue) >= writer.max_queue and writer.healthy and time.monotonic() < until:
                await asyncio.sleep(pause)
                pause = min(pause * 2, _MAX_ROOM_POLL)
        if len(queue) < writer.max_queue:
            queue.append(event)
            if not writer.wake.is_set():
                writer.wake.set()
            return
        self.tally.drop(self._full_reason())

    def _full_reason(self) -> str:
        writer = self.writer
        full = f"the background queue was full ({writer.max_queue:,} calls waiting)"
        if self.when_full == "drop":
            return full
        if not writer.healthy:
            return f"{full} and the store was failing"
        return f"{full} for {self.max_wait:g} s"

    def _lost(self, count: int, why: str) -> None:
        self.tally.drop(why, count)
        self.tally.report()

    # -- the writer's side ----------------------------------------------------------------------

    def _prepare_batch(self, events: list[CallEvent]) -> Prepared:
        """Build a batch's records (on the preparing thread); never raises.

        Returns the batch's writes, in the events' order, for the writing thread: finished calls
        go in runs inserted together, a call's pending record and its updates one by one.
        """
        writes: list[Write] = []
        creates: list[ActionLog] = []
        written = _time.now()
        records = size = 0
        for event in events:
            try:
                record, record_size = self.builder.build_sized(event, written)
            except Exception as exc:
                self.tally.write_failed(exc, 1, raise_now=False)
                continue
            records += 1
            size += record_size
            if event.step is _FINAL and event.token is None:
                creates.append(record)
                continue
            self._prepare_creates(creates, writes)
            creates = []
            writes.append(functools.partial(self._write_one, event, record))
        self._prepare_creates(creates, writes)
        if len(writes) <= 1:
            return Prepared(writes[0] if writes else None, records, size)
        return Prepared(functools.partial(_run_all, writes), records, size)

    def _prepare_creates(self, records: list[ActionLog], writes: list[Write]) -> None:
        if not records:
            return
        count = len(records)
        insert: PreparedInsert | None = None
        store = self.slot.store
        if store is not None:
            try:
                insert = prepare_built(store, records)
            except Exception as exc:
                self.tally.write_failed(exc, count, raise_now=False)
                return
        prepared = insert

        def attempt() -> None:
            nonlocal prepared
            if prepared is None:
                prepared = prepare_built(self.slot.get(patient=True), records)
            prepared(time.monotonic() + self.write_timeout)

        ids = [record.id for record in records]
        writes.append(functools.partial(self._write_with_retries, attempt, count, count, ids))

    def _write_one(self, event: CallEvent, record: ActionLog) -> None:
        final = 1 if event.step is _FINAL else 0

        def attempt() -> None:
            store = self.slot.get(patient=True)
            write_event(store, event, record, time.monotonic() + self.write_timeout)

        self._write_with_retries(attempt, 1, final, [record.id] if self._creates(event) else [])

    def _write_with_retries(
        self, attempt: Callable[[], None], count: int, final: int, ids: list[str]
    ) -> None:
        """Run a write, trying again after a failure; count its ``final`` records as recorded.

        A write that timed out is not tried again: it must never be written later. A conflict on a
        later attempt means an earlier attempt was stored although its answer was lost. While the
        store keeps failing (no write has succeeded since the last failure), a write is tried once:
        the retries are for a transient error, and must not hold every batch of an outage.
        """
        writer = self.writer
        retries = len(RETRY_DELAYS) if writer.healthy else 0
        for tries in range(retries + 1):
            try:
                attempt()
            except StoreTimeout as exc:
                writer.set_healthy(False)
                self.in_doubt.add(exc, ids)
                self.tally.write_failed(exc, count, raise_now=False)
                return
            except Conflict as exc:
                if not tries:
                    self.tally.write_failed(exc, count, raise_now=False)
                    return
                break  # stored by an earlier attempt
            except Exception as exc:
                writer.set_healthy(False)
                if tries == retries or (
                    isinstance(exc, ActionLogKitError) and not isinstance(exc, StoreError)
                ):
                    self.tally.write_failed(exc, count, raise_now=False)
                    return
                time.sleep(RETRY_DELAYS[tries])
                continue
            break
        writer.set_healthy(True)
        self.tally.add_recorded(final)
        if self.in_doubt.ids and self.slot.store is not None:
            self.in_doubt.resolve(self.slot.store, self.tally, self.write_timeout)


def _run_all(writes: list[Write]) -> None:
    for write in writes:
        write()


class ClosedSink(_Sink):
    """A closed recorder's side: calls still run, their records are dropped and counted."""

    def submit(self, event: CallEvent) -> None:
        """Drop the event, counted and warned about."""
        self.tally.drop("the recorder is closed")

    async def asubmit(self, event: CallEvent) -> None:
        """Drop the event, counted and warned about."""
        self.submit(event)


Sink = SyncSink | BackgroundSink | ClosedSink
"""Every kind of sink a recorder uses."""
