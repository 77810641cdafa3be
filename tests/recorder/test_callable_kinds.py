"""Every kind of recorded callable: success, failure, cancellation and early close."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from actionlogkit import Recorder, Status
from tests.recorder._stores import HistoryStore, only_record

KINDS = (
    "function",
    "coroutine",
    "generator",
    "async_generator",
    "method",
    "classmethod",
    "staticmethod",
    "with_block",
    "async_with_block",
)
ASYNC_KINDS = ("coroutine", "async_generator", "async_with_block")
SYNC_KINDS = tuple(kind for kind in KINDS if kind not in ASYNC_KINDS)
GENERATOR_KINDS = ("generator", "async_generator")

Body = Callable[[], Any]


def make_call(kind: str, rec: Recorder, body: Body) -> Callable[[], Any]:
    """One recorded call of ``kind`` whose work is ``body()``, run to the end by its consumer.

    Generators yield 1 and 2 before running ``body``; the runner returns what the call gave.
    """
    action = rec.action("update", entity_type="product", entity_id="sku-1")

    @action
    def function(sku: str) -> Any:
        return body()

    @action
    async def coroutine(sku: str) -> Any:
        return await _maybe_await(body())

    @action
    def generator(sku: str) -> Iterator[Any]:
        yield 1
        yield 2
        body()

    @action
    async def async_generator(sku: str) -> AsyncIterator[Any]:
        yield 1
        yield 2
        await _maybe_await(body())

    class Shop:
        @action
        def method(self, sku: str) -> Any:
            return body()

        @action
        @classmethod
        def class_method(cls, sku: str) -> Any:
            return body()

        @action
        @staticmethod
        def static_method(sku: str) -> Any:
            return body()

    def with_block() -> Any:
        with action as act:
            act.response = body()
            return act.response

    async def async_with_block() -> Any:
        async with action as act:
            act.response = await _maybe_await(body())
            return act.response

    async def consume_async_generator() -> list[Any]:
        return [item async for item in async_generator("sku-1")]

    runners: dict[str, Callable[[], Any]] = {
        "function": lambda: function("sku-1"),
        "coroutine": lambda: asyncio.run(coroutine("sku-1")),
        "generator": lambda: list(generator("sku-1")),
        "async_generator": lambda: asyncio.run(consume_async_generator()),
        "method": lambda: Shop().method("sku-1"),
        "classmethod": lambda: Shop.class_method("sku-1"),
        "staticmethod": lambda: Shop.static_method("sku-1"),
        "with_block": with_block,
        "async_with_block": lambda: asyncio.run(async_with_block()),
    }
    return runners[kind]


async def _maybe_await(value: Any) -> Any:
    if asyncio.iscoroutine(value):
        return await value
    return value


@pytest.mark.parametrize("kind", KINDS)
def test_a_successful_call_is_recorded_once_as_success(
    kind: str, recorder: Recorder, store: HistoryStore
) -> None:
    """A call that returns leaves one success record with timing and no error."""
    before = datetime.now(timezone.utc) - timedelta(milliseconds=1)
    result = make_call(kind, recorder, lambda: {"id": 7})()
    record = only_record(store)
    assert result == ([1, 2] if kind in GENERATOR_KINDS else {"id": 7})
    assert record.status is Status.SUCCESS
    assert record.error_message is None
    assert record.retry_count == 0
    assert record.execution_time is not None
    assert record.execution_time >= 0
    assert before <= record.created_at <= datetime.now(timezone.utc)
    assert record.integration_id == "shop-1"
    assert record.entity_id == "sku-1"
    assert store.writes == [("insert", "success")]


class BadPrice(Exception):
    """What the fake API raises."""


@pytest.mark.parametrize("kind", KINDS)
def test_a_failing_call_reraises_the_same_exception_with_its_traceback(
    kind: str, recorder: Recorder, store: HistoryStore
) -> None:
    """The very exception object propagates, its traceback still ending where it was raised."""
    raised: list[BaseException] = []

    def reject_price() -> Any:
        error = BadPrice("price must be positive")
        raised.append(error)
        raise error

    with pytest.raises(BadPrice) as caught:
        make_call(kind, recorder, reject_price)()
    assert caught.value is raised[0]
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert frames[-1].name == "reject_price"
    assert frames[-1].line == "raise error"
    record = only_record(store)
    assert record.status is Status.FAILED
    assert record.error_message == "BadPrice: price must be positive"


@pytest.mark.parametrize("kind", SYNC_KINDS)
@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
def test_an_interrupted_sync_call_is_recorded_failed_and_reraised(
    kind: str, stop: type[BaseException], recorder: Recorder, store: HistoryStore
) -> None:
    """KeyboardInterrupt and SystemExit are recorded as failed and still stop the program."""

    def interrupt() -> Any:
        raise stop

    with pytest.raises(stop):
        make_call(kind, recorder, interrupt)()
    record = only_record(store)
    assert record.status is Status.FAILED
    assert record.error_message == stop.__name__


@pytest.mark.parametrize("kind", ASYNC_KINDS)
def test_a_cancelled_async_call_is_recorded_failed_and_stays_cancelled(
    kind: str, recorder: Recorder, store: HistoryStore
) -> None:
    """Cancelling the task mid-call records failed/CancelledError and the task ends cancelled."""
    started = asyncio.Event()

    async def wait_forever() -> Any:
        started.set()
        await asyncio.Event().wait()

    async def cancel_it() -> None:
        task = asyncio.ensure_future(_call_async_kind(kind, recorder, wait_forever))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert task.cancelled()

    asyncio.run(cancel_it())
    record = only_record(store)
    assert record.status is Status.FAILED
    assert record.error_message == "CancelledError"


async def _call_async_kind(kind: str, rec: Recorder, body: Body) -> Any:
    action = rec.action("update", entity_type="product", entity_id="sku-1")
    if kind == "coroutine":

        @action
        async def coroutine() -> Any:
            return await body()

        return await coroutine()
    if kind == "async_generator":

        @action
        async def async_generator() -> AsyncIterator[Any]:
            yield await body()

        return [item async for item in async_generator()]
    async with action as act:
        act.response = await body()
        return act.response


@pytest.mark.parametrize("kind", GENERATOR_KINDS)
def test_a_generator_closed_early_is_a_success_with_the_items_yielded(
    kind: str, recorder: Recorder, store: HistoryStore
) -> None:
    """A consumer that stops after two items leaves a success record saying so."""
    cleaned_up: list[bool] = []
    action = recorder.action("sync", entity_type="order")

    @action
    def numbers() -> Generator[int, None, None]:
        try:
            yield from range(10)
        finally:
            cleaned_up.append(True)

    @action
    async def async_numbers() -> AsyncGenerator[int, None]:
        try:
            for number in range(10):
                yield number
        finally:
            cleaned_up.append(True)

    if kind == "generator":
        items = numbers()
        assert [next(items), next(items)] == [0, 1]
        items.close()
    else:

        async def take_two() -> None:
            items = async_numbers()
            assert [await items.__anext__(), await items.__anext__()] == [0, 1]
            await items.aclose()

        asyncio.run(take_two())
    assert cleaned_up == [True]
    record = only_record(store)
    assert record.status is Status.SUCCESS
    assert record.metadata == {"itemsYielded": 2, "closedEarly": True}


@pytest.mark.parametrize("kind", ["with_block", "async_with_block"])
def test_a_block_left_early_by_return_is_a_success(
    kind: str, recorder: Recorder, store: HistoryStore
) -> None:
    """Leaving a with block early (return inside it) records success with what was set."""
    action = recorder.action("webhook", entity_type="event")

    def leave() -> str:
        with action as act:
            act.response = {"seen": True}
            return "left"

    async def aleave() -> str:
        async with action as act:
            act.response = {"seen": True}
            return "left"

    assert (leave() if kind == "with_block" else asyncio.run(aleave())) == "left"
    record = only_record(store)
    assert record.status is Status.SUCCESS
    assert record.response == {"seen": True}


def test_generator_send_throw_and_close_pass_through(
    recorder: Recorder, store: HistoryStore
) -> None:
    """send() values reach the generator, throw() is handled by it, close() runs its finally."""
    log: list[str] = []

    @recorder.action("sync", entity_type="order")
    def echo() -> Generator[str, str, None]:
        received = "start"
        try:
            while True:
                try:
                    received = yield f"echo {received}"
                except ValueError as exc:
                    received = f"caught {exc}"
        finally:
            log.append("closed")

    items = echo()
    assert next(items) == "echo start"
    assert items.send("a") == "echo a"
    assert items.throw(ValueError("x")) == "echo caught x"
    items.close()
    assert log == ["closed"]
    assert only_record(store).metadata == {"itemsYielded": 3, "closedEarly": True}


def test_generator_return_value_passes_through(recorder: Recorder, store: HistoryStore) -> None:
    """A generator's return value reaches ``yield from`` and is the recorded response."""

    @recorder.action("sync", entity_type="order")
    def pages() -> Generator[int, None, dict[str, int]]:
        yield 1
        return {"pages": 1}

    def delegate() -> Iterator[int]:
        summary = yield from pages()
        assert summary == {"pages": 1}

    assert list(delegate()) == [1]
    record = only_record(store)
    assert record.response == {"pages": 1}
    assert record.metadata == {"itemsYielded": 1}


def test_async_generator_asend_athrow_and_aclose_pass_through(
    recorder: Recorder, store: HistoryStore
) -> None:
    """asend() values reach the async generator, athrow() is handled by it, aclose() ends it."""
    log: list[str] = []

    @recorder.action("sync", entity_type="order")
    async def echo() -> AsyncGenerator[str, Any]:
        received: Any = "start"
        try:
            while True:
                try:
                    received = yield f"echo {received}"
                except ValueError as exc:
                    received = f"caught {exc}"
        finally:
            log.append("closed")

    async def drive() -> None:
        items = echo()
        assert await items.__anext__() == "echo start"
        assert await items.asend("a") == "echo a"
        assert await items.athrow(ValueError("x")) == "echo caught x"
        await items.aclose()

    asyncio.run(drive())
    assert log == ["closed"]
    assert only_record(store).metadata == {"itemsYielded": 3, "closedEarly": True}


def test_an_exception_thrown_into_a_generator_and_not_caught_is_recorded(
    recorder: Recorder, store: HistoryStore
) -> None:
    """throw() of an exception the generator does not handle re-raises it and records failed."""

    @recorder.action("sync", entity_type="order")
    def numbers() -> Generator[int, None, None]:
        yield 1
        yield 2

    items = numbers()
    next(items)
    error = RuntimeError("consumer gave up")
    with pytest.raises(RuntimeError) as caught:
        items.throw(error)
    assert caught.value is error
    record = only_record(store)
    assert record.status is Status.FAILED
    assert record.error_message == "RuntimeError: consumer gave up"


def test_wrappers_keep_the_kind_name_and_docstring(recorder: Recorder) -> None:
    """Decorated callables stay coroutine/generator functions and keep name and docstring."""
    import inspect

    action = recorder.action("sync", entity_type="order")

    @action
    async def fetch() -> int:
        """Fetch."""
        return 1

    @action
    def pages() -> Iterator[int]:
        yield 1

    @action
    async def stream() -> AsyncIterator[int]:
        yield 1

    assert inspect.iscoroutinefunction(fetch)
    assert inspect.isgeneratorfunction(pages)
    assert inspect.isasyncgenfunction(stream)
    assert fetch.__name__ == "fetch"
    assert fetch.__doc__ == "Fetch."
    assert fetch.__wrapped__ is not None  # type: ignore[attr-defined]


def test_callable_objects_are_recorded_sync_or_async(
    recorder: Recorder, store: HistoryStore
) -> None:
    """An object with a __call__ is recorded; an async __call__ is awaited before recording."""

    class SyncClient:
        def __call__(self, sku: str) -> str:
            return f"sync {sku}"

    class AsyncClient:
        async def __call__(self, sku: str) -> str:
            return f"async {sku}"

    action = recorder.action("update", entity_type="product", entity_id="sku")
    sync_client = action(SyncClient())
    async_client = action(AsyncClient())
    assert sync_client("a") == "sync a"
    assert asyncio.run(async_client("b")) == "async b"
    responses = sorted(str(r.response) for r in store.list().data)
    assert responses == ["{'value': 'async b'}", "{'value': 'sync a'}"]
