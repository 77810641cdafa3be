"""``actionlogkit demo``: a small simulated integration, recorded, then questioned.

A fake shop API (random latency, transient 503s that succeed on retry, permanent 422s), an ERP
whose orders are synced by coroutines, a warehouse feed read as an async generator, and a payment
webhook receiver, all recorded by one :class:`~actionlogkit.Recorder`. Then the command asks the
log what people ask of it: failures per integration, the slowest calls, the retried calls, and a
search. The same ``--seed`` gives the same calls and outcomes (timings vary).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import random
import sys
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from typing import Any

from actionlogkit._text_table import text_table
from actionlogkit.errors import ActionLogKitError
from actionlogkit.models import ActionLog, Page
from actionlogkit.recorder import Recorder
from actionlogkit.store import Store

__all__ = ["register", "run_demo"]

DEFAULT_STORE = "sqlite:///actionlogs.db"
SHOP, ERP, WAREHOUSE, PAYMENTS = "acme-shop", "erp-orders", "warehouse-feed", "payments-webhooks"
INTEGRATIONS = (SHOP, ERP, WAREHOUSE, PAYMENTS)
_WEBHOOK_KEY = b"demo-signing-key"


class ShopError(Exception):
    """The fake shop refused a request (a 4xx answer): retrying will not help."""


class ShopUnavailable(Exception):
    """The fake shop is briefly unavailable (a 503 answer): worth a retry."""


def _chance(seed: int, *key: object) -> random.Random:
    # One generator per call site and key, so outcomes do not depend on the order calls run in.
    # A simulation's dice, not a secret.
    return random.Random(":".join(str(part) for part in (seed, *key)))  # noqa: S311


def _latency(rng: random.Random) -> float:
    """Seconds a fake call takes: mostly a few milliseconds, sometimes much more."""
    return rng.uniform(0.05, 0.12) if rng.random() < 0.06 else rng.uniform(0.002, 0.02)


class FakeShop:
    """An online shop's product API, in process."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.products: dict[str, dict[str, Any]] = {}
        self._attempts: dict[tuple[str, str], int] = {}

    def _answer(self, operation: str, sku: str) -> None:
        rng = _chance(self.seed, operation, sku)
        attempt = self._attempts[operation, sku] = self._attempts.get((operation, sku), 0) + 1
        # Some calls meet a short outage: the first one or two attempts get a 503; a few meet a
        # long one that outlasts every retry.
        outage = rng.choice([0] * 12 + [1, 1, 2, 5])
        time.sleep(_latency(_chance(self.seed, operation, sku, attempt)))
        if attempt <= outage:
            raise ShopUnavailable("HTTP 503: shop temporarily unavailable, try again")

    def create_product(self, product: dict[str, Any], api_key: str) -> dict[str, Any]:
        """POST /products: the new product with its shop id."""
        self._answer("create", product["sku"])
        if not product.get("title"):
            raise ShopError("HTTP 422: title is required")
        created = {"id": f"prod_{len(self.products) + 1000}", **product}
        self.products[product["sku"]] = created
        return created

    def update_price(self, sku: str, price: float, api_key: str) -> dict[str, Any]:
        """PATCH /products/{sku}: the updated product."""
        self._answer("price", sku)
        if sku not in self.products:
            raise ShopError(f"HTTP 404: no product {sku}")
        if price <= 0:
            raise ShopError(f"HTTP 422: price must be positive, got {price}")
        self.products[sku]["price"] = price
        return self.products[sku]


class FakeErp:
    """An ERP whose orders are read page by page, asynchronously."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._attempts: dict[int, int] = {}

    async def orders(self, page: int) -> list[dict[str, Any]]:
        """GET /orders?page=N."""
        rng = _chance(self.seed, "orders", page)
        attempt = self._attempts[page] = self._attempts.get(page, 0) + 1
        await asyncio.sleep(_latency(_chance(self.seed, "orders", page, attempt)))
        if attempt <= rng.choice([0, 0, 0, 1]):
            raise TimeoutError(f"ERP read timed out on page {page}")
        if rng.random() < 0.1:
            raise ConnectionRefusedError("ERP refused the connection: maintenance window")
        return [{"order": f"SO-{page}{n:02d}", "total": rng.randint(5, 500)} for n in range(5)]


async def _stock_levels(seed: int, warehouse: str) -> AsyncIterator[dict[str, Any]]:
    rng = _chance(seed, "stock", warehouse)
    for n in range(rng.randint(3, 8)):
        await asyncio.sleep(0.002)
        yield {"sku": f"SKU-{n:03d}", "warehouse": warehouse, "quantity": rng.randint(0, 40)}


def _sign(body: bytes) -> str:
    return hmac.new(_WEBHOOK_KEY, body, hashlib.sha256).hexdigest()


def simulate(recorder: Recorder, *, seed: int, run: str, products: int) -> None:
    """Run the whole simulated integration once; every call leaves one record."""
    shop, erp = FakeShop(seed), FakeErp(seed)
    tags = {"run": run}

    @recorder.action(
        "create",
        entity_type="product",
        integration_id=SHOP,
        entity_id="product.sku",
        retries=2,
        retry_on=ShopUnavailable,
        backoff=0.01,
        metadata=tags,
    )
    def create_product(product: dict[str, Any], api_key: str) -> dict[str, Any]:
        return shop.create_product(product, api_key)

    @recorder.action(
        "update",
        entity_type="product",
        integration_id=SHOP,
        entity_id="sku",
        retries=2,
        retry_on=ShopUnavailable,
        backoff=0.01,
        metadata=tags,
    )
    def update_price(sku: str, price: float, api_key: str) -> dict[str, Any]:
        return shop.update_price(sku, price, api_key)

    @recorder.action(
        "sync",
        entity_type="order",
        integration_id=ERP,
        entity_id=lambda call: f"page-{call['page']}",
        response=lambda call: {"orders": len(call.result)},
        retries=1,
        retry_on=TimeoutError,
        backoff=0.01,
        metadata=tags,
    )
    async def sync_orders(page: int) -> list[dict[str, Any]]:
        return await erp.orders(page)

    @recorder.action(
        "sync", entity_type="stock", integration_id=WAREHOUSE, entity_id="warehouse", metadata=tags
    )
    async def stock_levels(warehouse: str) -> AsyncGenerator[dict[str, Any], None]:
        async for level in _stock_levels(seed, warehouse):
            yield level

    def receive_webhook(headers: dict[str, str], body: bytes) -> None:
        event = {"headers": headers, "body": body.decode()}
        with recorder.action(
            "webhook", entity_type="payment", integration_id=PAYMENTS, payload=event, metadata=tags
        ) as act:
            act.entity_id = body.decode().split('"id": "')[1].split('"')[0]
            time.sleep(_latency(_chance(seed, "webhook", body)))
            if not hmac.compare_digest(headers.get("Signature", ""), _sign(body)):
                act.fail("HTTP 401: webhook signature does not match")
                return
            act.response = {"status": 200, "accepted": True}

    api_key = "sk_live_" + uuid.UUID(int=seed).hex  # recorded as [REDACTED], never stored
    rng = _chance(seed, "catalogue")
    for n in range(products):
        sku = f"SKU-{n:03d}"
        product = {"sku": sku, "title": "" if rng.random() < 0.08 else f"Mug {n}", "price": 12.5}
        try:
            create_product(product, api_key=api_key)
            price = -1.0 if rng.random() < 0.15 else round(rng.uniform(5, 40), 2)
            update_price(sku, price, api_key=api_key)
        except (ShopError, ShopUnavailable):
            pass  # recorded; the integration moves on to the next product

    async def sync_everything() -> None:
        outcomes = await asyncio.gather(
            *(sync_orders(page) for page in range(1, 9)), return_exceptions=True
        )
        del outcomes  # failures are recorded; this integration just carries on
        north = [level async for level in stock_levels("north")]
        del north  # read to the end
        # The south feed is only sampled: the consumer closes it after three items.
        async with contextlib.aclosing(stock_levels("south")) as feed:
            sampled = 0
            async for _ in feed:
                sampled += 1
                if sampled == 3:
                    break

    asyncio.run(sync_everything())
    for n in range(6):
        body = f'{{"id": "pay_{seed}{n:02d}", "amount": {n * 1000 + 99}}}'.encode()
        signature = _sign(body) if n % 4 else "forged"
        receive_webhook({"Signature": signature, "Authorization": f"Bearer whk_{n}"}, body)


# -- the report ---------------------------------------------------------------------------------


def format_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with a title, right-aligned numbers, and a line under the header."""
    lines = text_table(headers, rows, cell_width=60, none="-", rule=True)
    return "\n".join([title, *lines, *([] if rows else ["(none)"])])


def _ms(log: ActionLog) -> str:
    return "-" if log.execution_time is None else f"{log.execution_time:.1f}"


def _shown(page: Page, what: str) -> str:
    """How much of a result a table shows: "8 of 15 retried calls" when cut, else "15 …"."""
    total = len(page.data) if page.total is None else page.total  # counted: list's default
    if len(page.data) < total:
        return f"{len(page.data)} of {total} {what}"
    return f"{total} {what}"


def report(store: Store, run: str) -> str:
    """The four questions, each answered as a table, about the records of one run."""
    this_run = {"metadata.run": run}
    # One grouped query answers the whole table (the store counts; no loop of count() calls).
    groups = {
        group.key["integrationId"]: group
        for group in store.stats(this_run, by=("integrationId",)).groups
    }
    per_integration: list[list[object]] = []
    for integration in INTEGRATIONS:
        group = groups.get(integration)
        if group is None:
            per_integration.append([integration, 0, 0, "-", 0])
            continue
        rate = f"{100 * group.failed / group.count:.0f}%"
        per_integration.append([integration, group.count, group.failed, rate, group.retried])

    slowest = store.list(this_run, sort="executionTime", order="desc", limit=5)
    retried = store.list(
        {**this_run, "retryCount": {"$gt": 0}}, sort="retryCount", order="desc", limit=8
    )
    term = "price"
    found = store.list(this_run, search=term, limit=8)

    tables = [
        format_table(
            "Failures per integration",
            ["integration", "calls", "failed", "rate", "retried"],
            per_integration,
        ),
        format_table(
            f"Slowest calls ({_shown(slowest, 'calls')})",
            ["integration", "action", "entity", "status", "ms", "retries"],
            [
                [
                    log.integration_id,
                    log.action_type.value,
                    log.entity_id,
                    log.status.value,
                    _ms(log),
                    log.retry_count,
                ]
                for log in slowest.data
            ],
        ),
        format_table(
            f"Retried calls ({_shown(retried, 'retried calls')})",
            ["integration", "action", "entity", "retries", "status", "last error"],
            [
                [
                    log.integration_id,
                    log.action_type.value,
                    log.entity_id,
                    log.retry_count,
                    log.status.value,
                    log.error_message,
                ]
                for log in retried.data
            ],
        ),
        format_table(
            f'Search "{term}" ({_shown(found, "matching")})',
            ["integration", "entity", "status", "error"],
            [
                [log.integration_id, log.entity_id, log.status.value, log.error_message]
                for log in found.data
            ],
        ),
    ]
    return "\n\n".join(tables)


def run_demo(
    store_url: str, *, seed: int, products: int, mode: str = "background"
) -> tuple[str, str, int]:
    """Simulate, record into ``store_url``, and return (report, run id, records written)."""
    run = uuid.uuid4().hex[:12]
    with Recorder(store_url, mode="sync" if mode == "sync" else "background") as recorder:
        simulate(recorder, seed=seed, run=run, products=products)
        recorder.flush()
        written = recorder.store.count({"metadata.run": run})
        text = report(recorder.store, run)
    return text, run, written


def _run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        text, run, written = run_demo(
            args.store, seed=args.seed, products=args.products, mode=args.mode
        )
    except ActionLogKitError as exc:
        print(f"actionlogkit demo: {exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    _print_report(args, text, run, written, elapsed)
    return 0


def _print_report(
    args: argparse.Namespace, text: str, run: str, written: int, elapsed: float
) -> None:
    print(f"Recorded {written} calls of a simulated integration into {args.store} ", end="")
    print(f"in {elapsed:.1f} s (run {run}, seed {args.seed}).\n")
    print(text)
    if not args.store.startswith("memory:"):
        print(
            f"\nEvery record of this run has metadata.run = {run!r}; ask for more with e.g.\n"
            f"  open_store({args.store!r}).list({{'metadata.run': {run!r}, 'status': 'failed'}})"
        )


def register(subparsers: Any) -> None:
    """Add the ``demo`` command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="record a simulated integration and query its logs",
        description=(
            "Run a small simulated integration (a shop API with transient and permanent "
            "failures, an ERP synced by coroutines, a warehouse feed, a webhook receiver), "
            "record every call, then print failures per integration, the slowest calls, the "
            "retried calls and a search."
        ),
    )
    parser.add_argument(
        "--store",
        default=DEFAULT_STORE,
        metavar="URL",
        help=f"where the records go (default: {DEFAULT_STORE})",
    )
    parser.add_argument(
        "--seed", type=int, default=7, help="the same seed gives the same calls (default: 7)"
    )
    parser.add_argument(
        "--products", type=int, default=24, help="products pushed to the shop (default: 24)"
    )
    parser.add_argument(
        "--mode",
        choices=("background", "sync"),
        default="background",
        help="the recorder's mode (default: background)",
    )
    parser.set_defaults(func=_run)
