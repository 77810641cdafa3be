"""What one recorded call hands to its recorder.

An *item* is a plain tuple, because the caller's side builds one per call and a tuple is the
cheapest thing to build: ``(op, target, args, kwargs, result, error, started, elapsed,
retry_count, handle, token, snapshot)``. ``op`` says which write it asks for: the final record,
the ``pending`` record made when the call starts, or the ``retrying`` update between attempts.
``token`` is a one-element list that holds the id of the pending record once it is written, so the
later writes of the same call update it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from actionlogkit._handle import UNSET, Action
from actionlogkit._sources import DEFAULT, NOTHING, Binder, compile_source

if TYPE_CHECKING:
    from actionlogkit._action import ActionSpec
    from actionlogkit._recorder import Recorder

__all__ = ["FINAL", "PENDING", "RETRYING", "CallState", "Item", "Target", "error_text"]

FINAL, PENDING, RETRYING = 0, 1, 2
Snapshot = tuple[dict[str, Any] | None, int | None]
Item = tuple[
    int,
    "Target",
    "tuple[Any, ...] | None",
    "dict[str, Any] | None",
    Any,
    "str | None",
    float,
    "float | None",
    int,
    "Action | None",
    "list[str | None] | None",
    "Snapshot | None",
]


def error_text(exc: BaseException) -> str:
    """``"<ExceptionType>: <message>"``, or the type alone when the message is empty."""
    name = type(exc).__name__
    try:
        message = str(exc)
    except Exception:  # a broken __str__ must not break the call
        message = "<message unavailable>"
    return f"{name}: {message}" if message else name


class Target:
    """One decorated function (or a ``with`` block): its binder and its compiled sources."""

    __slots__ = ("binder", "entity", "payload", "response", "spec")

    def __init__(self, spec: ActionSpec, binder: Binder, *, block: bool) -> None:
        self.spec = spec
        self.binder = binder
        names = binder.parameters
        # A with block has no arguments and no return value: nothing to record by default.
        if not spec.capture_payload:
            self.payload = NOTHING
        elif spec.payload_given is UNSET:
            self.payload = NOTHING if block else DEFAULT
        else:
            self.payload = compile_source(spec.payload_given, names)
        if not spec.capture_response:
            self.response = NOTHING
        elif spec.response_given is UNSET:
            self.response = NOTHING if block else DEFAULT
        else:
            self.response = compile_source(spec.response_given, names)
        self.entity = compile_source(spec.entity_id_given, names)


class CallState:
    """One call on its way, for every path but the plain single-attempt one.

    Holds the start (wall clock for ``createdAt``, ``perf_counter`` for ``executionTime``), the
    pending record's token and the payload snapshot; retry state lives in the wrapper's locals, so
    concurrent calls never share it.
    """

    __slots__ = (
        "args",
        "handle",
        "kwargs",
        "recorder",
        "snapshot",
        "started",
        "t0",
        "target",
        "token",
    )

    def __init__(
        self,
        recorder: Recorder,
        target: Target,
        args: tuple[Any, ...] | None,
        kwargs: dict[str, Any] | None,
        handle: Action | None = None,
    ) -> None:
        self.recorder = recorder
        self.target = target
        self.args = args
        self.kwargs = kwargs
        self.handle = handle
        self.started = time.time()
        self.t0 = time.perf_counter()
        self.snapshot = (
            None if args is None else recorder._snapshot_payload(target, args, kwargs or {})
        )
        self.token: list[str | None] | None = [None] if target.spec.record_pending else None

    def pending(self) -> Item | None:
        """The item that creates the ``pending`` record, if the action asks for one."""
        if self.token is None:
            return None
        return (
            PENDING,
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

    def retrying(self, error: str, attempt: int) -> Item | None:
        """The item that marks the record ``retrying`` after ``attempt`` failed, if pending."""
        if self.token is None:
            return None
        return (
            RETRYING,
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

    def final(self, result: Any, error: str | None, retries: int = 0) -> Item:
        """The item of the final record."""
        return (
            FINAL,
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
