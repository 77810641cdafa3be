"""What one recorded call hands to its recorder, and the interface it hands it through.

The caller's side of a recorded call (``_wrappers``, ``_spec``) describes each write it asks for
as a :class:`CallEvent`: the final record, the ``pending`` record made when the call starts, or
the ``retrying`` update between attempts. It hands events to a :class:`CallSink`, the recorder's
side, which builds the records (at once, or on a writer thread) and writes them. Plain
single-attempt calls build their one event inline; every other call keeps a :class:`CallState`.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Awaitable
from typing import Any, NamedTuple, Protocol

from actionlogkit.recorder._action import Action
from actionlogkit.recorder._capture import Captured
from actionlogkit.recorder._target import Target

__all__ = ["CallEvent", "CallSink", "CallState", "Snapshot", "Step", "error_text"]

Snapshot = Captured
"""A payload captured when the call started."""


class Step(enum.IntEnum):
    """Which write an event asks for."""

    FINAL = 0
    """The call's final record (created, or the pending one updated)."""
    PENDING = 1
    """The ``pending`` record, written when the call starts."""
    RETRYING = 2
    """The pending record marked ``retrying`` after a failed attempt."""


class CallEvent(NamedTuple):
    """One write asked for by a recorded call: everything its record is built from.

    A named tuple: the caller's side builds one per call, and a tuple is the cheapest named
    thing to build.
    """

    step: Step
    target: Target
    args: tuple[Any, ...] | None
    """The positional arguments (``None`` for a ``with`` block)."""
    kwargs: dict[str, Any] | None
    result: Any
    error: str | None
    """The exception's ``"Type: message"`` text, or ``None`` if the call returned."""
    started: float
    """:func:`time.time` when the call started: the record's ``createdAt``."""
    elapsed: float | None
    """Seconds since the start (``executionTime``), ``None`` for the pending record."""
    retries: int
    handle: Action | None
    token: list[str | None] | None
    """A one-element list holding the id of the call's records, taken when its first record is
    built, so that the later ones replace the pending record; ``None`` without one."""
    snapshot: Snapshot | None


class CallSink(Protocol):
    """The recorder's side, as the caller's side of a recorded call sees it."""

    snapshots_payloads: bool
    """Whether payloads are captured when calls start, unless an action says otherwise."""

    def submit(self, event: CallEvent) -> None:
        """Hand over an event; raises only as the recorder's ``on_store_error`` asks."""

    def asubmit(self, event: CallEvent) -> Awaitable[None]:
        """Hand over an event from a coroutine, never blocking the event loop."""

    def snapshot(
        self, target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Snapshot | None:
        """Capture the payload of a call as it starts."""


def error_text(exc: BaseException) -> str:
    """``"<ExceptionType>: <message>"``, or the type alone when the message is empty."""
    name = type(exc).__name__
    try:
        message = str(exc)
    except Exception:  # a broken __str__ must not break the call
        message = "<message unavailable>"
    return f"{name}: {message}" if message else name


class CallState:
    """One call on its way, for every path but the plain single-attempt one.

    Holds the start (wall clock for ``createdAt``, ``perf_counter`` for ``executionTime``), the
    pending record's token and the payload snapshot; retry state lives in the wrapper's locals, so
    concurrent calls never share it.
    """

    __slots__ = ("args", "handle", "kwargs", "sink", "snapshot", "started", "t0", "target", "token")

    def __init__(
        self,
        sink: CallSink,
        target: Target,
        args: tuple[Any, ...] | None,
        kwargs: dict[str, Any] | None,
        handle: Action | None = None,
    ) -> None:
        self.sink = sink
        self.target = target
        self.args = args
        self.kwargs = kwargs
        self.handle = handle
        self.started = time.time()
        self.t0 = time.perf_counter()
        options = target.options
        wanted = options.snapshot_payload
        snapshots = sink.snapshots_payloads if wanted is None else wanted
        self.snapshot = (
            sink.snapshot(target, args, kwargs or {}) if snapshots and args is not None else None
        )
        self.token: list[str | None] | None = [None] if options.record_pending else None

    def pending(self) -> CallEvent | None:
        """The event that creates the ``pending`` record, if the action asks for one."""
        if self.token is None:
            return None
        return CallEvent(
            Step.PENDING,
            self.target,
            self.args,
            self.kwargs,
            None,
            None,
            self.started,
            None,
            0,
            self.handle,
            self.token,
            self.snapshot,
        )

    def retrying(self, error: str, attempt: int) -> CallEvent | None:
        """The event that marks the record ``retrying`` after ``attempt`` failed, if pending."""
        if self.token is None:
            return None
        return CallEvent(
            Step.RETRYING,
            self.target,
            self.args,
            self.kwargs,
            None,
            error,
            self.started,
            time.perf_counter() - self.t0,
            attempt,
            self.handle,
            self.token,
            self.snapshot,
        )

    def final(self, result: Any, error: str | None, retries: int = 0) -> CallEvent:
        """The event of the final record."""
        return CallEvent(
            Step.FINAL,
            self.target,
            self.args,
            self.kwargs,
            result,
            error,
            self.started,
            time.perf_counter() - self.t0,
            retries,
            self.handle,
            self.token,
            self.snapshot,
        )
