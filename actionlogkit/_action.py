"""What ``recorder.action(...)`` returns: a decorator and a (async) context manager."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import math
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload

from actionlogkit import _json
from actionlogkit._calls import CallState, Target, error_text
from actionlogkit._default import default_recorder
from actionlogkit._handle import UNSET, Action
from actionlogkit._sources import NOTHING, Binder, Call, Source
from actionlogkit._wrappers import (
    wrap_async_generator,
    wrap_coroutine,
    wrap_function,
    wrap_generator,
)
from actionlogkit.errors import ConfigurationError
from actionlogkit.models import MAX_ID_TEXT, ActionType

if TYPE_CHECKING:
    from actionlogkit._recorder import Recorder

__all__ = ["ActionSpec", "Backoff", "RetryOn", "check_name"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

RetryOn = tuple[type[BaseException], ...] | type[BaseException] | Callable[[BaseException], bool]
"""Which exceptions are retried: exception classes, or a predicate over the exception."""
Backoff = float | Callable[[int], float]
"""Seconds before retry ``n``: a float ``b`` waits ``b * 2**(n-1)``; a callable gets ``n``."""

# Never retried, whatever retry_on says: whoever raised them asked to stop.
_STOPPING = (asyncio.CancelledError, KeyboardInterrupt, SystemExit)
_MAX_BACKOFF = 30.0


def check_name(option: str, value: object, *, required: bool) -> str | None:
    """Check an ``integrationId`` or ``entityType`` given as an option."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{option}: expected non-empty text, got {value!r}")
    if len(value) > MAX_ID_TEXT:
        raise ConfigurationError(f"{option}: at most {MAX_ID_TEXT} characters")
    problem = _json.check_text(value)
    if problem:
        raise ConfigurationError(f"{option}: {problem}")
    return value


def check_count(option: str, value: object, least: int) -> int:
    """Check an integer option with a lower bound."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ConfigurationError(f"{option}: expected an integer ≥ {least}, got {value!r}")
    return value


def _check_retry_on(value: object) -> RetryOn:
    if isinstance(value, type) and issubclass(value, BaseException):
        return (value,)
    if isinstance(value, tuple):
        if all(isinstance(kind, type) and issubclass(kind, BaseException) for kind in value):
            return value
    elif callable(value):
        predicate: Callable[[BaseException], bool] = value
        return predicate
    raise ConfigurationError(f"retry_on: expected exception classes or a callable, got {value!r}")


def _check_backoff(value: object) -> Backoff:
    if callable(value):
        function: Callable[[int], float] = value
        return function
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ConfigurationError(f"backoff: expected seconds ≥ 0 or a callable, got {value!r}")
    return float(value)


def _check_action_type(value: object) -> ActionType:
    try:
        return ActionType(value)
    except ValueError:
        allowed = ", ".join(member.value for member in ActionType)
        raise ConfigurationError(f"action_type: expected one of {allowed}; got {value!r}") from None


def _is_coroutine_callable(func: object) -> bool:
    if inspect.iscoroutinefunction(func):
        return True
    # An object whose __call__ is a coroutine function is awaited like one.
    call = None if inspect.isroutine(func) else inspect.getattr_static(type(func), "__call__", None)
    return inspect.iscoroutinefunction(call)


class ActionSpec:
    """What :meth:`Recorder.action` returns: a decorator, and a (async) context manager.

    As a decorator it wraps plain functions, coroutine functions, generator functions, async
    generator functions, methods, classmethods and staticmethods, keeping their signature. In a
    ``with`` or ``async with`` block it yields an :class:`Action` handle.
    """

    def __init__(
        self,
        recorder: Recorder | None,
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
    ) -> None:
        self._recorder = recorder
        self.action_type = _check_action_type(action_type)
        self.entity_type = check_name("entity_type", entity_type, required=True) or ""
        self.integration_id = check_name("integration_id", integration_id, required=False)
        self.retries = check_count("retries", retries, 0)
        self.retry_on = _check_retry_on(retry_on)
        self.backoff = _check_backoff(backoff)
        self.record_pending = bool(record_pending)
        self.capture_payload = bool(capture_payload)
        self.capture_response = bool(capture_response)
        self.payload_given = payload
        self.response_given = response
        self.entity_id_given = entity_id
        if metadata is None:
            self.metadata = NOTHING
        elif isinstance(metadata, Mapping):
            self.metadata = Source("const", dict(metadata))
        elif callable(metadata):
            self.metadata = Source("call", metadata)
        else:
            raise ConfigurationError(
                f"metadata: expected a mapping or a callable, got {metadata!r}"
            )
        self.snapshot_payload = None if snapshot_payload is None else bool(snapshot_payload)
        # The hot path's test: one attempt, one write at the end, nothing captured up front.
        self._simple = not retries and not record_pending and not snapshot_payload
        self._blocks: contextvars.ContextVar[tuple[CallState, ...]] = contextvars.ContextVar(
            "actionlogkit_blocks", default=()
        )
        self._block_target: Target | None = None

    def __repr__(self) -> str:
        return f"<ActionSpec {self.action_type.value} {self.entity_type}>"

    # -- shared by every kind of call ------------------------------------------------------------

    def recorder(self) -> Recorder:
        """The recorder this action writes to (the default recorder when none was given)."""
        return self._recorder or default_recorder()

    def _should_retry(self, exc: BaseException, attempt: int) -> bool:
        if attempt > self.retries or isinstance(exc, _STOPPING):
            return False
        retry_on = self.retry_on
        if isinstance(retry_on, (tuple, type)):
            return isinstance(exc, retry_on)
        try:
            return bool(retry_on(exc))
        except Exception:  # a broken predicate means: do not retry
            return False

    def _delay(self, retry: int) -> float:
        backoff = self.backoff
        try:
            seconds = float(backoff(retry) if callable(backoff) else backoff * 2 ** (retry - 1))
        except Exception:  # a broken backoff function must not break the call
            return 0.0
        return min(max(seconds, 0.0), _MAX_BACKOFF) if math.isfinite(seconds) else 0.0

    # -- the decorator ---------------------------------------------------------------------------

    @overload
    def __call__(self, func: classmethod[T, P, R]) -> classmethod[T, P, R]: ...

    @overload
    def __call__(self, func: staticmethod[P, R]) -> staticmethod[P, R]: ...

    @overload
    def __call__(self, func: Callable[P, R]) -> Callable[P, R]: ...

    def __call__(self, func: Any) -> Any:
        """Decorate ``func`` so that every call of it is recorded."""
        if isinstance(func, classmethod):
            return classmethod(self._wrap(func.__func__, skip_first=True))
        if isinstance(func, staticmethod):
            return staticmethod(self._wrap(func.__func__, skip_first=False))
        if not callable(func):
            raise ConfigurationError(f"action(...) decorates callables, not {type(func).__name__}")
        return self._wrap(func, skip_first=None)

    def _wrap(self, func: Callable[..., Any], *, skip_first: bool | None) -> Callable[..., Any]:
        target = Target(self, Binder(func, skip_first=skip_first), block=False)
        wrapper: Callable[..., Any]
        if inspect.isasyncgenfunction(func):
            self._no_retries_for("async generator functions")
            wrapper = wrap_async_generator(self, target, func)
        elif inspect.isgeneratorfunction(func):
            self._no_retries_for("generator functions")
            wrapper = wrap_generator(self, target, func)
        elif _is_coroutine_callable(func):
            wrapper = wrap_coroutine(self, target, func)
        else:
            wrapper = wrap_function(self, target, func)
        functools.update_wrapper(wrapper, func)
        return wrapper

    def _no_retries_for(self, kind: str) -> None:
        if self.retries:
            raise ConfigurationError(
                f"retries: not supported for {kind} (the items they yielded cannot be taken back)"
            )

    # -- the context manager ---------------------------------------------------------------------

    def _enter(self) -> CallState:
        if self.retries:
            raise ConfigurationError(
                "retries: a with block cannot be run again; decorate a function"
            )
        if self._block_target is None:
            self._block_target = Target(self, Binder(None), block=True)
        call = CallState(self.recorder(), self._block_target, None, None, Action())
        # A context variable keeps blocks of one spec apart across threads and tasks.
        self._blocks.set((*self._blocks.get(), call))
        return call

    def _exit(self, exc: BaseException | None) -> tuple[CallState, str | None]:
        blocks = self._blocks.get()
        call = blocks[-1]
        self._blocks.set(blocks[:-1])
        return call, None if exc is None else error_text(exc)

    def __enter__(self) -> Action:
        call = self._enter()
        pending = call.pending()
        if pending is not None:
            call.recorder._submit(pending)
        assert call.handle is not None  # blocks always have a handle
        return call.handle

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        call, error = self._exit(exc)
        call.recorder._submit(call.final(None, error))

    async def __aenter__(self) -> Action:
        call = self._enter()
        pending = call.pending()
        if pending is not None:
            await call.recorder._asubmit(pending)
        assert call.handle is not None  # blocks always have a handle
        return call.handle

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        call, error = self._exit(exc)
        await call.recorder._asubmit(call.final(None, error))
