"""``ActionSpec``: what ``recorder.action(...)`` returns, a decorator and a context manager."""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable
from types import TracebackType
from typing import Any, ParamSpec, TypeVar, overload

from actionlogkit.errors import ConfigurationError
from actionlogkit.recorder._action import Action
from actionlogkit.recorder._call_state import CallState, error_text
from actionlogkit.recorder._options import ActionOptions
from actionlogkit.recorder._sources import Binder
from actionlogkit.recorder._target import Target
from actionlogkit.recorder._wrappers import (
    Resolve,
    wrap_async_generator,
    wrap_coroutine,
    wrap_function,
    wrap_generator,
)

__all__ = ["ActionSpec"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


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
    ``with`` or ``async with`` block it yields an :class:`Action` handle. ``resolve`` finds, at
    each call, the recorder's side the calls hand their records to.
    """

    def __init__(self, options: ActionOptions, resolve: Resolve) -> None:
        self.options = options
        self._resolve = resolve
        self._blocks: contextvars.ContextVar[tuple[CallState, ...]] = contextvars.ContextVar(
            "actionlogkit_blocks", default=()
        )
        self._block_target: Target | None = None

    def __repr__(self) -> str:
        return f"<ActionSpec {self.options.action_type} {self.options.entity_type}>"

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
        target = Target(self.options, Binder(func, skip_first=skip_first), block=False)
        resolve = self._resolve
        wrapper: Callable[..., Any]
        if inspect.isasyncgenfunction(func):
            self._no_retries_for("async generator functions")
            wrapper = wrap_async_generator(resolve, target, func)
        elif inspect.isgeneratorfunction(func):
            self._no_retries_for("generator functions")
            wrapper = wrap_generator(resolve, target, func)
        elif _is_coroutine_callable(func):
            wrapper = wrap_coroutine(resolve, target, func)
        else:
            wrapper = wrap_function(resolve, target, func)
        functools.update_wrapper(wrapper, func)
        return wrapper

    def _no_retries_for(self, kind: str) -> None:
        if self.options.retries:
            raise ConfigurationError(
                f"retries: not supported for {kind} (the items they yielded cannot be taken back)"
            )

    # -- the context manager ---------------------------------------------------------------------

    def _enter(self) -> CallState:
        if self.options.retries:
            raise ConfigurationError(
                "retries: a with block cannot be run again; decorate a function"
            )
        if self._block_target is None:
            self._block_target = Target(self.options, Binder(None), block=True)
        call = CallState(self._resolve(), self._block_target, None, None, Action())
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
            call.sink.submit(pending)
        assert call.handle is not None  # blocks always have a handle
        return call.handle

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        call, error = self._exit(exc)
        call.sink.submit(call.final(None, error))

    async def __aenter__(self) -> Action:
        call = self._enter()
        pending = call.pending()
        if pending is not None:
            await call.sink.asubmit(pending)
        assert call.handle is not None  # blocks always have a handle
        return call.handle

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        call, error = self._exit(exc)
        await call.sink.asubmit(call.final(None, error))
