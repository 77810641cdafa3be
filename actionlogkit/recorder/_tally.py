"""``Tally``: what a recorder has written and lost, and the warnings that say so.

Every record either reaches the store (``recorded``), or is lost, counted under why: the store
failed its write or did not answer in time (``failed``), or it was never written (``dropped``: the
queue was full, the store was failing, the recorder was closed, the process exited first). The
counts are exact; :class:`RecorderStats` reads them.

Losses are logged on the ``actionlogkit`` logger. The first loss after a quiet spell is logged at
once; later ones are added up and logged together, at most once per :data:`WARN_INTERVAL` and at
least that often while losses go on, with the true count of every record lost since the previous
line and the last reason. What is still held back is logged when the store answers again, when the
recorder closes, and at exit (:func:`report_all`, after the exit-time flush, for recorders never
closed).
"""

from __future__ import annotations

import logging
import math
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Literal

from actionlogkit.errors import ActionLogKitError, StoreError
from actionlogkit.recorder._call_state import error_text

__all__ = ["WARN_INTERVAL", "OnStoreError", "RecorderStats", "Tally", "report_all"]

logger = logging.getLogger("actionlogkit")

OnStoreError = Literal["warn", "raise"]
WARN_INTERVAL = 10.0
"""Seconds between two warnings about losses (the counts in between are added up)."""


@dataclass(frozen=True)
class RecorderStats:
    """What a recorder has done so far."""

    recorded: int
    """Calls whose final record was stored."""
    failed: int
    """Records whose write failed or did not finish by ``write_timeout`` (after any retries)."""
    dropped: int
    """Records never written: the queue was full, the store was failing, the recorder closed, or
    the process exited before they could be written."""
    queued: int
    """Records waiting in the background queue now (0 in sync mode)."""


def _records(count: int) -> str:
    return f"{count:,} record" if count == 1 else f"{count:,} records"


class _Losses:
    """Losses not yet logged: how many of each kind, and the last reason of each."""

    __slots__ = ("drop_reasons", "dropped", "failed", "failure", "since")

    def __init__(self) -> None:
        self.failed = 0
        self.failure = ""
        self.dropped = 0
        self.drop_reasons: dict[str, int] = {}
        self.since = 0.0

    def __bool__(self) -> bool:
        return bool(self.failed or self.dropped)

    def lines(self, store_name: str, span: float | None) -> list[str]:
        """The warning lines for these losses; ``span``: seconds they were gathered over."""
        during = "" if span is None else f" in the last {span:.0f} s"
        lines = []
        if self.failed:
            lines.append(
                f"actionlogkit: {_records(self.failed)} could not be written to {store_name}"
                f"{during}: {self.failure}"
            )
        if self.dropped:
            reasons = "; ".join(
                f"{reason} ({count:,})" if len(self.drop_reasons) > 1 else reason
                for reason, count in self.drop_reasons.items()
            )
            lines.append(f"actionlogkit: {_records(self.dropped)} dropped{during}: {reasons}")
        return lines


class Tally:
    """The counts of one recorder, and what its ``on_store_error`` setting does with failures."""

    def __init__(
        self, store_name: str, on_store_error: OnStoreError, interval: float | None = None
    ) -> None:
        self.store_name = store_name
        self.on_store_error: OnStoreError = on_store_error
        self.recorded = 0
        self.failed = 0
        self.dropped = 0
        self.last_error = ""
        """The last reason a record was lost, for the exit-time report."""
        self._interval = WARN_INTERVAL if interval is None else interval
        self._lock = threading.Lock()
        self._deferred: BaseException | None = None
        self._held = _Losses()
        self._last_warning = -math.inf
        _live.add(self)

    # -- counting -------------------------------------------------------------------------------

    def add_recorded(self, count: int) -> None:
        """Count final records stored."""
        with self._lock:
            self.recorded += count
        if self._held:
            self.report(due_only=True)

    def write_failed(self, exc: Exception, count: int, *, raise_now: bool) -> None:
        """Count ``count`` records the store failed to write, and warn, or raise as asked.

        ``raise_now``: the failure belongs to the calling thread's own call, which raises it with
        ``on_store_error="raise"``; other failures are kept for the next ``flush``.
        """
        reason = error_text(exc)
        with self._lock:
            self.failed += count
            self.last_error = reason
            if self.on_store_error == "raise" and not raise_now and self._deferred is None:
                self._deferred = exc
            held = self._held
            if not held:
                held.since = time.monotonic()
            held.failed += count
            held.failure = reason
        if raise_now and self.on_store_error == "raise":
            if isinstance(exc, ActionLogKitError):
                raise exc
            raise StoreError(f"the record could not be written: {exc}") from exc
        self.report(due_only=True)

    def found_stored(self, count: int) -> None:
        """Move ``count`` records from failed to recorded: their write, in doubt, was stored."""
        with self._lock:
            self.failed -= count
            self.recorded += count
        logger.warning(
            "actionlogkit: %s whose write timed out while it was being committed %s stored after "
            "all; counted as recorded",
            _records(count),
            "was" if count == 1 else "were",
        )

    def drop(self, reason: str, count: int = 1) -> None:
        """Count ``count`` records dropped for ``reason``, and warn."""
        with self._lock:
            self.dropped += count
            self.last_error = reason
            held = self._held
            if not held:
                held.since = time.monotonic()
            held.dropped += count
            held.drop_reasons[reason] = held.drop_reasons.get(reason, 0) + count
        self.report(due_only=True)

    def raise_deferred(self) -> None:
        """Raise the first failure kept since the last call (``on_store_error="raise"``)."""
        with self._lock:
            exc, self._deferred = self._deferred, None
        if exc is not None:
            raise StoreError(f"a record could not be written: {exc}") from exc

    # -- reporting ------------------------------------------------------------------------------

    def report(self, *, due_only: bool = False) -> None:
        """Log the losses held back, now or (``due_only``) if the interval has passed."""
        with self._lock:
            held = self._held
            if not held:
                return
            now = time.monotonic()
            quiet = now - self._last_warning
            if due_only and quiet < self._interval:
                return
            self._held = _Losses()
            # The first loss after a quiet spell is reported alone, without a span.
            start = max(held.since, self._last_warning)
            span = None if quiet >= 2 * self._interval else now - start
            self._last_warning = now
        for line in held.lines(self.store_name, span):
            logger.warning(line)


_live: weakref.WeakSet[Tally] = weakref.WeakSet()


def report_all() -> None:
    """Log the losses every recorder still holds back: at exit, SIGTERM or ``shutdown()``.

    A recorder never closed would otherwise take them with it, and its log would show only the
    first loss of the last interval.
    """
    for tally in list(_live):
        tally.report()
