"""Ingest on MongoDB: ``MongoStore.create_many`` against the driver's raw ``insert_many``.

Both sides write the same documents (the same fields, subdocuments, dates and hidden search field)
into fresh collections with the same indexes on the same server, in one ordered ``insert_many``
each. The store's side starts from create bodies (wire-name dicts) and so also pays for what it
adds: validation, ids, timestamps, search text and document building. The raw side starts from
documents built beforehand. The sides alternate for ``--rounds`` rounds and each side's median
counts, so that load from elsewhere on the machine falls on both; the ratio is the store's
throughput over the raw driver's.

The server is ``--url`` (or ``$ACTIONLOGKIT_TEST_MONGODB_URL``), a MongoDB kept for tests: the
benchmark creates and drops collections named ``bench_*`` in the URL's database. Without one, an
nx-27017 wire-protocol server (SQLite in memory) is started on a free 127.0.0.1 port and stopped
at the end; its figures say little about MongoDB itself.

    uv run python bench/mongo_ingest.py [--records 100000] [--rounds 3] [--url mongodb://…/db]
    uv run python bench/mongo_ingest.py --client-side   # the store's own work, no server
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bson import BSON
from pymongo import ASCENDING, MongoClient
from pymongo.errors import PyMongoError

from actionlogkit import ActionLog, ActionLogInput, MemoryStore, _ids, _time
from actionlogkit._inputs import validate_input
from actionlogkit.models import build_record
from actionlogkit_mongo import INDEXES, MongoStore
from actionlogkit_mongo._documents import to_document

ENV_VAR = "ACTIONLOGKIT_TEST_MONGODB_URL"
INTEGRATIONS = [f"shop-{n:02d}" for n in range(25)]
STATUSES = ["success"] * 15 + ["failed"] * 3 + ["retrying", "pending"]
ACTIONS = ["create", "update", "delete", "sync", "webhook"]
WORDS = ["soft", "durable", "cotton", "linen", "classic", "slim", "warm", "organic", "navy"]
START = datetime(2024, 3, 1, tzinfo=timezone.utc)


def body(rng: random.Random) -> dict[str, Any]:
    """A create body such as a shop integration writes: payload and response about 1 KB of JSON."""
    status = rng.choice(STATUSES)
    sku = f"SKU-{rng.randrange(10**6):06d}"
    price = round(rng.uniform(2, 400), 2)
    payload = {
        "sku": sku,
        "title": f"{rng.choice(WORDS).title()} shirt {sku}",
        "description": " ".join(rng.choice(WORDS) for _ in range(40)),
        "price": price,
        "currency": "EUR",
        "stock": rng.randrange(500),
        "active": rng.random() < 0.9,
        "tags": rng.sample(["new", "sale", "summer", "outlet", "gift", "bundle"], 3),
        "variants": [
            {"sku": f"{sku}-{size}", "size": size, "price": price, "stock": rng.randrange(50)}
            for size in ("S", "M", "L")
        ],
    }
    response: dict[str, Any] = {
        "status": 502 if status == "failed" else 200,
        "headers": {"content-type": "application/json", "x-request-id": uuid.uuid4().hex},
        "body": {"id": rng.randrange(10**9), "updated": status == "success", "warnings": []},
    }
    record: dict[str, Any] = {
        "integrationId": rng.choice(INTEGRATIONS),
        "actionType": rng.choice(ACTIONS),
        "entityType": "product",
        "entityId": sku,
        "status": status,
        "payload": payload,
        "response": response,
        "retryCount": rng.randrange(3) if status != "success" else 0,
        "executionTime": round(rng.uniform(20, 2500), 1),
        "metadata": {"requestId": uuid.uuid4().hex, "worker": f"w{rng.randrange(8)}"},
    }
    if status == "failed":
        record["errorMessage"] = f"HTTP 502 from {record['integrationId']}: upstream timeout"
    return record


def stamps(count: int) -> list[datetime]:
    """When the actions happened: one every 7 ms, as a busy integration logs them."""
    return [START + timedelta(milliseconds=7 * n) for n in range(count)]


def raw_documents(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The documents MongoStore writes for ``bodies``, built outside the timed part."""
    built = MemoryStore().create_many(bodies, created_at=stamps(len(bodies)))
    return [to_document(record) for record in built]


def measure(work: Callable[[], object]) -> float:
    """Seconds ``work`` takes, starting from a collected heap."""
    gc.collect()
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def nx_27017() -> Iterator[str]:
    """An nx-27017 server on a free local port, for the run; yields its URL."""
    script = Path(sys.executable).with_name("nx-27017")
    command = str(script) if script.exists() else shutil.which("nx-27017")
    if not command:
        sys.exit("no --url given and nx-27017 is not installed (uv sync installs it)")
    port = _free_port()
    with tempfile.TemporaryDirectory() as workdir:
        args = [command, "--db", "memory", "--host", "127.0.0.1", "-p", str(port)]
        args += ["--log-file", f"{workdir}/nx.log", "--pid-file", f"{workdir}/nx.pid"]
        process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir
        )
        url = f"mongodb://127.0.0.1:{port}/actionlogkit_bench"
        try:
            client: MongoClient[dict[str, Any]] = MongoClient(url, serverSelectionTimeoutMS=500)
            with client:
                for _ in range(100):
                    try:
                        client.admin.command("ping")
                        break
                    except PyMongoError:
                        time.sleep(0.1)
                else:
                    sys.exit("nx-27017 did not start")
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def one_round(
    client: MongoClient[dict[str, Any]],
    database: str,
    bodies: list[dict[str, Any]],
    documents: list[dict[str, Any]],
) -> tuple[float, float]:
    """Seconds for the store's create_many, then for the raw insert_many, of everything."""
    suffix = uuid.uuid4().hex[:8]
    store_name, raw_name = f"bench_store_{suffix}", f"bench_raw_{suffix}"
    db = client[database]
    try:
        store = MongoStore(client, database=database, collection=store_name)
        created_at = stamps(len(bodies))
        store_seconds = measure(lambda: store.create_many(bodies, created_at=created_at))
        assert store.count() == len(bodies)

        raw = db[raw_name]
        for keys in INDEXES:
            raw.create_index([(key, ASCENDING) for key in keys])
        copies = [dict(document) for document in documents]  # insert_many may add keys
        raw_seconds = measure(lambda: raw.insert_many(copies, ordered=True))
        assert raw.count_documents({}) == len(documents)
        return store_seconds, raw_seconds
    finally:
        db.drop_collection(store_name)
        db.drop_collection(raw_name)


def run(url: str, records: int, rounds: int, where: str) -> None:
    """Measure and print the figures."""
    rng = random.Random(20240301)
    bodies = [body(rng) for _ in range(records)]
    documents = raw_documents(bodies)
    sizes = [len(BSON.encode(d)) for d in documents[:1000]]
    client: MongoClient[dict[str, Any]] = MongoClient(url, serverSelectionTimeoutMS=5000)
    with client:
        database = client.get_default_database(default="actionlogkit_bench").name
        info = client.server_info()
        results = [one_round(client, database, bodies, documents) for _ in range(rounds)]
    store_seconds = statistics.median(r[0] for r in results)
    raw_seconds = statistics.median(r[1] for r in results)
    print(f"server: {where} (reports version {info.get('version', '?')})")
    print(f"records: {records:,}, mean BSON document {statistics.mean(sizes):,.0f} bytes")
    print(f"rounds: {rounds}, median seconds per side")
    print(f"  raw insert_many        {raw_seconds:8.2f} s  {records / raw_seconds:10,.0f} rec/s")
    print(
        f"  MongoStore.create_many {store_seconds:8.2f} s  {records / store_seconds:10,.0f} rec/s"
    )
    print(f"ratio (store throughput / raw throughput): {raw_seconds / store_seconds:.2f}x")


def client_side(records: int) -> None:
    """Print where the store's own time goes before anything is sent, per record."""
    rng = random.Random(20240301)
    bodies = [body(rng) for _ in range(records)]
    created_at = stamps(records)
    written_at = _time.now()
    inputs: list[ActionLogInput] = []
    built: list[ActionLog] = []
    documents: list[dict[str, Any]] = []
    steps: list[tuple[str, Callable[[], object]]] = [
        ("validate the bodies", lambda: inputs.extend(validate_input(b) for b in bodies)),
        (
            "assemble records (ids, timestamps)",
            lambda: built.extend(
                build_record(data, record_id=_ids.new_id(), created_at=at, updated_at=written_at)
                for data, at in zip(inputs, created_at, strict=True)
            ),
        ),
        ("build documents (search text)", lambda: documents.extend(map(to_document, built))),
        ("BSON-encode (both sides pay it)", lambda: [BSON.encode(d) for d in documents]),
    ]
    print(f"client side, {records:,} records, no server:")
    for name, step in steps:
        seconds = measure(step)
        print(f"  {name:36} {seconds:6.2f} s  {seconds / records * 1e6:6.1f} us/record")


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", default=os.environ.get(ENV_VAR), help="a MongoDB kept for tests")
    parser.add_argument(
        "--client-side", action="store_true", help="only time the store's work before sending"
    )
    options = parser.parse_args()
    if options.client_side:
        client_side(options.records)
        return
    if options.url:
        run(options.url, options.records, options.rounds, "MongoDB at the given URL")
    else:
        with nx_27017() as url:
            run(url, options.records, options.rounds, "nx-27017 (wire stand-in, SQLite in memory)")


if __name__ == "__main__":
    main()
