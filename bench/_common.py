"""What the SQL benchmarks share: realistic records, raw rows of them, timing and printing."""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

INTEGRATIONS = [f"shop-{n:02d}" for n in range(20)]
STATUSES = ["success"] * 14 + ["failed"] * 3 + ["retrying"] * 2 + ["pending"]
ACTIONS = ["create", "update", "delete", "sync", "webhook"]
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
COLUMNS = (
    "id, integration_id, action_type, entity_type, entity_id, status, payload, response, "
    "error_message, retry_count, execution_time, metadata, created_at, updated_at, search_key"
)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MILLISECOND = timedelta(milliseconds=1)


def realistic_body(rng: random.Random, *, large: bool = True) -> dict[str, Any]:
    """A create body like a shop integration writes; payload and response about 1 KB together."""
    status = rng.choice(STATUSES)
    sku = f"SKU-{rng.randrange(10**6):06d}"
    payload: dict[str, Any] = {
        "sku": sku,
        "title": f"Product {sku} in colour {rng.choice(['red', 'blue', 'green'])}",
        "price": round(rng.uniform(1, 500), 2),
        "currency": "EUR",
        "stock": rng.randrange(0, 1000),
        "active": rng.random() < 0.9,
        "tags": rng.sample(["new", "sale", "summer", "outlet", "bundle", "gift"], 3),
    }
    response: dict[str, Any] = {"status": 500 if status == "failed" else 200}
    if large:
        payload["description"] = " ".join(
            rng.choice(["soft", "durable", "cotton", "organic", "classic", "slim", "warm"])
            for _ in range(45)
        )
        payload["variants"] = [
            {"sku": f"{sku}-{size}", "size": size, "price": payload["price"], "stock": n}
            for n, size in enumerate(["S", "M", "L"])
        ]
        response["headers"] = {
            "content-type": "application/json",
            "x-request-id": os.urandom(8).hex(),
            "x-ratelimit-remaining": str(rng.randrange(100)),
        }
        response["body"] = {"id": rng.randrange(10**9), "updated": True, "warnings": []}
    return {
        "integrationId": rng.choice(INTEGRATIONS),
        "actionType": rng.choice(ACTIONS),
        "entityType": "product",
        "entityId": sku,
        "status": status,
        "payload": payload,
        "response": response,
        "errorMessage": "Timeout while calling the shop API" if status == "failed" else None,
        "retryCount": rng.randrange(4) if status != "success" else 0,
        "executionTime": round(rng.uniform(20, 3000), 1),
        "metadata": {"worker": f"w-{rng.randrange(8)}", "attempt": 1},
    }


def bodies(count: int, *, seed: int = 7, large: bool = True) -> list[dict[str, Any]]:
    """``count`` realistic create bodies, the same for the same seed."""
    rng = random.Random(seed)
    return [realistic_body(rng, large=large) for _ in range(count)]


def new_id() -> str:
    """A 24-hex-digit id, as a hand-written logger would make one."""
    return os.urandom(12).hex()


def raw_row(body: dict[str, Any], *, postgresql: bool) -> tuple[Any, ...]:
    """The row a hand-written logger inserts for ``body``: the same columns, the same JSON."""
    now = datetime.now(timezone.utc)
    now = now.replace(microsecond=now.microsecond - now.microsecond % 1000)
    stamp: Any = now if postgresql else (now - EPOCH) // MILLISECOND
    folded = "\x00".join(
        (
            body["integrationId"].casefold(),
            body["entityType"].casefold(),
            (body.get("entityId") or "").casefold(),
            (body.get("errorMessage") or "").casefold(),
        )
    )
    dumps = json.dumps
    return (
        new_id(),
        body["integrationId"],
        body["actionType"],
        body["entityType"],
        body.get("entityId"),
        body["status"],
        dumps(body["payload"], ensure_ascii=False, separators=(",", ":")),
        dumps(body["response"], ensure_ascii=False, separators=(",", ":")),
        body.get("errorMessage"),
        body.get("retryCount", 0),
        body.get("executionTime"),
        dumps(body["metadata"], ensure_ascii=False, separators=(",", ":")),
        stamp,
        stamp,
        folded.encode(),
    )


def json_size(body: dict[str, Any]) -> int:
    """Bytes of payload and response JSON together."""
    return len(json.dumps(body["payload"])) + len(json.dumps(body["response"]))


def timed(work: Callable[[], object]) -> float:
    """Seconds ``work`` takes."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def p50_ms(work: Callable[[], object], runs: int) -> float:
    """The median of ``runs`` timings of ``work``, in milliseconds, after two warm-up runs."""
    for _ in range(2):
        work()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def load_recent(store: Any, records: int, *, days: int = 90, batch: int = 10_000) -> bool:
    """Fill ``store`` with ``records`` small realistic records spread over the last ``days``.

    ``createdAt`` is uniform over the days before now, so the last 24 hours hold about
    ``records / days`` of them. Returns whether it loaded (a store already holding exactly
    ``records`` records is kept as it is).
    """
    if store.count() == records:
        return False
    store.delete_many({})
    rng = random.Random(23)
    end = datetime.now(timezone.utc)
    span = int(timedelta(days=days).total_seconds() * 1000)
    for first in range(0, records, batch):
        chunk = bodies(min(batch, records - first), seed=first, large=False)
        stamps = [end - timedelta(milliseconds=rng.randrange(span)) for _ in chunk]
        store.create_many(chunk, created_at=stamps)
    return True
