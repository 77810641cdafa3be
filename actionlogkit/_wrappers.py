"""The wrappers :class:`~actionlogkit.ActionSpec` puts around each kind of callable.

A wrapper is of the same kind as what it wraps (a coroutine function stays one, a generator
function stays one), runs the wrapped function exactly once per attempt, and re-raises the very
exception the function raised. Only the plain, single-attempt call has a hand-made fast path: two
clock readings and one tuple; everything else goes through :class:`CallState`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Generator
from typing import TYPE_CHECKING, Any

from actionlogkit._calls import FINAL, CallState, Target, error_text
from actionlogkit._default import default_recorder
from actionlogkit._handle import Action

if TYPE_CHECKING:
    from actionlogkit._action import ActionSpec
    from actionlogkit._recorder import Recorder

__all__ = ["wrap_async_generator", "wrap_coroutine", "wrap_function", "wrap_generator"]

_perf = time.perf_counter
_wall = time.time


def wrap_function(spec: ActionSpec, target: Target, func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a plain function (or method)."""

    def recorded(*args: Any, **kwargs: Any) -> Any:
        rec = spec._recorder or default_recorder()
        if not spec._simple or rec._snapshot:
            return _call_with_retries(spec, CallState(rec, target, args, kwargs), func)
        started = _wall()
        t0 = _perf()
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            # Only the exception's text is kept: holding the exception would keep its frames.
            rec._submit(
                (
                    FINAL,
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
                )
            )
            raise
        rec._submit(
            (FINAL, target, args, kwargs, result, None, started, _perf() - t0, 0, None, None, None)
        )
        return result

    return recorded


def _call_with_retries(spec: ActionSpec, call: CallState, func: Callable[..., Any]) -> Any:
    rec = call.recorder
    _submit_optional(rec, call.pending())
    args, kwargs = call.args or (), call.kwargs or {}
    attempt = 0
    while True:
        attempt += 1
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            error = error_text(exc)
            if spec._should_retry(exc, attempt):
                _submit_optional(rec, call.retrying(error, attempt))
                time.sleep(spec._delay(attempt))
                continue
            rec._submit(call.final(None, error, attempt - 1))
            raise
        rec._submit(call.final(result, None, attempt - 1))
        return result


def _submit_optional(rec: Recorder, item: Any) -> None:
    if item is not None:
        rec._submit(item)


async def _asubmit_optional(rec: Recorder, item: Any) -> None:
    if item is not None:
        await rec._asubmit(item)


def wrap_coroutine(
    spec: ActionSpec, target: Target, func: Callable[..., Awaitable[Any]]
) -> Callable[..., Coroutine[Any, Any, Any]]:
    """Wrap a coroutine function; in sync mode the writes are awaited off the event loop."""

    async def recorded(*args: Any, **kwargs: Any) -> Any:
        rec = spec._recorder or default_recorder()
        call = CallState(rec, target, args, kwargs)
        await _asubmit_optional(rec, call.pending())
        attempt = 0
        while True:
            attempt += 1
            try:
                result = await func(*args, **kwargs)
            except BaseException as exc:
                error = error_text(exc)
                if spec._should_retry(exc, attempt):
                    await _asubmit_optional(rec, call.retrying(error, attempt))
                    await asyncio.sleep(spec._delay(attempt))
                    continue
                await rec._asubmit(call.final(None, error, attempt - 1))
                raise
            await rec._asubmit(call.final(result, None, attempt - 1))
            return result

    return recorded


def _finish_generator(call: CallState, count: int, closed_early: bool) -> None:
    handle = call.handle
    assert handle is not None  # generators always carry a handle for their notes
    handle.note("itemsYielded", count)
    if closed_early:
        handle.note("closedEarly", True)


def wrap_generator(
    spec: ActionSpec, target: Target, func: Callable[..., Generator[Any, Any, Any]]
) -> Callable[..., Generator[Any, Any, Any]]:
    """Wrap a generator function; ``send``, ``throw`` and ``close`` reach the inner generator."""

    def recorded(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        rec = spec._recorder or default_recorder()
        call = CallState(rec, target, args, kwargs, Action())
        _submit_optional(rec, call.pending())
        count = 0

        def finish(result: Any, error: str | None, closed_early: bool = False) -> None:
            _finish_generator(call, count, closed_early)
            rec._submit(call.final(result, error))

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
    spec: ActionSpec, target: Target, func: Callable[..., AsyncGenerator[Any, Any]]
) -> Callable[..., AsyncGenerator[Any, Any]]:
    """Wrap an async generator function; ``asend``, ``athrow``, ``aclose`` reach the inner one."""

    async def recorded(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
        rec = spec._recorder or default_recorder()
        call = CallState(rec, target, args, kwargs, Action())
        await _asubmit_optional(rec, call.pending())
        count = 0

        async def finish(error: str | None, closed_early: bool = False) -> None:
            _finish_generator(call, count, closed_early)
            await rec._asubmit(call.final(None, error))

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
