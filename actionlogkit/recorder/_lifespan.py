"""Flushing the recorders when an ASGI server shuts down: a lifespan for Starlette and FastAPI.

Servers that handle SIGTERM themselves (uvicorn, gunicorn's workers) run the application's
lifespan shutdown, then restore SIGTERM's default handling and raise it again: the interpreter
ends without running ``atexit``, so the exit-time flush never happens. The lifespan shutdown is the
hook that does run: :func:`recorder_lifespan` flushes every background recorder there.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from actionlogkit.recorder._tally import report_all
from actionlogkit.recorder._writer import SIGTERM_TIMEOUT, flush_all

__all__ = ["Lifespan", "recorder_lifespan", "shutdown"]

App = TypeVar("App")
Lifespan = Callable[[App], AbstractAsyncContextManager[Any]]
"""A lifespan as Starlette and FastAPI take it: a function of the app giving a context manager."""


def shutdown(timeout: float | None = SIGTERM_TIMEOUT) -> bool:
    """Flush every background recorder of the process, all within ``timeout`` seconds.

    What cannot be written in time is counted dropped and reported on the ``actionlogkit``
    logger, with every loss the warnings' rate limit still held back. For an application's own
    SIGTERM handler, or its shutdown code: the recorders go on working afterwards. Returns whether
    everything was written.
    """
    done = flush_all(
        timeout, why="the application shut down before the store took them (shutdown timeout)"
    )
    report_all()
    return done


def recorder_lifespan(
    inner: Lifespan[App] | None = None, *, timeout: float | None = SIGTERM_TIMEOUT
) -> Lifespan[App]:
    """A lifespan that runs ``inner`` (the application's own, if any), then flushes the recorders.

    ``FastAPI(lifespan=recorder_lifespan())`` or ``Starlette(lifespan=recorder_lifespan(mine))``.
    The flush runs on a worker thread, so the event loop keeps serving what is still running.
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: App) -> AsyncIterator[Any]:
        try:
            if inner is None:
                yield None
            else:
                async with inner(app) as state:
                    yield state
        finally:
            await asyncio.to_thread(shutdown, timeout)

    return lifespan
