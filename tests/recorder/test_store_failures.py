"""A failing store never changes the call: exactly once, warned, counted; or raised on request."""

from __future__ import annotations

import asyncio
import logging

import pytest

from actionlogkit import Recorder, StoreError
from tests.recorder._stores import FailingStore


@pytest.mark.parametrize("mode", ["sync", "background"])
def test_a_failing_store_never_reaches_the_caller_and_the_call_runs_once(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Every write fails: each call still runs exactly once and returns; failures are counted."""
    store = FailingStore()
    calls: list[str] = []
    with Recorder(store, mode=mode) as rec:  # type: ignore[arg-type]

        @rec.action("update", entity_type="product", record_pending=True, retries=1, backoff=0)
        def push(sku: str) -> str:
            calls.append(sku)
            return sku

        @rec.action("update", entity_type="product")
        async def apush(sku: str) -> str:
            calls.append(sku)
            return sku

        with caplog.at_level(logging.WARNING, logger="actionlogkit"):
            assert [push(f"sku-{n}") for n in range(5)] == [f"sku-{n}" for n in range(5)]
            assert asyncio.run(apush("async")) == "async"
            rec.flush()
        stats = rec.stats
    assert calls == [*(f"sku-{n}" for n in range(5)), "async"]
    assert store.attempts > 0
    assert stats.failed >= 6
    assert stats.recorded == 0
    warnings = [r for r in caplog.records if r.name == "actionlogkit"]
    assert warnings
    assert "disk full" in warnings[0].getMessage()


def test_warnings_are_rate_limited_and_carry_the_true_counts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A hundred failed writes log two lines, not a hundred: "1 record" at once, 99 at close."""
    with Recorder(FailingStore()) as rec:

        @rec.action("update", entity_type="product")
        def push() -> None:
            return None

        with caplog.at_level(logging.WARNING, logger="actionlogkit"):
            for _ in range(100):
                push()
            assert rec.stats.failed == 100
            lines = [r.getMessage() for r in caplog.records if r.name == "actionlogkit"]
            assert len(lines) == 1
            assert lines[0].startswith("actionlogkit: 1 record could not be written to Failing")
    lines = [r.getMessage() for r in caplog.records if r.name == "actionlogkit"]
    assert len(lines) == 2
    assert lines[1].startswith("actionlogkit: 99 records could not be written to FailingStore")
    assert "disk full" in lines[1]


def test_raise_mode_raises_the_store_error_after_the_call_ran_once() -> None:
    """on_store_error='raise' (for tests): the call ran once, then the store failure is raised."""
    calls: list[int] = []
    with Recorder(FailingStore(), on_store_error="raise") as rec:

        @rec.action("update", entity_type="product")
        def push() -> None:
            calls.append(1)

        with pytest.raises(StoreError, match="disk full"):
            push()
    assert calls == [1]


def test_raise_mode_keeps_the_calls_own_exception_first() -> None:
    """When the call itself failed, its exception propagates, not the store's."""
    with Recorder(FailingStore(), on_store_error="raise") as rec:

        @rec.action("update", entity_type="product")
        def push() -> None:
            raise ValueError("HTTP 422")

        with pytest.raises(ValueError, match="422"):
            push()
        with pytest.raises(StoreError, match="disk full"):
            rec.flush()


def test_raise_mode_in_background_raises_on_flush() -> None:
    """Background writes cannot raise in the caller: flush() raises the failure instead."""
    rec = Recorder(FailingStore(), mode="background", on_store_error="raise")

    @rec.action("update", entity_type="product")
    def push() -> None:
        return None

    push()
    with pytest.raises(StoreError, match="disk full"):
        rec.flush()
    rec.close()


def test_a_closed_recorder_still_runs_calls_and_counts_them_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After close() the decorated function still works; its records are dropped and counted."""
    rec = Recorder("memory://", mode="background")

    @rec.action("update", entity_type="product")
    def push(n: int) -> int:
        return n

    rec.close()
    with caplog.at_level(logging.WARNING, logger="actionlogkit"):
        assert push(3) == 3
    assert rec.stats.dropped == 1
    assert rec.store.closed
    assert "closed" in caplog.text


def test_a_recorder_opened_from_a_url_closes_its_store_but_not_a_given_one() -> None:
    """Stores the recorder opened are closed with it; stores it was given stay open."""
    given = FailingStore()
    with Recorder(given) as rec_given, Recorder("memory://") as rec_url:
        pass
    assert rec_url.store.closed
    assert not given.closed
    assert rec_given.closed


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"mode": "eventually"}, "mode"),
        ({"on_store_error": "ignore"}, "on_store_error"),
        ({"max_field_bytes": 10}, "max_field_bytes"),
        ({"max_queue": 0}, "max_queue"),
        ({"batch_size": True}, "batch_size"),
        ({"redact": "password"}, "redact"),
        ({"integration_id": ""}, "integration_id"),
        ({"atexit_timeout": -1}, "atexit_timeout"),
    ],
)
def test_bad_recorder_options_name_the_option(options: dict[str, object], field: str) -> None:
    """Each bad Recorder option raises ConfigurationError naming it."""
    from actionlogkit import ConfigurationError

    with pytest.raises(ConfigurationError, match=field):
        Recorder("memory://", **options)  # type: ignore[arg-type]
