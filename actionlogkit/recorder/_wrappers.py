"""The wrappers :class:`~actionlogkit.ActionSpec` puts around each kind of callable.

A wrapper is of the same kind as what it wraps (a coroutine function stays one, a generator
function stays one), runs the wrapped function exactly once per attempt, and re-raises the very
exception the function raised. Only the plain, single-attempt call has a hand-made fast path: two
clock readings and one event; everything else goes through :class:`CallState`. Each wrapper finds
its recorder's side by calling ``resolve`` at every call, so that a function decorated for the
module-level recorder writes wherever ``configure`` points later.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Generator
from typing import Any

from actionlogkit.recorder._action import Action
from actionlogkit.recorder._call_state import CallEvent, CallSink, CallState, Step, error_text
from actionlogkit.recorder._target import Target

__all__ = [
    "Resolve",
    "wrap_async_generator",
    "wrap_coroutine",
    "wrap_function",
    "wrap_generator",
]

Resolve = Callable[[], CallSink]
"""Finds the recorder's side a call hands its events to."""

_perf = time.perf_counter
_wall = time.time
_FINAL = Step.FINAL
# The named tuple made from a plain one without its generated __new__: half the cost, on the hot
# path of every plain call.
_event = tuple.__new__


def wrap_function(resolve: Resolve, target: Target, func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a plain function (or method)."""
    options = target.options

    def recorded(*args: Any, **kwargs: Any) -> Any:
        sink = resolve()
        if not options.simple or sink.snapshots_payloads:
            return _call_with_retries(CallState(sink, target, args, kwargs), func)
        started = _wall()
        t0 = _perf()
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            # Only the exception's text is kept: holding the exception would keep its frames.
            sink.submit(
                _event(
                    CallEvent,
                    (
                        _FINAL,
                        target,
                        args,
                        kwargs,
                        None,
                        error_text(exc),
                        started,
                        _perf() - t0,
                        0,
                        None,
                        None,
                        None,
                    ),
                )
            )
            raise
        sink.submit(
            _event(
                CallEvent,
                (
                    _FINAL,
                    target,
                    args,
                    kwargs,
                    result,
                    None,
                    started,
                    _perf() - t0,
                    0,
                    None,
                    None,
                    None,
                ),
            )
        )
        return result

    return recorded


def _call_with_retries(call: CallState, func: Callable[..., Any]) -> Any:
    sink = call.sink
    policy = call.target.options.retry
    _submit_optional(sink, call.pending())
    args, kwargs = call.args or (), call.kwargs or {}
    attempt = 0
    while True:
        attempt += 1
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            error = error_text(exc)
            if policy.should_retry(exc, attempt):
                _submit_optional(sink, call.retrying(error, attempt))
                time.sleep(policy.delay(attempt))
                continue
            sink.submit(call.final(None, error, attempt - 1))
            raise
        sink.submit(call.final(result, None, attempt - 1))
        return result


def _submit_optional(sink: CallSink, event: CallEvent | None) -> None:
    if event is not None:
        sink.submit(event)


async def _asubmit_optional(sink: CallSink, event: CallEvent | None) -> None:
    if event is not None:
        await sink.asubmit(event)


def wrap_coroutine(
    resolve: Resolve, target: Target, func: Callable[..., Awaitable[Any]]
) -> Callable[..., Coroutine[Any, Any, Any]]:
    """Wrap a coroutine function; in sync mode the writes are awaited off the event loop."""
    policy = target.options.retry

    async def recorded(*args: Any, **kwargs: Any) -> Any:
        sink = resolve()
        call = CallState(sink, target, args, kwargs)
        await _asubmit_optional(sink, call.pending())
        attempt = 0
        while True:
            attempt += 1
            try:
                result = await func(*args, **kwargs)
            except BaseException as exc:
                error = error_text(exc)
                if policy.should_retry(exc, attempt):
                    await _asubmit_optional(sink, call.retrying(error, attempt))
                    await asyncio.sleep(policy.delay(attempt))
                    continue
                await sink.asubmit(call.final(None, error, attempt - 1))
                raise
            await sink.asubmit(call.final(result, None, attempt - 1))
            return result

    return recorded


def _finish_generator(call: CallState, count: int, closed_early: bool) -> None:
    handle = call.handle
    assert handle is not None  # generators always carry a handle for their notes
    handle.note("itemsYielded", count)
    if closed_early:
        handle.note("closedEarly", True)


def wrap_generator(
    resolve: Resolve, target: Target, func: Callable[..., Generator[Any, Any, Any]]
) -> Callable[..., Generator[Any, Any, Any]]:
    """Wrap a generator function; ``send``, ``throw`` and ``close`` reach the inner generator."""

    def recorded(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        sink = resolve()
        call = CallState(sink, target, args, kwargs, Action())
        _submit_optional(sink, call.pending())
        count = 0

        def finish(result: Any, error: str | None, closed_early: bool = False) -> None:
            _finish_generator(call, count, closed_early)
            sink.submit(call.final(result, error))

        try:
            inner = func(*args, **kwargs)
            item = next(inner)
        except StopIteration as stop:
            finish(stop.value, None)
            return stop.value
        except BaseException as exc:
            finish(None, error_text(exc))
            raise
        while True:
            count += 1
            try:
                sent = yield item
            except GeneratorExit:
                try:
                    inner.close()
                except BaseException as exc:
                    finish(None, error_text(exc))
                    raise
                finish(None, None, closed_early=True)
                raise
            except BaseException as thrown:
                step: Callable[[Any], Any] = inner.throw
                value: Any = thrown
            else:
                step, value = inner.send, sent
            try:
                item = step(value)
            except StopIteration as stop:
                finish(stop.value, None)
                return stop.value
            except BaseException as exc:
                finish(None, error_text(exc))
                raise

    return recorded


def wrap_async_generator(
    resolve: Resolve, target: Target, func: Callable[..., AsyncGenerator[Any, Any]]
) -> Callable[..., AsyncGenerator[Any, Any]]:
    """Wrap an async generator function; ``asend``, ``athrow``, ``aclose`` reach the inner one."""

    async def recorded(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
        sink = resolve()
        call = CallState(sink, target, args, kwargs, Action())
        await _asubmit_optional(sink, call.pending())
        count = 0

        async def finish(error: str | None, closed_early: bool = False) -> None:
            _finish_generator(call, count, closed_early)
            await sink.asubmit(call.final(None, error))

        try:
            inner = func(*args, **kwargs)
            item = await inner.__anext__()
        except StopAsyncIteration:
            await finish(None)
            return
        except BaseException as exc:
            await finish(error_text(exc))
            raise
        while True:
            count += 1
            try:
                sent = yield item
            except GeneratorExit:
                try:
                    await inner.aclose()
                except BaseException as exc:
                    await finish(error_text(exc))
                    raise
                await finish(None, closed_early=True)
                raise
            except BaseException as thrown:
                step: Awaitable[Any] = inner.athrow(thrown)
            else:
                step = inner.asend(sent)
            try:
                item = await step
            except StopAsyncIteration:
                await finish(None)
                return
            except BaseException as exc:
                await finish(error_text(exc))
                raise

    return recorded
