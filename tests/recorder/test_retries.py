"""Retries: one record per logical call, its retry count, and the pending/retrying states."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

import pytest

from actionlogkit import Recorder, Status
from tests.recorder._stores import HistoryStore, only_record


class Flaky:
    """Fails the first ``failures`` calls per key with a transient error, then succeeds."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, key: str) -> dict[str, str]:
        with self._lock:
            self.calls[key] += 1
            attempt = self.calls[key]
        if attempt <= self.failures:
            raise TimeoutError(f"{key}: attempt {attempt} timed out")
        return {"key": key}


def test_a_call_that_succeeds_on_retry_leaves_one_record_with_its_retry_count(
    recorder: Recorder, store: HistoryStore
) -> None:
    """Two failed attempts then a success: one success record, retryCount 2, one write."""
    flaky = Flaky(failures=2)
    push = recorder.action("update", entity_type="product", retries=3, backoff=0)(flaky)
    assert push("sku-1") == {"key": "sku-1"}
    record = only_record(store)
    assert record.status is Status.SUCCESS
    assert record.retry_count == 2
    assert record.error_message is None
    assert flaky.calls["sku-1"] == 3
    assert store.writes == [("insert", "success")]


def test_a_call_that_never_succeeds_records_the_last_error_after_all_attempts(
    recorder: Recorder, store: HistoryStore
) -> None:
    """Every attempt fails: the last exception propagates and retryCount = attempts - 1."""
    flaky = Flaky(failures=10)
    push = recorder.action("update", entity_type="product", retries=2, backoff=0)(flaky)
    with pytest.raises(TimeoutError, match="attempt 3"):
        push("sku-1")
    record = only_record(store)
    assert record.status is Status.FAILED
    assert record.retry_count == 2
    assert record.error_message == "TimeoutError: sku-1: attempt 3 timed out"
    assert flaky.calls["sku-1"] == 3


def test_record_pending_goes_pending_retrying_then_final(
    recorder: Recorder, store: HistoryStore
) -> None:
    """With record_pending the one record is created pending, updated retrying, then success."""
    flaky = Flaky(failures=2)
    push = recorder.action(
        "update", entity_type="product", retries=2, backoff=0, record_pending=True
    )(flaky)
    push("sku-1")
    assert store.writes == [
        ("insert", "pending"),
        ("replace", "retrying"),
        ("replace", "retrying"),
        ("replace", "success"),
    ]
    record = only_record(store)
    assert record.retry_count == 2
    assert record.error_message is None


def test_a_retrying_record_carries_the_last_error(recorder: Recorder, store: HistoryStore) -> None:
    """Between attempts the record says retrying, with the error of the attempt that failed."""
    seen: list[tuple[str, str | None, int]] = []

    def observe(retry: int) -> float:
        record = only_record(store)
        seen.append((record.status.value, record.error_message, record.retry_count))
        return 0.0

    push = recorder.action(
        "update", entity_type="product", retries=1, backoff=observe, record_pending=True
    )(Flaky(failures=1))
    push("sku-1")
    assert seen == [("retrying", "TimeoutError: sku-1: attempt 1 timed out", 1)]


def test_only_the_listed_exceptions_are_retried(recorder: Recorder, store: HistoryStore) -> None:
    """retry_on limits retries to some exception classes, or to what a predicate accepts."""
    calls: list[str] = []

    @recorder.action("update", entity_type="product", retries=3, backoff=0, retry_on=TimeoutError)
    def rejected() -> None:
        calls.append("rejected")
        raise ValueError("HTTP 422")

    @recorder.action(
        "update",
        entity_type="product",
        retries=3,
        backoff=0,
        retry_on=lambda exc: "503" in str(exc),
    )
    def unavailable() -> None:
        calls.append("unavailable")
        raise ConnectionError("HTTP 503")

    with pytest.raises(ValueError, match="422"):
        rejected()
    with pytest.raises(ConnectionError):
        unavailable()
    assert calls.count("rejected") == 1
    assert calls.count("unavailable") == 4


def test_cancellation_and_interrupts_are_never_retried(
    recorder: Recorder, store: HistoryStore
) -> None:
    """Even with retry_on=BaseException, KeyboardInterrupt and CancelledError end the call."""
    attempts: list[int] = []

    @recorder.action("sync", entity_type="order", retries=5, backoff=0, retry_on=BaseException)
    def interrupted() -> None:
        attempts.append(1)
        raise KeyboardInterrupt

    @recorder.action("sync", entity_type="order", retries=5, backoff=0, retry_on=BaseException)
    async def cancelled() -> None:
        attempts.append(2)
        raise asyncio.CancelledError

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancelled())
    assert attempts == [1, 2]
    assert {r.retry_count for r in store.list().data} == {0}


def test_backoff_waits_grow_exponentially_or_as_the_function_says(recorder: Recorder) -> None:
    """A number b waits b, 2b, 4b…; a callable is given the retry number."""
    doubling = recorder.action("sync", entity_type="order", retries=3, backoff=0.5)
    custom = recorder.action("sync", entity_type="order", retries=3, backoff=lambda n: n / 10)
    assert [doubling.options.retry.delay(n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert [custom.options.retry.delay(n) for n in (1, 2, 3)] == [0.1, 0.2, 0.3]


def test_concurrent_threads_keep_their_own_retry_state(
    recorder: Recorder, store: HistoryStore
) -> None:
    """Calls in 8 threads, each failing a different number of times, count their own retries."""
    failures = {f"sku-{n}": n % 4 for n in range(8)}
    counts: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    @recorder.action(
        "update", entity_type="product", entity_id="sku", retries=5, backoff=0.001,
        record_pending=True,
    )  # fmt: skip
    def push(sku: str) -> str:
        with lock:
            counts[sku] += 1
            attempt = counts[sku]
        if attempt <= failures[sku]:
            raise TimeoutError(sku)
        return sku

    def run(sku: str) -> None:
        barrier.wait()
        push(sku)

    threads = [threading.Thread(target=run, args=(sku,)) for sku in failures]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recorded = {r.entity_id: r.retry_count for r in store.list().data}
    assert recorded == failures
    assert {r.status for r in store.list().data} == {Status.SUCCESS}


def test_concurrent_tasks_keep_their_own_retry_state(
    recorder: Recorder, store: HistoryStore
) -> None:
    """Interleaved coroutines, each failing a different number of times, count their own."""
    failures = {f"sku-{n}": n % 4 for n in range(8)}
    counts: Counter[str] = Counter()

    @recorder.action(
        "update", entity_type="product", entity_id="sku", retries=5, backoff=0.001,
        record_pending=True,
    )  # fmt: skip
    async def push(sku: str) -> str:
        counts[sku] += 1
        attempt = counts[sku]
        await asyncio.sleep(0)
        if attempt <= failures[sku]:
            raise TimeoutError(sku)
        return sku

    async def run_all() -> list[Any]:
        return await asyncio.gather(*(push(sku) for sku in failures))

    assert asyncio.run(run_all()) == list(failures)
    recorded = {r.entity_id: r.retry_count for r in store.list().data}
    assert recorded == failures
