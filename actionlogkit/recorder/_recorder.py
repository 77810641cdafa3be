"""``Recorder``: records integration calls into a store, in sync or background mode.

A recorder is a facade over its parts: the capture settings (``_capture``), the record builder
(``_record_builder``), the tally of what was written and lost (``_tally``), and the sink its calls
hand their events to (``_sinks``): a :class:`SyncSink` writes each record before the call returns,
a :class:`BackgroundSink` queues it for the background writer. Closing swaps in a
:class:`ClosedSink`. The module-level default recorder, which ``actionlogkit.action(...)`` writes
to, lives here too, so that finding its sink needs nothing private from another module.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Literal

from actionlogkit._redaction import Redactor
from actionlogkit._registry import resolve_store
from actionlogkit.errors import ConfigurationError
from actionlogkit.recorder._call_state import CallSink
from actionlogkit.recorder._capture import DEFAULT_MAX_FIELD_BYTES, MIN_MAX_FIELD_BYTES, Capture
from actionlogkit.recorder._options import (
    ActionOptions,
    check_count,
    check_name,
    takes_action_options_after_self,
)
from actionlogkit.recorder._record_builder import RecordBuilder
from actionlogkit.recorder._sinks import BackgroundSink, ClosedSink, Sink, SyncSink
from actionlogkit.recorder._spec import ActionSpec
from actionlogkit.recorder._tally import OnStoreError, RecorderStats, Tally
from actionlogkit.store import Store

__all__ = [
    "Mode",
    "Recorder",
    "default_recorder",
    "default_sink",
    "replace_default",
]

Mode = Literal["sync", "background"]


def _check_timeout(value: object) -> float | None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0
    ):
        raise ConfigurationError(f"atexit_timeout: expected seconds ≥ 0 or None, got {value!r}")
    return None if value is None else float(value)


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


class Recorder:
    """Records integration calls into a store; see ``docs/recorder.md``.

    Args:
        store_or_url: a :class:`Store`, or a URL the recorder opens (and closes on :meth:`close`).
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
        max_queue: background mode: the most records waiting; beyond it records are dropped.
        batch_size: background mode: the most records written in one insert.
        atexit_timeout: background mode: how long the exit-time flush may wait (``None``: as
            long as it takes).
        store_options: options for the store the URL opens.

    Raises:
        ConfigurationError: an option is unusable, or the store URL is.
        StoreError: a store opened from a URL could not reach its storage.

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
        timeout = _check_timeout(atexit_timeout)
        if isinstance(redact, str) or isinstance(safe_keys, str):
            raise ConfigurationError("redact, safe_keys: expected a collection of keys, not text")
        patterns = _check_patterns(redact_patterns)
        if redact_text is not None and not callable(redact_text):
            raise ConfigurationError(f"redact_text: expected a callable, got {redact_text!r}")
        self.integration_id = check_name("integration_id", integration_id, required=False)
        self.mode: Mode = mode
        self.on_store_error: OnStoreError = on_store_error
        capture = Capture(
            redactor=Redactor(
                redact=redact, safe_keys=safe_keys, patterns=patterns, text_rule=redact_text
            ),
            max_field_bytes=max_field_bytes,
        )
        self.store, self._owns_store = resolve_store(store_or_url, **dict(store_options or {}))
        self._closed = False
        self._lock = threading.Lock()
        self._tally = Tally(type(self.store).__name__, on_store_error)
        builder = RecordBuilder(capture, self.integration_id)
        snapshots = bool(snapshot_payload)
        self._sink: Sink
        if mode == "background":
            self._sink = BackgroundSink(
                self.store,
                builder,
                self._tally,
                snapshots,
                max_queue=max_queue,
                batch_size=batch_size,
                atexit_timeout=timeout,
            )
        else:
            self._sink = SyncSink(self.store, builder, self._tally, snapshots)

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

        Calls recorded after closing still run; their records are dropped and counted.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            sink = self._sink
            self._sink = ClosedSink(self.store, sink.builder, self._tally, False)
        try:
            if isinstance(sink, BackgroundSink):
                sink.writer.stop(timeout)
            elif isinstance(sink, SyncSink):
                sink.close()
        finally:
            if self._owns_store:
                self.store.close()
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
        return (
            f"<Recorder {self.mode} {type(self.store).__name__}{' closed' if self._closed else ''}>"
        )


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
