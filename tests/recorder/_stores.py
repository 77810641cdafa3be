"""Real stores for the recorder's tests: a MemoryStore made to remember, fail, stall or crawl."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from actionlogkit import MemoryStore, StoreTimeout
from actionlogkit.models import ActionLog


class HistoryStore(MemoryStore):
    """A MemoryStore that also keeps, in order, the status of every record written."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[tuple[str, str]] = []
        self.batches: list[int] = []
        self.threads: set[int] = set()

    def _insert(self, records: Sequence[ActionLog]) -> None:
        self.threads.add(threading.get_ident())
        self.batches.append(len(records))
        self.writes.extend(("insert", record.status.value) for record in records)
        super()._insert(records)

    def _replace(self, record: ActionLog) -> bool:
        self.threads.add(threading.get_ident())
        self.writes.append(("replace", record.status.value))
        return super()._replace(record)


class FailingStore(MemoryStore):
    """A MemoryStore whose every write fails, as a full disk or a dropped connection would."""

    def __init__(self) -> None:
        super().__init__()
        self.attempts = 0

    def _insert(self, records: Sequence[ActionLog]) -> None:
        self.attempts += 1
        raise OSError("disk full")

    def _replace(self, record: ActionLog) -> bool:
        self.attempts += 1
        raise OSError("disk full")


class SlowStore(HistoryStore):
    """A MemoryStore whose writes each take ``delay`` seconds, like a slow network round trip."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    def _insert(self, records: Sequence[ActionLog]) -> None:
        time.sleep(self.delay)
        super()._insert(records)


class GatedStore(MemoryStore):
    """A MemoryStore whose writes wait until the gate opens: a store that has stopped answering."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.entered = threading.Event()

    def _insert(self, records: Sequence[ActionLog]) -> None:
        self.entered.set()
        self.gate.wait(30)
        super()._insert(records)


def only_record(store: MemoryStore) -> ActionLog:
    """The single record in ``store``; fails if there is not exactly one."""
    page = store.list(limit=100)
    assert page.total == 1, [r.model_dump(by_alias=True) for r in page.data]
    return page.data[0]


class PipelineStore(MemoryStore):
    """A MemoryStore that counts the batches prepared for it, and whose inserts wait for a gate."""

    def __init__(self) -> None:
        super().__init__()
        self.prepared = 0
        self.gate = threading.Event()
        self.writing = threading.Event()

    def _prepare_insert(self, records: Sequence[ActionLog]) -> Sequence[ActionLog]:
        self.prepared += 1
        return super()._prepare_insert(records)

    def _insert(self, records: Sequence[ActionLog]) -> None:
        self.writing.set()
        self.gate.wait(30)
        super()._insert(records)


class DeadlineGatedStore(MemoryStore):
    """A stalled store that, like a real backend, gives up at the deadline of the write.

    Its writes wait for the gate for as long as the caller's deadline allows, then raise.
    """

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.gave_up = 0

    def _insert(self, records: Sequence[ActionLog]) -> None:
        self.entered.set()
        left = self._seconds_left()
        if not self.gate.wait(30 if left is None else max(left, 0)):
            self.gave_up += 1
            raise TimeoutError("no answer from the storage")
        super()._insert(records)


class FlakyStore(HistoryStore):
    """A MemoryStore whose first ``failures`` inserts fail, like a dropped connection."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures
        self.attempts = 0

    def _insert(self, records: Sequence[ActionLog]) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise ConnectionError("connection reset by peer")
        super()._insert(records)


class SwitchableStore(HistoryStore):
    """A MemoryStore whose writes fail while ``failing`` is set, stall while ``stall`` is not."""

    def __init__(self) -> None:
        super().__init__()
        self.failing = threading.Event()
        self.stall = threading.Event()
        self.stall.set()

    def _insert(self, records: Sequence[ActionLog]) -> None:
        self.stall.wait(30)
        if self.failing.is_set():
            raise ConnectionError("connection refused")
        super()._insert(records)


class LostAnswerStore(HistoryStore):
    """A store whose first ``losses`` inserts are stored, but answered too late: in doubt.

    As a database that committed while the client's deadline passed: the caller sees a timeout
    that says the write may have been stored.
    """

    def __init__(self, losses: int) -> None:
        super().__init__()
        self.losses = losses

    def _insert(self, records: Sequence[ActionLog]) -> None:
        super()._insert(records)
        if self.losses:
            self.losses -= 1
            raise StoreTimeout("the commit's answer did not come in time", in_doubt=True)
