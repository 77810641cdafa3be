"""The recorder's side of a call: write its records now, queue them, or refuse them once closed.

A recorder hands its calls' events to one :class:`~actionlogkit.recorder._call_state.CallSink`:
:class:`SyncSink` builds and writes each record before the call returns (a coroutine awaits the
write on a worker thread), :class:`BackgroundSink` queues events for the background writer, and
:class:`ClosedSink` counts them as dropped. Records reach the store only through the store's own
write functions (:func:`~actionlogkit.store.prepare_built`,
:func:`~actionlogkit.store.replace_built`), the way every write of the core does.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from actionlogkit import _time
from actionlogkit.models import ActionLog
from actionlogkit.recorder._call_state import CallEvent, Snapshot, Step
from actionlogkit.recorder._record_builder import RecordBuilder
from actionlogkit.recorder._tally import Tally
from actionlogkit.recorder._target import Target
from actionlogkit.recorder._writer import BackgroundWriter, Write
from actionlogkit.store import Store, insert_built, prepare_built, replace_built

__all__ = ["BackgroundSink", "ClosedSink", "Sink", "SyncSink", "write_event"]

_ASYNC_WRITE_THREADS = 8


def write_event(store: Store, event: CallEvent, record: ActionLog) -> None:
    """Write the record of one event: replace the call's pending record, else create it.

    A pending record that is gone (deleted meanwhile, or never written) gets created anew: the
    call still deserves its record.
    """
    if event.token is not None and event.step is not Step.PENDING and replace_built(store, record):
        return
    insert_built(store, (record,))


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
        self, store: Store, builder: RecordBuilder, tally: Tally, snapshots_payloads: bool
    ) -> None:
        self.store = store
        self.builder = builder
        self.tally = tally
        self.snapshots_payloads = snapshots_payloads

    def snapshot(
        self, target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Snapshot | None:
        """Capture the payload of a call as it starts."""
        return self.builder.snapshot(target, args, kwargs)


class SyncSink(_Sink):
    """Writes each record before the call returns; coroutines await it on a worker thread."""

    def __init__(
        self, store: Store, builder: RecordBuilder, tally: Tally, snapshots_payloads: bool
    ) -> None:
        super().__init__(store, builder, tally, snapshots_payloads)
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, event: CallEvent) -> None:
        """Build and write the event's record; raises only as ``on_store_error`` asks."""
        try:
            write_event(self.store, event, self.builder.build(event, _time.now()))
        except Exception as exc:
            raise_now = event.step is Step.FINAL and _succeeded(event)
            self.tally.write_failed(exc, 1, raise_now=raise_now)
            return
        if event.step is Step.FINAL:
            self.tally.add_recorded(1)

    async def asubmit(self, event: CallEvent) -> None:
        """:meth:`submit` on a worker thread: store I/O never runs on the event loop's thread."""
        future = asyncio.get_running_loop().run_in_executor(self._workers(), self.submit, event)
        future.add_done_callback(_retrieve)
        try:
            await asyncio.shield(future)
        except asyncio.CancelledError:
            if event.error is None and event.step is Step.FINAL:
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
    """Queues events for the background writer, which builds and writes them in batches."""

    def __init__(
        self,
        store: Store,
        builder: RecordBuilder,
        tally: Tally,
        snapshots_payloads: bool,
        *,
        max_queue: int,
        batch_size: int,
        atexit_timeout: float | None,
    ) -> None:
        super().__init__(store, builder, tally, snapshots_payloads)
        self.writer = BackgroundWriter(
            self._prepare_batch,
            max_queue=max_queue,
            batch_size=batch_size,
            atexit_timeout=atexit_timeout,
        )

    def submit(self, event: CallEvent) -> None:
        """Queue the event; when the queue is full, drop it, counted and warned about."""
        writer = self.writer
        queue = writer.queue
        if len(queue) < writer.max_queue:
            queue.append(event)
            if not writer.wake.is_set():
                writer.wake.set()
            return
        self.tally.drop(
            "actionlogkit: the background queue is full (%d records); a record was dropped",
            writer.max_queue,
        )

    async def asubmit(self, event: CallEvent) -> None:
        """Queue the event: never blocks the event loop."""
        self.submit(event)

    def _prepare_batch(self, events: list[CallEvent]) -> Write | None:
        """Build a batch's records (on the preparing thread); never raises.

        Returns the batch's writes, in the events' order, for the writing thread: finished calls
        go in runs inserted together, a call's pending record and its updates one by one.
        """
        writes: list[Write] = []
        creates: list[ActionLog] = []
        written = _time.now()
        for event in events:
            try:
                record = self.builder.build(event, written)
            except Exception as exc:
                self.tally.write_failed(exc, 1, raise_now=False)
                continue
            if event.step is Step.FINAL and event.token is None:
                creates.append(record)
                continue
            self._prepare_creates(creates, writes)
            creates = []
            writes.append(functools.partial(self._write_one, event, record))
        self._prepare_creates(creates, writes)
        if len(writes) <= 1:
            return writes[0] if writes else None
        return functools.partial(_run_all, writes)

    def _prepare_creates(self, records: list[ActionLog], writes: list[Write]) -> None:
        if not records:
            return
        count = len(records)
        try:
            insert = prepare_built(self.store, records)
        except Exception as exc:
            self.tally.write_failed(exc, count, raise_now=False)
            return

        def write() -> None:
            try:
                insert()
            except Exception as exc:
                self.tally.write_failed(exc, count, raise_now=False)
            else:
                self.tally.add_recorded(count)

        writes.append(write)

    def _write_one(self, event: CallEvent, record: ActionLog) -> None:
        try:
            write_event(self.store, event, record)
        except Exception as exc:
            self.tally.write_failed(exc, 1, raise_now=False)
        else:
            if event.step is Step.FINAL:
                self.tally.add_recorded(1)


def _run_all(writes: list[Write]) -> None:
    for write in writes:
        write()


class ClosedSink(_Sink):
    """A closed recorder's side: calls still run, their records are dropped and counted."""

    def submit(self, event: CallEvent) -> None:
        """Drop the event, counted and warned about."""
        self.tally.drop("actionlogkit: the recorder is closed; a record was dropped")

    async def asubmit(self, event: CallEvent) -> None:
        """Drop the event, counted and warned about."""
        self.submit(event)


Sink = SyncSink | BackgroundSink | ClosedSink
"""Every kind of sink a recorder uses."""
