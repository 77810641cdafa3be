"""The recorder and its demo on the embedded default store, SQLite."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from actionlogkit import ActionLog, Recorder, Status, open_store
from actionlogkit_sql import SQLStore


def test_the_demo_writes_to_actionlogs_db_in_the_current_directory(tmp_path: Path) -> None:
    """With no --store the demo records into ./actionlogs.db and reports from it."""
    result = subprocess.run(
        [sys.executable, "-m", "actionlogkit.cli", "demo", "--seed", "5"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "into sqlite:///actionlogs.db" in result.stdout
    assert "Failures per integration" in result.stdout
    with open_store(f"sqlite:///{tmp_path / 'actionlogs.db'}") as store:
        assert store.count() > 40
        assert store.count({"status": "failed", "integrationId": "acme-shop"}) > 0
        raw = "".join(log.model_dump_json() for log in store.list(limit=100).data)
    assert "sk_live_" not in raw


def test_two_demo_runs_into_one_file_stay_apart(tmp_path: Path) -> None:
    """Each run reports only its own records, told apart by metadata.run."""
    outputs = []
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "actionlogkit.cli", "demo", "--products", "6"],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout.split("Failures per integration", 1)[1].split("\n\n")[0])
    assert outputs[0] == outputs[1]


def test_background_recording_from_threads_and_tasks_into_sqlite(tmp_path: Path) -> None:
    """Threads and coroutines record into one SQLite file; flush leaves every record stored."""
    url = f"sqlite:///{tmp_path / 'logs.db'}"
    rec = Recorder(url, integration_id="shop-1", mode="background", on_store_error="raise")

    @rec.action("update", entity_type="product", entity_id="sku")
    def push(sku: str) -> dict[str, str]:
        return {"sku": sku}

    @rec.action("sync", entity_type="order", entity_id="page")
    async def sync(page: int) -> list[int]:
        await asyncio.sleep(0)
        return [page]

    threads = [
        threading.Thread(target=lambda t=t: [push(f"sku-{t}-{n}") for n in range(500)])
        for t in range(4)
    ]
    for thread in threads:
        thread.start()

    async def pages() -> None:
        await asyncio.gather(*(sync(page) for page in range(200)))

    asyncio.run(pages())
    for thread in threads:
        thread.join()
    rec.flush()
    assert rec.store.count({"entityType": "product"}) == 2000
    assert rec.store.count({"entityType": "order", "status": "success"}) == 200
    record = rec.store.list({"entityId": "sku-3-499"}).data[0]
    assert record.status is Status.SUCCESS
    assert record.response == {"sku": "sku-3-499"}
    rec.close()


def test_a_subclass_wrapping_insert_sees_the_recorders_writes(tmp_path: Path) -> None:
    """A SQLStore subclass wrapping _insert sees every record the recorder writes, in both modes."""
    seen: list[str] = []

    class CountingStore(SQLStore):
        def _insert(self, records: Sequence[ActionLog]) -> None:
            seen.extend(record.entity_id or "" for record in records)
            super()._insert(records)

    store = CountingStore(f"sqlite:///{tmp_path / 'counted.db'}")
    for mode in ("sync", "background"):
        with Recorder(store, mode=mode) as rec:
            push = rec.action("update", entity_type="product", entity_id="sku")(lambda sku: sku)
            for n in range(3):
                push(f"{mode}-{n}")
    assert seen == [f"{mode}-{n}" for mode in ("sync", "background") for n in range(3)]
    assert store.count() == 6
    store.close()
