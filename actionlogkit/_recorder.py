"""The recorder: records integration calls into a store, in sync or background mode.

The caller's side of a recorded call (see ``_wrappers``) only hands over an item; the recorder
either writes it at once (``mode="sync"``; coroutines await the write on a worker thread) or puts
it on the background queue (``mode="background"``). Building the record from an item (binding the
arguments, the sources, the capture pipeline) happens in :meth:`Recorder._build`, which in
background mode runs on the writer's preparing thread.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Literal

from actionlogkit import _ids, _json, _time
from actionlogkit._action import ActionSpec, Backoff, RetryOn, check_count, check_name
from actionlogkit._calls import FINAL, PENDING, RETRYING, Item, Snapshot, Target, error_text
from actionlogkit._capture import DEFAULT_MAX_FIELD_BYTES, MIN_MAX_FIELD_BYTES, Capture
from actionlogkit._handle import UNSET, Action
from actionlogkit._registry import resolve_store
from actionlogkit._sources import NOTHING, Call, NoResult, Source
from actionlogkit._writer import BackgroundWriter, Write
from actionlogkit.errors import ActionLogKitError, ConfigurationError, NotFound, StoreError
from actionlogkit.models import (
    MAX_ERROR_MESSAGE,
    MAX_ID_TEXT,
    ActionLog,
    ActionType,
    Status,
    assemble,
)
from actionlogkit.store import Store

__all__ = ["Mode", "OnStoreError", "Recorder", "RecorderStats"]

logger = logging.getLogger("actionlogkit")

Mode = Literal["sync", "background"]
OnStoreError = Literal["warn", "raise"]

_WARN_INTERVAL = 10.0
_ASYNC_WRITE_THREADS = 8


def _clean_text(text: str, limit: int) -> str:
    if _json.check_text(text):
        text = text.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _entity_text(value: Any) -> str | None:
    if value is None:
        return None
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:  # a broken __str__ gives no entity id rather than no record
        return None
    return _clean_text(text, MAX_ID_TEXT) or None


_RECORD_FIELDS = frozenset(ActionLog.model_fields)


@dataclass(frozen=True)
class RecorderStats:
    """What a recorder has done so far."""

    recorded: int
    """Calls whose final record was stored."""
    failed: int
    """Writes that failed (the store raised); each is also logged, at most every few seconds."""
    dropped: int
    """Records never written: the background queue was full, or the recorder was closed."""
    queued: int
    """Items waiting in the background queue now (0 in sync mode)."""


class _Throttle:
    """Logs a warning at most once per interval, counting what it held back."""

    def __init__(self, interval: float = _WARN_INTERVAL) -> None:
        self._interval = interval
        self._last = -interval
        self._held = 0
        self._lock = threading.Lock()

    def warn(self, message: str, *args: object) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._last < self._interval:
                self._held += 1
                return
            held, self._held, self._last = self._held, 0, now
        if held:
            message += " (%d similar warnings held back)"
            args = (*args, held)
        logger.warning(message, *args)


class Recorder:
    """Records integration calls into a store; see ``docs/recorder.md``.

    Args:
        store_or_url: a :class:`Store`, or a URL the recorder opens (and closes on :meth:`close`).
        integration_id: the ``integrationId`` of records whose action names none.
        mode: ``"sync"`` writes each record before the call returns (coroutines await the write
            on a worker thread); ``"background"`` queues it for the writer threads.
        redact: keys to redact besides the defaults (matched case-insensitively, ignoring ``_``,
            ``-`` and spaces).
        safe_keys: default keys not to redact.
        max_field_bytes: the cap on each of payload, response and metadata (JSON bytes, ≥ 256).
        on_store_error: ``"warn"`` (log and count; the default) or ``"raise"`` (for tests).
        snapshot_payload: capture payloads on the caller's side when the call starts, so that
            later changes to the arguments are not seen (costs the capture on the caller's side).
        max_queue: background mode: the most records waiting; beyond it records are dropped.
        batch_size: background mode: the most records written in one ``create_many``.
        atexit_timeout: background mode: how long the exit-time flush may wait (``None``: as
            long as it takes).
        store_options: options for the store the URL opens.

    """

    def __init__(
        self,
        store_or_url: Store | str,
        *,
        integration_id: str | None = None,
        mode: Mode = "sync",
        redact: Iterable[str] = (),
        safe_keys: Iterable[str] = (),
        max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES,
        on_store_error: OnStoreError = "warn",
        snapshot_payload: bool = False,
        max_queue: int = 10_000,
        batch_size: int = 500,
        atexit_timeout: float | None = 10.0,
        store_options: Mapping[str, Any] | None = None,
    ) -> None:
        if mode not in ("sync", "background"):
            raise ConfigurationError(f"mode: expected 'sync' or 'background', got {mode!r}")
        if on_store_error not in ("warn", "raise"):
            raise ConfigurationError(
                f"on_store_error: expected 'warn' or 'raise', got {on_store_error!r}"
            )
        max_field_bytes = check_count("max_field_bytes", max_field_bytes, MIN_MAX_FIELD_BYTES)
        max_queue = check_count("max_queue", max_queue, 1)
        batch_size = check_count("batch_size", batch_size, 1)
        timeout: object = atexit_timeout
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0
        ):
            raise ConfigurationError(
                f"atexit_timeout: expected seconds ≥ 0 or None, got {atexit_timeout!r}"
            )
        if isinstance(redact, str) or isinstance(safe_keys, str):
            raise ConfigurationError("redact, safe_keys: expected a collection of keys, not text")
        self.integration_id = check_name("integration_id", integration_id, required=False)
        self.mode: Mode = mode
        self.on_store_error: OnStoreError = on_store_error
        self._capture = Capture(redact=redact, safe_keys=safe_keys, max_field_bytes=max_field_bytes)
        self._snapshot = bool(snapshot_payload)
        self.store, self._owns_store = resolve_store(store_or_url, **dict(store_options or {}))
        self._closed = False
        self._lock = threading.Lock()
        self._recorded = 0
        self._failed = 0
        self._dropped = 0
        self._deferred_error: BaseException | None = None
        self._store_warnings = _Throttle()
        self._drop_warnings = _Throttle()
        self._executor: ThreadPoolExecutor | None = None
        self._writer: BackgroundWriter | None = None
        self._submit: Callable[[Item], None]
        if mode == "background":
            self._writer = BackgroundWriter(
                self._prepare_batch,
                max_queue=max_queue,
                batch_size=batch_size,
                atexit_timeout=atexit_timeout,
            )
            self._submit = self._enqueue
        else:
            self._submit = self._write_now

    # -- public ----------------------------------------------------------------------------------

    def action(
        self,
        action_type: ActionType | str,
        *,
        entity_type: str,
        entity_id: Any = None,
        integration_id: str | None = None,
        payload: Any = UNSET,
        response: Any = UNSET,
        capture_payload: bool = True,
        capture_response: bool = True,
        retries: int = 0,
        retry_on: RetryOn = (Exception,),
        backoff: Backoff = 0.1,
        record_pending: bool = False,
        metadata: Mapping[str, Any] | Callable[[Call], Any] | None = None,
        snapshot_payload: bool | None = None,
    ) -> ActionSpec:
        """Describe an action; use the result as a decorator or a (async) context manager.

        ``entity_id``, ``payload`` and ``response`` take a constant, the name of an argument
        (or a dotted path into one), or a callable receiving a :class:`Call`. By default the
        payload is the call's arguments and the response its return value. See
        ``docs/recorder.md`` for every option.
        """
        return ActionSpec(
            self,
            action_type,
            entity_type=entity_type,
            entity_id=entity_id,
            integration_id=integration_id,
            payload=payload,
            response=response,
            capture_payload=capture_payload,
            capture_response=capture_response,
            retries=retries,
            retry_on=retry_on,
            backoff=backoff,
            record_pending=record_pending,
            metadata=metadata,
            snapshot_payload=snapshot_payload,
        )

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every record queued so far is written; ``False`` if ``timeout`` ran out.

        With ``on_store_error="raise"``, raises :class:`StoreError` for a write that failed
        since the last flush.
        """
        done = True if self._writer is None else self._writer.flush(timeout)
        self._raise_deferred()
        return done

    def close(self, timeout: float | None = None) -> None:
        """Flush, stop the writer, and close the store if the recorder opened it. Idempotent.

        Calls recorded after closing still run; their records are dropped and counted.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._submit = self._refuse
        try:
            if self._writer is not None:
                self._writer.stop(timeout)
            if self._executor is not None:
                self._executor.shutdown(wait=True)
        finally:
            if self._owns_store:
                self.store.close()
        self._raise_deferred()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._closed

    @property
    def stats(self) -> RecorderStats:
        """Counts of records written, failed writes, dropped records, and queued ones."""
        return RecorderStats(
            recorded=self._recorded,
            failed=self._failed,
            dropped=self._dropped,
            queued=0 if self._writer is None else self._writer.pending,
        )

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"<Recorder {self.mode} {type(self.store).__name__}{' closed' if self._closed else ''}>"
        )

    # -- the caller's side -----------------------------------------------------------------------

    def _enqueue(self, item: Item) -> None:
        writer = self._writer
        assert writer is not None  # background mode
        queue = writer.queue
        if len(queue) < writer.max_queue:
            queue.append(item)
            if not writer.wake.is_set():
                writer.wake.set()
            return
        with self._lock:
            self._dropped += 1
        self._drop_warnings.warn(
            "actionlogkit: the background queue is full (%d records); a record was dropped",
            writer.max_queue,
        )

    def _refuse(self, item: Item) -> None:
        with self._lock:
            self._dropped += 1
        self._drop_warnings.warn("actionlogkit: the recorder is closed; a record was dropped")

    async def _asubmit(self, item: Item) -> None:
        if self._writer is not None or self._closed:
            self._submit(item)
            return
        # Store I/O never runs on the event loop's thread.
        future = asyncio.get_running_loop().run_in_executor(
            self._async_executor(), self._write_now, item
        )
        future.add_done_callback(_retrieve)
        try:
            await asyncio.shield(future)
        except asyncio.CancelledError:
            if item[5] is None and item[0] == FINAL:
                raise  # a cancellation during the write of a successful call is still honoured
            # Otherwise the call's own exception (or the next attempt) follows.

    def _async_executor(self) -> ThreadPoolExecutor:
        executor = self._executor
        if executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(
                        _ASYNC_WRITE_THREADS, thread_name_prefix="actionlogkit-write"
                    )
                executor = self._executor
        return executor

    def _snapshot_payload(
        self, target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Snapshot | None:
        snapshot = target.spec.snapshot_payload
        if not (self._snapshot if snapshot is None else snapshot):
            return None
        call = Call(target.binder.bind(args, kwargs), None, None)
        try:
            value = target.payload.evaluate(call, call.arguments)
        except Exception:  # the source is evaluated again, and its failure noted, at the end
            return None
        return self._capture.capture(value)

    # -- building records ------------------------------------------------------------------------

    def _evaluate(
        self, source: Source, call: Call, default: Any, field: str, problems: dict[str, str]
    ) -> Any:
        if source is NOTHING:
            return None
        try:
            return source.evaluate(call, default)
        except NoResult:
            return None
        except Exception as exc:  # a source must never break the call or the record
            if call.error is None:
                problems[field] = error_text(exc)
            return None

    def _build(self, item: Item, written: datetime) -> ActionLog:
        """Turn an item into the record to write, with a new id, stamped as written at ``written``.

        ``createdAt`` is when the call started. Every field is already what the model allows (the
        capture pipeline guarantees the JSON rules), so the record is assembled without being
        validated a second time, and handed to the store as it is (``Store._write_built``).
        """
        (op, target, args, kwargs, result, error, started, elapsed, retries, handle, _, snap) = item
        final = op == FINAL
        if final and error is None and handle is not None and handle._failure is not None:
            error = handle._failure
        arguments = target.binder.bind(args, kwargs or {}) if args is not None else {}
        # Before the final record there is no result: result sources give nothing yet.
        call = Call(arguments, result if final else None, error if final else "pending")
        problems: dict[str, str] = {}
        truncated: dict[str, int] = {}
        capture = self._capture
        if handle is not None and handle._payload is not UNSET:
            payload, size = capture.capture(handle._payload)
        elif snap is not None:
            payload, size = snap
        else:
            raw = self._evaluate(target.payload, call, arguments, "payload", problems)
            payload, size = capture.capture(raw)
        if size is not None:
            truncated["payload"] = size
        if handle is not None and handle._response is not UNSET:
            response, size = capture.capture(handle._response)
        elif final:
            raw = self._evaluate(target.response, call, result, "response", problems)
            response, size = capture.capture(raw)
        else:
            response, size = None, None
        if size is not None:
            truncated["response"] = size
        if handle is not None and handle._entity_id is not UNSET:
            entity = handle._entity_id
        else:
            entity = self._evaluate(target.entity, call, None, "entityId", problems)
        if target.spec.metadata is NOTHING and handle is None and not truncated and not problems:
            metadata = None  # the common case, without the merging below
        else:
            metadata = self._metadata(target, call, handle, problems, truncated)

        if op == PENDING:
            status, error = Status.PENDING, None
        elif op == RETRYING:
            status = Status.RETRYING
        else:
            status = Status.SUCCESS if error is None else Status.FAILED
        spec = target.spec
        created = _time.from_seconds(started)
        return assemble(
            ActionLog,
            {
                "id": _ids.new_id(),
                "integration_id": spec.integration_id or self.integration_id or "default",
                "action_type": spec.action_type,
                "entity_type": spec.entity_type,
                "entity_id": _entity_text(entity),
                "status": status,
                "payload": payload,
                "response": response,
                "error_message": None if error is None else _clean_text(error, MAX_ERROR_MESSAGE),
                "retry_count": retries,
                "execution_time": None if elapsed is None else max(elapsed * 1000.0, 0.0) + 0.0,
                "metadata": metadata,
                "created_at": created,
                "updated_at": written if created < written else created,
            },
            set(_RECORD_FIELDS),
        )

    def _metadata(
        self,
        target: Target,
        call: Call,
        handle: Action | None,
        problems: dict[str, str],
        truncated: dict[str, int],
    ) -> dict[str, Any] | None:
        given = self._evaluate(target.spec.metadata, call, None, "metadata", problems)
        if handle is not None and handle.metadata:
            if given is None:
                given = handle.metadata
            elif isinstance(given, Mapping):
                given = {**given, **handle.metadata}
            else:
                given = {"value": given, **handle.metadata}
        metadata, size = self._capture.capture(given)
        if size is not None:
            truncated["metadata"] = size
        # The recorder's own notes come after the cap, so that they are always there.
        notes: dict[str, Any] = dict(handle._notes or {}) if handle is not None else {}
        if truncated:
            notes["truncated"] = truncated
        if problems:
            notes["captureErrors"] = {
                key: _clean_text(text, 1024) for key, text in problems.items()
            }
        if notes:
            metadata = {**(metadata or {}), **self._capture.json_safe(notes)}
        return metadata

    # -- writing ---------------------------------------------------------------------------------

    def _write_now(self, item: Item) -> None:
        """Build and write one item (sync mode); raises only as ``on_store_error`` asks."""
        try:
            self._store_one(item, self._build(item, _time.now()))
        except Exception as exc:
            op, error, handle = item[0], item[5], item[9]
            succeeded = error is None and (handle is None or handle._failure is None)
            self._write_failed(exc, 1, raise_now=op == FINAL and succeeded)
            return
        if item[0] == FINAL:
            with self._lock:
                self._recorded += 1

    def _store_one(self, item: Item, record: ActionLog) -> None:
        token = item[10]
        if token is not None and token[0] is not None:
            try:
                self.store.update(token[0], record)
                return
            except NotFound:  # deleted meanwhile: the call still deserves its record
                pass
        self.store._write_built((record,))
        if token is not None:
            token[0] = record.id

    def _prepare_batch(self, items: list[Item]) -> Write | None:
        """Build a batch's records (background mode, on the preparing thread); never raises.

        Returns the batch's writes, in the items' order, for the writing thread: finished calls
        go in ``create_many``-like runs, a call's pending record and its updates one by one.
        """
        writes: list[Write] = []
        creates: list[ActionLog] = []
        written = _time.now()
        for item in items:
            try:
                record = self._build(item, written)
            except Exception as exc:
                self._write_failed(exc, 1, raise_now=False)
                continue
            if item[0] == FINAL and item[10] is None:
                creates.append(record)
                continue
            self._prepare_creates(creates, writes)
            creates = []
            writes.append(functools.partial(self._write_one, item, record))
        self._prepare_creates(creates, writes)
        if len(writes) <= 1:
            return writes[0] if writes else None
        return functools.partial(_run_all, writes)

    def _prepare_creates(self, records: list[ActionLog], writes: list[Write]) -> None:
        if not records:
            return
        count = len(records)
        try:
            store_write = self.store._prepare_built(records)
        except Exception as exc:
            self._write_failed(exc, count, raise_now=False)
            return

        # Only the count is kept: a store that needs the records after preparing keeps them
        # itself, and one that has made its rows already lets them go (less for the collector).
        def write() -> None:
            try:
                store_write()
            except Exception as exc:
                self._write_failed(exc, count, raise_now=False)
            else:
                self._recorded += count  # only the writing thread counts, in this mode

        writes.append(write)

    def _write_one(self, item: Item, record: ActionLog) -> None:
        try:
            self._store_one(item, record)
        except Exception as exc:
            self._write_failed(exc, 1, raise_now=False)
        else:
            if item[0] == FINAL:
                self._recorded += 1

    def _write_failed(self, exc: Exception, count: int, *, raise_now: bool) -> None:
        with self._lock:
            self._failed += count
        if raise_now and self.on_store_error == "raise":
            if isinstance(exc, ActionLogKitError):
                raise exc
            raise StoreError(f"the record could not be written: {exc}") from exc
        if self.on_store_error == "raise":
            with self._lock:
                if self._deferred_error is None:
                    self._deferred_error = exc
        self._store_warnings.warn(
            "actionlogkit: %d record(s) could not be written to %s: %s",
            count,
            type(self.store).__name__,
            error_text(exc),
        )

    def _raise_deferred(self) -> None:
        with self._lock:
            exc, self._deferred_error = self._deferred_error, None
        if exc is not None:
            raise StoreError(f"a record could not be written: {exc}") from exc


def _run_all(writes: list[Write]) -> None:
    for write in writes:
        write()


def _retrieve(future: Future[Any] | asyncio.Future[Any]) -> None:
    # Marks the exception of a write nobody awaits any more (after a cancellation) as seen.
    if not future.cancelled():
        future.exception()
