"""Decorated callables keep their signatures for type checkers (checked by mypy over tests/).

The ``assert_type`` lines are checked statically by ``mypy --strict``; the ``type: ignore``
lines prove that wrong calls are still caught (with ``warn_unused_ignores`` an ignore that is
not needed, because the signature was lost, is itself an error). At run time the calls run.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from typing_extensions import assert_type

from actionlogkit import (
    Action,
    ActionOptions,
    ActionSpec,
    ConfigurationError,
    Recorder,
    action,
)


def test_signatures_survive_decoration(recorder: Recorder) -> None:
    """Plain, async, generator and method signatures are what the type checker sees."""
    spec = recorder.action("update", entity_type="product")
    assert_type(spec, ActionSpec)

    @spec
    def push(sku: str, price: float = 1.0) -> dict[str, float]:
        return {sku: price}

    @spec
    async def fetch(sku: str) -> int:
        return len(sku)

    @spec
    def pages(count: int) -> Iterator[int]:
        yield from range(count)

    @spec
    async def stream(count: int) -> AsyncIterator[int]:
        for n in range(count):
            yield n

    class Client:
        @spec
        def send(self, body: bytes) -> int:
            return len(body)

        @spec
        @classmethod
        def build(cls, name: str) -> str:
            return name

        @spec
        @staticmethod
        def version() -> str:
            return "v1"

    assert_type(push("sku-1"), dict[str, float])
    coroutine: Coroutine[Any, Any, int] = fetch("a")
    _ = assert_type(coroutine, Coroutine[Any, Any, int])
    coroutine.close()
    assert_type(pages(2), Iterator[int])
    assert_type(stream(2), AsyncIterator[int])
    assert_type(Client().send(b"x"), int)
    assert_type(Client.build("x"), str)
    assert_type(Client.version(), str)
    if TYPE_CHECKING:  # wrong calls: the checker must still reject them
        push(1)  # type: ignore[arg-type]
        push("sku-1", 1.0, 2)  # type: ignore[call-arg]
        Client().send("not bytes")  # type: ignore[arg-type]
    assert asyncio.run(fetch("abc")) == 3
    assert list(pages(2)) == [0, 1]


def test_the_block_handle_and_module_level_action_are_typed(recorder: Recorder) -> None:
    """with/async with give an Action; actionlogkit.action returns an ActionSpec."""
    assert_type(action("sync", entity_type="order"), ActionSpec)
    with recorder.action("webhook", entity_type="event") as act:
        assert_type(act, Action)
        act.fail("HTTP 422")
        act.entity_id = "e-1"
        act.metadata["attempt"] = 1

    async def block() -> None:
        async with recorder.action("webhook", entity_type="event") as handle:
            assert_type(handle, Action)

    asyncio.run(block())


def test_the_three_entry_points_take_the_options_of_one_definition(recorder: Recorder) -> None:
    """action(), Recorder.action and ActionOptions show one signature, to checkers and help()."""
    options = inspect.signature(ActionOptions).parameters
    assert inspect.signature(action).parameters == options
    assert inspect.signature(recorder.action).parameters == options
    documented = inspect.getdoc(action) or ""
    assert all(f"{name}:" in documented for name in options)
    if TYPE_CHECKING:  # the checker sees the same parameters through every entry point
        action("sync", entity_typo="order")  # type: ignore[call-arg]
        recorder.action("sync", entity_type=1)  # type: ignore[arg-type]
        ActionOptions("sync", entity_type="order", retries="2")  # type: ignore[arg-type]


def test_a_bad_option_is_refused_the_same_way_everywhere(recorder: Recorder) -> None:
    """Each entry point raises the same ConfigurationError naming the option."""
    for make in (action, recorder.action, ActionOptions):
        with pytest.raises(ConfigurationError, match=r"^retries:"):
            make("sync", entity_type="order", retries=-1)
