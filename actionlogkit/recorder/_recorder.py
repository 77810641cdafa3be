"""``Recorder``: records integration calls into a store, in sync or background mode.

A recorder is a facade over its parts: the capture settings (``_capture``), the record builder
(``_record_builder``), the tally of what was written and lost (``_tally``), the slot holding its
store (opened later when its storage is down at first), and the sink its calls hand their events to
(``_sinks``): a :class:`SyncSink` writes each record before the call returns, a
:class:`BackgroundSink` queues it for the background writer. Closing swaps in a
:class:`ClosedSink`. The module-level default recorder, which ``actionlogkit.action(...)`` writes
to, lives here too, so that finding its sink needs nothing private from another module.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Literal

from actionlogkit._redaction import Redactor
from actionlogkit._registry import open_store
from actionlogkit.errors import ConfigurationError, StoreError
from actionlogkit.recorder._call_state import CallSink, error_text
from actionlogkit.recorder._capture import DEFAULT_MAX_FIELD_BYTES, MIN_MAX_FIELD_BYTES, Capture
from actionlogkit.recorder._options import (
    ActionOptions,
    check_count,
    check_name,
    takes_action_options_after_self,
)
from actionlogkit.recorder._record_builder import RecordBuilder
from actionlogkit.recorder._sinks import (
    OPEN_TIMEOUT,
    BackgroundSink,
    ClosedSink,
    Sink,
    StoreSlot,
    SyncSink,
    WhenFull,
)
from actionlogkit.recorder._spec import ActionSpec
from actionlogkit.recorder._tally import OnStoreError, RecorderStats, Tally
from actionlogkit.store import Store, deadline

__all__ = [
    "DEFAULT_MAX_QUEUE",
    "DEFAULT_MAX_QUEUE_BYTES",
    "DEFAULT_WRITE_TIMEOUT",
    "Mode",
    "Recorder",
    "default_recorder",
    "default_sink",
    "replace_default",
]

logger = logging.getLogger("actionlogkit")

Mode = Literal["sync", "background"]
DEFAULT_WRITE_TIMEOUT = 5.0
"""Seconds a write may take before it is abandoned (``write_timeout``)."""
DEFAULT_MAX_QUEUE = 1000
"""Background mode: calls waiting to be captured, at most (``max_queue``)."""
DEFAULT_MAX_QUEUE_BYTES = 64 * 1024 * 1024
"""Background mode: bytes of captured records waiting to be written, at most."""
DEFAULT_MAX_WAIT = 1.0
"""Background mode: seconds a caller waits for room in a full queue (``max_wait``)."""


def _check_seconds(option: str, value: object, *, none: bool = False) -> float | None:
    if value is None and none:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        allowed = "seconds ≥ 0 or None" if none else "seconds ≥ 0"
        raise ConfigurationError(f"{option}: expected {allowed}, got {value!r}")
    return float(value)


def _check_patterns(patterns: object) -> list[re.Pattern[str]]:
    if isinstance(patterns, (str, re.Pattern)) or not isinstance(patterns, Iterable):
        raise ConfigurationError("redact_patterns: expected a collection of regular expressions")
    compiled = []
    for pattern in patterns:
        if isinstance(pattern, re.Pattern):
            compiled.append(pattern)
            continue
        try:
            compiled.append(re.compile(pattern))
        except (re.error, TypeError) as exc:
            raise ConfigurationError(
                f"redact_patterns: {pattern!r} is not a pattern: {exc}"
            ) from None
    return compiled


def _open_slot(
    store_or_url: Store | str, options: Mapping[str, Any], write_timeout: float
) -> tuple[StoreSlot, bool]:
    """The store's slot, and whether the recorder opened the store (and closes it).

    A URL whose storage does not answer gives a slot that opens it later; a URL or option the
    backend cannot use raises :class:`ConfigurationError` now.
    """
    if isinstance(store_or_url, Store):
        if options:
            raise ConfigurationError("options apply only when a store is opened from a URL")
        return StoreSlot(store_or_url), False
    opener = functools.partial(open_store, store_or_url, **options)
    try:
        with deadline(time.monotonic() + max(write_timeout, OPEN_TIMEOUT)):
            store = opener()
    except StoreError as exc:
        logger.warning(
            "actionlogkit: the store of the recorder could not be opened, and is tried again "
            "with backoff; calls are recorded once it answers: %s",
            error_text(exc),
        )
        return StoreSlot(None, opener, write_timeout=write_timeout, error=exc), True
    return StoreSlot(store, opener, write_timeout=write_timeout), True


class Recorder:
    """Records integration calls into a store; see ``docs/recorder.md``.

    Args:
        store_or_url: a :class:`Store`, or a URL the recorder opens (and closes on :meth:`close`).
            A URL whose storage does not answer yet is opened later, with backoff, as soon as it
            does; records are counted lost meanwhile.
        integration_id: the ``integrationId`` of records whose action names none.
        mode: ``"sync"`` writes each record before the call returns (coroutines await the write
            on a worker thread); ``"background"`` queues it for the writer threads.
        redact: keys to redact besides the rules' (compared without case and separators).
        safe_keys: keys not to redact although a rule says so.
        redact_patterns: regular expressions whose matches in any text are redacted.
        redact_text: a function applied to every text after the other rules (if it raises,
            the whole text is redacted).
        max_field_bytes: the cap on each of payload, response and metadata (JSON bytes, ≥ 256).
        on_store_error: ``"warn"`` (log and count; the default) or ``"raise"`` (for tests).
        snapshot_payload: capture payloads on the caller's side when the call starts, so that
            later changes to the arguments are not seen (costs the capture on the caller's side).
        write_timeout: the most seconds a write may wait for the store, in either mode; a write
            that takes longer is abandoned, counted failed, and never made later.
        max_queue: background mode: the most calls waiting to be captured.
        max_queue_bytes: background mode: the most bytes of captured records waiting.
        when_full: background mode: ``"wait"`` (a caller finding the queue full waits for room,
            at most ``max_wait`` seconds, while the store is healthy) or ``"drop"``.
        max_wait: background mode: how long a caller waits for room with ``when_full="wait"``.
        batch_size: background mode: the most records written in one insert.
        atexit_timeout: background mode: how long the exit-time flush may wait (``None``: as
            long as it takes).
        handle_sigterm: background mode: flush on SIGTERM when the process has no handler of its
            own (installed once per process, from the main thread).
        store_options: options for the store the URL opens.

    Raises:
        ConfigurationError: an option is unusable, or the store URL is.

    """

    def __init__(
        self,
        store_or_url: Store | str,
        *,
        integration_id: str | None = None,
        mode: Mode = "sync",
        redact: Iterable[str] = (),
        safe_keys: Iterable[str] = (),
        redact_patterns: Iterable[str | re.Pattern[str]] = (),
        redact_text: Callable[[str], str] | None = None,
        max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES,
        on_store_error: OnStoreError = "warn",
        snapshot_payload: bool = False,
        write_timeout: float = DEFAULT_WRITE_TIMEOUT,
        max_queue: int = DEFAULT_MAX_QUEUE,
        max_queue_bytes: int = DEFAULT_MAX_QUEUE_BYTES,
        when_full: WhenFull = "wait",
        max_wait: float = DEFAULT_MAX_WAIT,
        batch_size: int = 500,
        atexit_timeout: float | None = 10.0,
        handle_sigterm: bool = True,
        store_options: Mapping[str, Any] | None = None,
    ) -> None:
        if mode not in ("sync", "background"):
            raise ConfigurationError(f"mode: expected 'sync' or 'background', got {mode!r}")
        if on_store_error not in ("warn", "raise"):
            raise ConfigurationError(
                f"on_store_error: expected 'warn' or 'raise', got {on_store_error!r}"
            )
        if when_full not in ("wait", "drop"):
            raise ConfigurationError(f"when_full: expected 'wait' or 'drop', got {when_full!r}")
        max_field_bytes = check_count("max_field_bytes", max_field_bytes, MIN_MAX_FIELD_BYTES)
        max_queue = check_count("max_queue", max_queue, 1)
        max_queue_bytes = check_count("max_queue_bytes", max_queue_bytes, 1)
        batch_size = check_count("batch_size", batch_size, 1)
        timeout = _check_seconds("atexit_timeout", atexit_timeout, none=True)
        write_seconds = _check_seconds("write_timeout", write_timeout)
        wait_seconds = _check_seconds("max_wait", max_wait)
        assert write_seconds is not None  # not a None-able option
        assert wait_seconds is not None
        if write_seconds == 0:
            raise ConfigurationError("write_timeout: expected seconds > 0, got 0")
        if isinstance(redact, str) or isinstance(safe_keys, str):
            raise ConfigurationError("redact, safe_keys: expected a collection of keys, not text")
        patterns = _check_patterns(redact_patterns)
        if redact_text is not None and not callable(redact_text):
            raise ConfigurationError(f"redact_text: expected a callable, got {redact_text!r}")
        self.integration_id = check_name("integration_id", integration_id, required=False)
        self.mode: Mode = mode
        self.on_store_error: OnStoreError = on_store_error
        self.write_timeout = write_seconds
        capture = Capture(
            redactor=Redactor(
                redact=redact, safe_keys=safe_keys, patterns=patterns, text_rule=redact_text
            ),
            max_field_bytes=max_field_bytes,
        )
        self._slot, self._owns_store = _open_slot(
            store_or_url, dict(store_options or {}), write_seconds
        )
        self._closed = False
        self._lock = threading.Lock()
        self._tally = Tally(self._store_name(store_or_url), on_store_error)
        builder = RecordBuilder(capture, self.integration_id)
        snapshots = bool(snapshot_payload)
        self._sink: Sink
        if mode == "background":
            self._sink = BackgroundSink(
                self._slot,
                builder,
                self._tally,
                snapshots,
                write_seconds,
                max_queue=max_queue,
                max_queue_bytes=max_queue_bytes,
                batch_size=batch_size,
                atexit_timeout=timeout,
                when_full=when_full,
                max_wait=wait_seconds,
                handle_sigterm=bool(handle_sigterm),
            )
        else:
            self._sink = SyncSink(self._slot, builder, self._tally, snapshots, write_seconds)

    def _store_name(self, store_or_url: Store | str) -> str:
        store = self._slot.store
        if store is not None:
            return type(store).__name__
        return f"the store of {str(store_or_url).partition('://')[0]}:// URL"

    @takes_action_options_after_self(ActionOptions)
    def action(self, options: ActionOptions) -> ActionSpec:
        """Describe an action; use the result as a decorator or a (async) context manager.

        ``entity_id``, ``payload`` and ``response`` take a constant, the name of an argument
        (or a dotted path into one), or a callable receiving a :class:`Call`. By default the
        payload is the call's arguments and the response its return value. See
        ``docs/recorder.md`` for every option.
        """
        return ActionSpec(options, self._current_sink)

    def _current_sink(self) -> CallSink:
        return self._sink

    @property
    def store(self) -> Store:
        """The store records go to; opened now if its storage did not answer before.

        Raises :class:`StoreError` while a store opened from a URL cannot be opened yet.
        """
        return self._slot.get()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every record queued so far is written; ``False`` if ``timeout`` ran out.

        With ``on_store_error="raise"``, raises :class:`StoreError` for a write that failed
        since the last flush.
        """
        sink = self._sink
        done = sink.writer.flush(timeout) if isinstance(sink, BackgroundSink) else True
        self._tally.raise_deferred()
        return done

    def close(self, timeout: float | None = None) -> None:
        """Flush, stop the writer, and close the store if the recorder opened it. Idempotent.

        Records that could not be written within ``timeout`` are counted dropped and reported,
        with every loss not yet reported. Calls recorded after closing still run; their records
        are dropped and counted.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            sink = self._sink
            self._sink = ClosedSink(
                self._slot, sink.builder, self._tally, False, self.write_timeout
            )
        try:
            if isinstance(sink, BackgroundSink):
                if not sink.writer.stop(timeout):
                    sink.writer.report_lost(
                        f"the recorder was closed before the store took them (timeout {timeout} s)"
                    )
            elif isinstance(sink, SyncSink):
                sink.close()
        finally:
            store = self._slot.close()
            if self._owns_store and store is not None:
                store.close()
            self._tally.report()
        self._tally.raise_deferred()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._closed

    @property
    def stats(self) -> RecorderStats:
        """Counts of records written, failed writes, dropped records, and queued ones."""
        sink = self._sink
        tally = self._tally
        return RecorderStats(
            recorded=tally.recorded,
            failed=tally.failed,
            dropped=tally.dropped,
            queued=sink.writer.pending if isinstance(sink, BackgroundSink) else 0,
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
        store = self._slot.store
        name = "(not open)" if store is None else type(store).__name__
        return f"<Recorder {self.mode} {name}{' closed' if self._closed else ''}>"


# -- the module-level default recorder -------------------------------------------------------------

_default: list[Recorder] = []
_default_lock = threading.Lock()


def default_recorder() -> Recorder:
    """The default recorder, made on first use (a ``MemoryStore`` one, in sync mode)."""
    if _default:
        return _default[0]
    with _default_lock:
        if not _default:
            from actionlogkit.memory import MemoryStore

            _default.append(Recorder(MemoryStore()))
        return _default[0]


def default_sink() -> CallSink:
    """The sink of the default recorder, looked up at each call."""
    return (_default[0] if _default else default_recorder())._sink


def replace_default(recorder: Recorder | None) -> Recorder | None:
    """Make ``recorder`` the default (``None``: the next use makes a new one); return the previous.

    The previous recorder is neither flushed nor closed: that is the caller's choice.
    """
    with _default_lock:
        previous = _default[0] if _default else None
        _default[:] = [] if recorder is None else [recorder]
    return previous
