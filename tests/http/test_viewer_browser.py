"""The log viewer in a real headless Chromium (Debian's), driven by Playwright, over real servers.

Each test serves the application with uvicorn on 127.0.0.1 over a seeded SQLite store and drives
the system's Chromium (never a downloaded browser). Every step leaves a screenshot in
``artifacts/viewer/`` (git-ignored) for a person to look at. Without Chromium the tests are
skipped locally and fail under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from actionlogkit import Store, open_store
from actionlogkit.http import create_app

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "viewer"
T0 = datetime(2024, 5, 24, 0, 0, tzinfo=timezone.utc)
INTEGRATIONS = ("acme-shop", "erp-orders", "payments")
# The probe of this machine kind found these flags needed, with an empty profile directory.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE_SCRIPT = "<script>window.__pwned = 'error'</script>"
HOSTILE_IMAGE = "<img src=x onerror=\"window.__pwned = 'payload'\">"
READ_SECRET = "r-viewer-5f1c2a9e7d3b8064"
WRITE_SECRET = "w-viewer-0a6e4c2d8b1f3957"
TOKENS = f"dashboard:read:{READ_SECRET},deployer:write:{WRITE_SECRET}"
# The whole day of the seed, as the viewer's URL states it.
DAY = "range=custom&from=2024-05-24T00:00:00&to=2024-05-25T00:00:00"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "Chromium is not installed (Debian's package: apt-get install chromium)"
        if _in_ci():
            pytest.fail(f"{message}; under CI the browser tests must run")
        pytest.skip(message)
    return found


def _seed(store: Store) -> None:
    """200 calls over one day: three integrations, a fifth failed, times on most of them."""
    bodies: list[dict[str, Any]] = []
    stamps = []
    for i in range(200):
        failed = i % 5 == 0
        bodies.append(
            {
                "integrationId": INTEGRATIONS[i % 3],
                "actionType": ("create", "update", "sync")[i % 3],
                "entityType": "product" if i % 2 else "order",
                "entityId": f"sku-{i:03d}",
                "status": "failed" if failed else "success",
                "retryCount": 2 if failed else 0,
                "executionTime": None if i % 7 == 0 else float(10 + (i * 37) % 900),
                "errorMessage": f"HTTP 503: timeout on call {i}" if failed else None,
                "payload": {"sku": f"sku-{i:03d}", "price": i / 4, "tags": ["a", "b"]},
                "response": {"status": 503 if failed else 200},
            }
        )
        # Every 7 minutes from midnight: 200 calls span 23 h 13 min, in 24 hourly buckets.
        stamps.append(T0 + timedelta(minutes=7 * i))
    store.create_many(bodies, created_at=stamps)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def _running(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on a free port of 127.0.0.1, in a thread; its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Store]]:
    """The application with the viewer, served by uvicorn over a seeded SQLite store."""
    store = open_store(f"sqlite:///{tmp_path / 'viewer.db'}")
    _seed(store)
    try:
        with _running(create_app(store, viewer=True)) as base:
            yield base, store
    finally:
        store.close()


@pytest.fixture
def served_with_tokens(tmp_path: Path) -> Iterator[tuple[str, Store]]:
    """As ``served``, with bearer tokens required (a read and a write token)."""
    store = open_store(f"sqlite:///{tmp_path / 'viewer.db'}")
    _seed(store)
    try:
        with _running(create_app(store, viewer=True, tokens=TOKENS)) as base:
            yield base, store
    finally:
        store.close()


class Browser:
    """A page of Chromium, with what it logged and asked for, and screenshots by step."""

    def __init__(self, page: Any, name: str) -> None:
        self.page = page
        self.name = name
        self.step = 0
        self.console: list[str] = []
        self.requests: list[str] = []
        self.sent: list[Any] = []
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.console.append(f"error: {error}"))
        page.on("request", self._sent)

    def shot(self, what: str) -> Path:
        self.step += 1
        path = SHOTS / f"{self.name}-{self.step:02d}-{what}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def _sent(self, request: Any) -> None:
        # A method, not a bound builtin: Playwright marks the handlers it is given.
        self.requests.append(request.url)
        self.sent.append(request)

    def prompts(self) -> int:
        """How many times this page showed the token dialog."""
        return int(self.page.evaluate("Number(document.body.dataset.tokenPrompts || 0)"))

    def loads(self, kind: str) -> int:
        return int(self.page.evaluate(f"Number(document.body.dataset.{kind} || 0)"))

    def wait_loads(self, kind: str, count: int) -> None:
        # A function, not an expression: the page's policy forbids evaluating text as code.
        self.page.wait_for_function(
            "([kind, count]) => Number(document.body.dataset[kind] || 0) >= count",
            arg=[kind, count],
            timeout=20_000,
        )

    def then_table(self, action: Callable[[], object]) -> None:
        """Do ``action`` and wait until the table has loaded once more."""
        before = self.loads("tableLoads")
        action()
        self.wait_loads("tableLoads", before + 1)

    def cells(self, column: str) -> list[str]:
        texts: list[str] = self.page.eval_on_selector_all(
            f"#table tbody td.c-{column}", "cells => cells.map(c => c.textContent)"
        )
        return texts

    def state(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.page.url).query)


@pytest.fixture
def browser(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Browser]:
    """Headless Chromium from the system, a fresh profile, a page of 1400×1000."""
    executable = _chromium()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=executable,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            page = context.new_page()
            yield Browser(page, request.node.name.removeprefix("test_"))
        finally:
            context.close()


def _open(browser: Browser, base: str, query: str = DAY) -> None:
    browser.page.goto(f"{base}/?{query}")
    browser.wait_loads("chartLoads", 1)


def test_the_viewer_filters_searches_pages_and_opens_a_record(
    served: tuple[str, Store], browser: Browser
) -> None:
    """Load, filter by status, search, page with cursors, open a record: as the store says."""
    base, store = served
    day = {"createdAt": {"$gte": "2024-05-24T00:00:00Z", "$lt": "2024-05-25T00:00:00Z"}}
    page = browser.page
    _open(browser, base)
    browser.shot("loaded")
    newest = store.list(day, limit=50).data
    assert browser.cells("entityId") == [r.entity_id for r in newest]
    assert page.text_content("#count") == "(200 matches)"

    browser.then_table(lambda: page.check('input[name="status"][value="failed"]'))
    browser.shot("filtered")
    failed = store.list({**day, "status": "failed"}, limit=50).data
    assert browser.cells("status") == ["failed"] * len(failed)
    assert browser.cells("entityId") == [r.entity_id for r in failed]
    assert page.text_content("#count") == f"({len(failed)} matches)"
    assert browser.state()["status"] == ["failed"]

    page.fill("#f-search", "ERP-ORD")
    browser.then_table(lambda: page.press("#f-search", "Enter"))
    browser.shot("searched")
    found = store.list({**day, "status": "failed"}, search="erp-ord", limit=50).data
    assert browser.cells("entityId") == [r.entity_id for r in found]
    assert set(browser.cells("integrationId")) == {"erp-orders"}

    page.fill("#f-search", "")
    browser.then_table(lambda: page.uncheck('input[name="status"][value="failed"]'))
    browser.then_table(lambda: page.select_option("#f-limit", "20"))
    first = browser.cells("entityId")
    browser.then_table(lambda: page.click("#next"))
    browser.shot("next-page")
    second = browser.cells("entityId")
    walked = store.list(day, limit=40).data
    assert first + second == [r.entity_id for r in walked]
    assert browser.state()["cursor"]
    browser.then_table(lambda: page.click("#previous"))
    assert browser.cells("entityId") == first

    target = walked[3]
    page.click(f'#table tr[data-id="{target.id}"] button.open')
    browser.wait_loads("detailLoads", 1)
    browser.shot("record")
    detail = page.locator("#detail")
    assert detail.is_visible()
    assert page.text_content('#detail dd[data-field="errorMessage"]') == (
        target.error_message or "null"
    )
    assert page.text_content('#detail dd[data-field="_id"]') == target.id
    payload = page.text_content('#detail dd[data-field="payload"]') or ""
    assert f'"sku": "{target.entity_id}"' in payload
    assert browser.state()["record"] == [target.id]
    assert not [line for line in browser.console if line.startswith("error")]


def test_the_charts_hold_a_point_per_bucket_and_the_rates_per_integration(
    served: tuple[str, Store], browser: Browser
) -> None:
    """Calls, failures and p95 per hour of the day, and each integration's failure rate."""
    base, store = served
    _open(browser, base)
    browser.shot("charts")
    day = {"createdAt": {"$gte": "2024-05-24T00:00:00Z", "$lt": "2024-05-25T00:00:00Z"}}
    hourly = store.stats(day, by=(), interval="1h").groups
    points = browser.page.eval_on_selector_all(
        ".series",
        "groups => groups.map(g => [g.classList[1], g.querySelectorAll('circle').length])",
    )
    timed = sum(1 for group in hourly if group.execution_time is not None)
    assert dict(points) == {"calls": 24, "failures": 24, "p95": timed}
    assert len(hourly) == 24
    titles = browser.page.eval_on_selector_all(
        ".series.calls circle title", "titles => titles.map(t => t.textContent)"
    )
    assert titles[0] == f"2024-05-24T00:00:00.000Z calls: {hourly[0].count}"
    rates = browser.page.eval_on_selector_all(
        "#rates tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    per_integration = store.stats(day, by=("integrationId",)).groups
    assert sorted(row[0] for row in rates) == sorted(INTEGRATIONS)
    for group in per_integration:
        [row] = [row for row in rates if row[0] == group.key["integrationId"]]
        assert row[1:3] == [str(group.count), str(group.failed)]
        assert row[3] == f"{100 * group.failed / group.count:.1f}%"


def test_the_url_holds_the_view(served: tuple[str, Store], browser: Browser) -> None:
    """A view's URL, opened afresh, shows the same filters, sort, rows and record."""
    base, store = served
    page = browser.page
    _open(browser, base)
    browser.then_table(lambda: page.select_option("#f-action", "sync"))
    browser.then_table(lambda: page.click('th[data-sort="executionTime"]'))
    page.fill("#f-json", '{"retryCount": {"$gte": 2}}')
    browser.then_table(lambda: page.click("#apply"))
    rows = browser.cells("entityId")
    url = page.url
    browser.shot("view")
    assert browser.state()["sort"] == ["executionTime"]
    assert browser.state()["action"] == ["sync"]

    page.goto("about:blank")
    page.goto(url)
    browser.wait_loads("chartLoads", 1)
    browser.shot("reopened")
    assert browser.cells("entityId") == rows
    assert page.input_value("#f-action") == "sync"
    assert page.input_value("#f-json") == '{"retryCount": {"$gte": 2}}'
    assert page.get_attribute('th[data-sort="executionTime"]', "aria-sort") == "descending"
    expected = store.list(
        {
            "$and": [
                {
                    "actionType": "sync",
                    "createdAt": {"$gte": "2024-05-24T00:00:00Z", "$lt": "2024-05-25T00:00:00Z"},
                },
                {"retryCount": {"$gte": 2}},
            ]
        },
        sort="executionTime",
        order="desc",
    ).data
    assert rows == [r.entity_id for r in expected]


def test_auto_refresh_shows_new_records(served: tuple[str, Store], browser: Browser) -> None:
    """With auto-refresh on, a record stored meanwhile appears without a reload."""
    base, store = served
    page = browser.page
    _open(browser, base, "")
    page.select_option("#refresh-seconds", "5")
    page.check("#auto-refresh")
    loads = browser.loads("tableLoads")
    assert browser.state()["refresh"] == ["5"]
    store.create(
        {
            "integrationId": "late-arrival",
            "actionType": "webhook",
            "entityType": "payment",
            "status": "success",
        }
    )
    browser.wait_loads("tableLoads", loads + 2)
    browser.shot("refreshed")
    assert browser.cells("integrationId")[0] == "late-arrival"
    assert browser.page.text_content("#count") == "(201 matches)"


def test_a_hostile_record_shows_as_text_and_runs_nothing(
    served: tuple[str, Store], browser: Browser
) -> None:
    """Markup in a record's text and payload shows as characters; no script or handler runs."""
    base, store = served
    hostile = store.create(
        {
            "integrationId": "<b>bold</b>",
            "actionType": "webhook",
            "entityType": HOSTILE_IMAGE,
            "entityId": "x\" onmouseover=\"window.__pwned='attribute'",
            "status": "failed",
            "errorMessage": HOSTILE_SCRIPT,
            "payload": {"html": HOSTILE_IMAGE, "<svg onload=alert(1)>": [HOSTILE_SCRIPT]},
            "metadata": {"note": "</dd><script>window.__pwned = 'metadata'</script>"},
        },
        created_at=T0 + timedelta(hours=23, minutes=59),
    )
    page = browser.page
    _open(browser, base)
    row = page.locator(f'#table tr[data-id="{hostile.id}"]')
    assert row.locator("td.c-errorMessage").text_content() == HOSTILE_SCRIPT
    assert row.locator("td.c-integrationId").text_content() == "<b>bold</b>"
    assert row.locator("td.c-entityType").text_content() == HOSTILE_IMAGE
    row.locator("td.c-entityId").hover()
    row.locator("button.open").click()
    browser.wait_loads("detailLoads", 1)
    page.click("#detail details.json summary")  # fold and unfold: nothing renders as markup
    page.click("#detail details.json summary")
    browser.shot("hostile")
    assert page.text_content('#detail dd[data-field="errorMessage"]') == HOSTILE_SCRIPT
    payload = page.text_content('#detail dd[data-field="payload"]') or ""
    assert '"<img src=x onerror=\\"window.__pwned = \'payload\'\\">"' in payload
    counts = page.evaluate(
        """() => ({
            images: document.querySelectorAll('img, #detail svg, #table svg').length,
            bold: document.querySelectorAll('#table b, #detail b, #rates b').length,
            scripts: [...document.scripts].filter(s => !s.src).length,
            pwned: window.__pwned === undefined ? null : String(window.__pwned),
        })"""
    )
    assert counts == {"images": 0, "bold": 0, "scripts": 0, "pwned": None}
    assert not [line for line in browser.console if "Content Security Policy" in line]


def test_nothing_is_fetched_from_another_site(served: tuple[str, Store], browser: Browser) -> None:
    """The viewer and /docs load every file from the application: no CDN, works offline."""
    base, _ = served
    page = browser.page
    _open(browser, base)
    page.goto(f"{base}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    browser.shot("docs")
    paths = page.eval_on_selector_all(
        ".opblock-summary-path", "nodes => nodes.map(n => n.textContent.trim())"
    )
    assert "/integration-action-logs/stats" in paths
    outside = [url for url in browser.requests if not url.startswith((base, "data:"))]
    assert outside == []
    assert not [line for line in browser.console if line.startswith("error")]


# -- with tokens -----------------------------------------------------------------------------------


def _api_requests(browser: Browser, base: str) -> list[Any]:
    return [r for r in browser.sent if r.url.startswith(f"{base}/integration-action-logs")]


def test_the_viewer_asks_for_the_token_once_and_keeps_it_for_the_tab(
    served_with_tokens: tuple[str, Store], browser: Browser
) -> None:
    """A 401 opens one prompt; the token goes in a Bearer header, sessionStorage, never a URL."""
    base, store = served_with_tokens
    page = browser.page
    page.goto(f"{base}/?{DAY}")
    page.wait_for_selector("#token-dialog[open]", timeout=20_000)
    browser.shot("asked")
    assert browser.loads("tableLoads") == 0
    assert page.is_hidden("#token-problem")

    page.fill("#token-input", "not-the-token-at-all")
    page.click("#token-submit")
    page.wait_for_selector("#token-problem:not([hidden])", timeout=20_000)
    browser.shot("refused")
    assert page.is_visible("#token-dialog")

    page.fill("#token-input", READ_SECRET)
    page.click("#token-submit")
    browser.wait_loads("chartLoads", 1)
    browser.shot("admitted")
    assert page.is_hidden("#token-dialog")
    day = {"createdAt": {"$gte": "2024-05-24T00:00:00Z", "$lt": "2024-05-25T00:00:00Z"}}
    assert browser.cells("entityId") == [r.entity_id for r in store.list(day, limit=50).data]
    # The table and both stats met the 401 before a token was given: one prompt served them all.
    assert browser.prompts() == 2  # the first ask, and the one after the refused token
    assert page.evaluate("sessionStorage.getItem('actionlogkit-token')") == READ_SECRET
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("document.cookie") == ""

    given = {r.headers.get("authorization") for r in _api_requests(browser, base)}
    assert given == {None, "Bearer not-the-token-at-all", f"Bearer {READ_SECRET}"}

    # Kept for the tab: a reload asks nothing, and every request carries the token.
    before = len(browser.sent)
    page.reload()
    browser.wait_loads("chartLoads", 1)
    assert page.is_hidden("#token-dialog")
    assert browser.prompts() == 0
    reloaded = [r for r in _api_requests(browser, base) if r in browser.sent[before:]]
    assert len(reloaded) >= 3  # the table and two stats
    assert {r.headers.get("authorization") for r in reloaded} == {f"Bearer {READ_SECRET}"}
    assert not [url for url in browser.requests if READ_SECRET in url]
    assert READ_SECRET not in page.url
    assert not [line for line in browser.console if line.startswith("error") and "401" not in line]

    # Another tab has a storage of its own: it asks again.
    other = Browser(page.context.new_page(), browser.name + "-other-tab")
    other.page.goto(f"{base}/")
    other.page.wait_for_selector("#token-dialog[open]", timeout=20_000)
    other.shot("other-tab")
    assert other.page.evaluate("sessionStorage.getItem('actionlogkit-token')") is None


def test_the_docs_page_asks_for_the_token_and_swaggers_authorize_uses_it(
    served_with_tokens: tuple[str, Store], browser: Browser
) -> None:
    """/docs reads the document with the token; Swagger's Authorize holds it; Try it out works."""
    base, store = served_with_tokens
    page = browser.page
    page.goto(f"{base}/docs")
    page.wait_for_selector("#token-input", timeout=20_000)
    browser.shot("docs-asked")
    page.fill("#token-input", READ_SECRET)
    page.click("#token-submit")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    browser.shot("docs-loaded")
    paths = page.eval_on_selector_all(
        ".opblock-summary-path", "nodes => nodes.map(n => n.textContent.trim())"
    )
    assert "/integration-action-logs/stats" in paths

    page.click(".auth-wrapper .btn.authorize")
    page.wait_for_selector(".modal-ux", timeout=20_000)
    browser.shot("docs-authorize")
    assert "bearerAuth" in (page.text_content(".modal-ux") or "")
    assert "Logout" in (page.text_content(".modal-ux") or "")  # authorized with the tab's token
    page.click(".modal-ux .btn-done")

    page.click("#operations-Integration_Action_Logs-listIntegrationActionLogs .opblock-summary")
    operation = page.locator("#operations-Integration_Action_Logs-listIntegrationActionLogs")
    operation.locator(".try-out__btn").click()
    operation.locator(".execute").click()
    status = operation.locator(".live-responses-table tr.response .response-col_status").first
    status.wait_for(timeout=20_000)
    browser.shot("docs-tried")
    assert (status.text_content() or "").strip() == "200"
    tried = [r for r in _api_requests(browser, base) if "/stats" not in r.url]
    assert tried
    assert tried[-1].headers.get("authorization") == f"Bearer {READ_SECRET}"
    outside = [url for url in browser.requests if not url.startswith((base, "data:"))]
    assert outside == []
    assert store.count() == 200
