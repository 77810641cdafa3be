"""The application around the routes: limits, outages, bugs, mounting, auth, CORS, lifecycle."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from actionlogkit import ConfigurationError, MemoryStore, Store
from actionlogkit.http import DEFAULT_MAX_BODY_BYTES, create_app, router

URL = "/integration-action-logs"
BODY: dict[str, Any] = {
    "integrationId": "shop-1",
    "actionType": "create",
    "entityType": "product",
    "status": "success",
}


def _is_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"success", "message", "errors"}
    assert body["success"] is False
    return body


def _padded(size: int) -> bytes:
    """A valid create body of exactly ``size`` bytes (padded with JSON whitespace)."""
    text = json.dumps(BODY)
    padded = (text[:-1] + " " * (size - len(text)) + "}").encode()
    assert len(padded) == size
    return padded


# -- request body size ----------------------------------------------------------------------------


def test_default_body_limit_is_one_mebibyte(store: Store) -> None:
    """By default a body of 1 MiB is read and one byte more is a 413."""
    assert DEFAULT_MAX_BODY_BYTES == 1_048_576
    with TestClient(create_app(store)) as client:
        headers = {"content-type": "application/json"}
        assert client.post(URL, content=_padded(1_048_576), headers=headers).status_code == 201
        response = client.post(URL, content=_padded(1_048_577), headers=headers)
        _is_error(response, 413)
    assert store.count() == 1


def test_body_limit_is_configurable(store: Store) -> None:
    """max_body_bytes sets the limit: a body of that size passes, one byte more is a 413."""
    with TestClient(create_app(store, max_body_bytes=200)) as client:
        headers = {"content-type": "application/json"}
        assert client.post(URL, content=_padded(200), headers=headers).status_code == 201
        body = _is_error(client.post(URL, content=_padded(201), headers=headers), 413)
        assert body["errors"] == [{"field": None, "message": "the body may hold at most 200 bytes"}]
    assert store.count() == 1


def test_body_limit_holds_for_a_streamed_body_without_length(store: Store) -> None:
    """A chunked body (no Content-Length) is counted as it arrives: past the limit it is a 413."""

    def chunks() -> Iterator[bytes]:
        yield b'{"integrationId": "'
        for _ in range(100):
            yield b"x" * 100
        yield b'"}'

    with TestClient(create_app(store, max_body_bytes=5000)) as client:
        response = client.post(URL, content=chunks(), headers={"content-type": "application/json"})
        _is_error(response, 413)
    assert store.count() == 0


def test_body_limit_holds_when_content_length_lies(store: Store) -> None:
    """A Content-Length smaller than the body does not get the body past the limit."""
    with TestClient(create_app(store, max_body_bytes=200)) as client:
        headers = {"content-type": "application/json", "content-length": "10"}
        _is_error(client.post(URL, content=_padded(400), headers=headers), 413)
    assert store.count() == 0


@pytest.mark.parametrize("limit", [0, -5, 1.5, True, "1024"])
def test_bad_body_limit_is_refused(limit: Any) -> None:
    """max_body_bytes must be a positive integer."""
    with pytest.raises(ConfigurationError, match="max_body_bytes"):
        create_app(MemoryStore(), max_body_bytes=limit)
    with pytest.raises(ConfigurationError, match="max_body_bytes"):
        router(MemoryStore(), max_body_bytes=limit)


# -- outages and bugs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", URL, None),
        ("POST", URL, BODY),
        ("GET", f"{URL}/60f7b1b3e4b0e8b3f8b3f8b3", None),
        ("PUT", f"{URL}/60f7b1b3e4b0e8b3f8b3f8b3", BODY),
        ("DELETE", f"{URL}/60f7b1b3e4b0e8b3f8b3f8b3", None),
    ],
)
def test_store_outage_is_a_503_without_details(
    store: Store, method: str, path: str, body: dict[str, Any] | None
) -> None:
    """When the store fails every route answers 503 with a generic message and no internals."""
    client = TestClient(create_app(store))
    store.close()
    response = client.request(method, path, json=body)
    data = _is_error(response, 503)
    assert data["message"] == "the log store is unavailable; try again later"
    assert "closed" not in response.text
    assert type(store).__name__ not in response.text


def test_unexpected_error_is_a_generic_500_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bug (here in a dependency) gets a 500 that discloses nothing; the details are logged."""

    def broken() -> None:
        raise RuntimeError("secret detail")

    app = create_app(MemoryStore(), dependencies=[Depends(broken)])
    with (
        caplog.at_level(logging.ERROR, logger="actionlogkit.http"),
        TestClient(app, raise_server_exceptions=False) as client,
    ):
        response = client.get(URL)
    body = _is_error(response, 500)
    assert body == {"success": False, "message": "internal server error", "errors": []}
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert any("secret detail" in str(record.exc_info) for record in caplog.records)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nope", 404), ("PATCH", URL, 405), ("POST", f"{URL}/x", 405)],
)
def test_unknown_paths_and_methods_get_the_error_body(method: str, path: str, status: int) -> None:
    """An unknown path is a 404 and a wrong method a 405, in the API's error body."""
    with TestClient(create_app(MemoryStore())) as client:
        _is_error(client.request(method, path), status)


# -- mounting, dependencies, prefix ---------------------------------------------------------------


def _require_key(x_api_key: Annotated[str | None, Header()] = None) -> None:
    if x_api_key != "let-me-in":
        raise HTTPException(401, "missing or wrong API key", headers={"WWW-Authenticate": "ApiKey"})


class _Teapot(Exception):
    """An application's own error, handled by its own handler."""


def _host_app(store: Store | str) -> FastAPI:
    app = FastAPI()

    @app.exception_handler(_Teapot)
    async def teapot(request: Request, exc: _Teapot) -> JSONResponse:
        return JSONResponse({"teapot": True}, status_code=418)

    def refuse_teapots(x_teapot: Annotated[str | None, Header()] = None) -> None:
        if x_teapot:
            raise _Teapot

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(
        router(
            store,
            prefix="/api/v1",
            dependencies=[Depends(_require_key), Depends(refuse_teapots)],
        )
    )
    return app


def test_router_mounts_under_a_prefix_in_an_existing_app() -> None:
    """router() serves the API under its prefix beside the application's own routes."""
    with TestClient(_host_app(MemoryStore())) as client:
        key = {"x-api-key": "let-me-in"}
        created = client.post(f"/api/v1{URL}", json=BODY, headers=key)
        assert created.status_code == 201
        listed = client.get(f"/api/v1{URL}", headers=key).json()
        assert listed["total"] == 1
        assert client.get("/health").json() == {"status": "ok"}
        assert client.get(URL).status_code == 404


def test_router_dependencies_guard_every_route() -> None:
    """A dependency given to router() runs before every operation, stats included: 401."""
    store = MemoryStore()
    record = store.create(BODY)
    with TestClient(_host_app(store)) as client:
        for method, path, body in [
            ("GET", URL, None),
            ("GET", f"{URL}/stats", None),
            ("POST", URL, BODY),
            ("GET", f"{URL}/{record.id}", None),
            ("PUT", f"{URL}/{record.id}", BODY),
            ("DELETE", f"{URL}/{record.id}", None),
        ]:
            response = client.request(method, f"/api/v1{path}", json=body)
            data = _is_error(response, 401)
            assert data["message"] == "missing or wrong API key"
            assert response.headers["www-authenticate"] == "ApiKey"
    assert store.count() == 1


def test_router_keeps_its_error_body_inside_a_host_app() -> None:
    """Mounted in an app without the API's handlers, the routes still answer their error body."""
    with TestClient(_host_app(MemoryStore())) as client:
        key = {"x-api-key": "let-me-in"}
        response = client.get(f"/api/v1{URL}", params={"limit": 0}, headers=key)
        assert _is_error(response, 400)["errors"][0]["field"] == "limit"
        response = client.post(f"/api/v1{URL}", json={}, headers=key)
        _is_error(response, 422)
        _is_error(client.get(f"/api/v1{URL}/nope", headers=key), 404)


def test_router_leaves_the_host_apps_own_errors_to_its_handlers() -> None:
    """An application's own exception raised in a dependency reaches the application's handler."""
    with TestClient(_host_app(MemoryStore())) as client:
        headers = {"x-api-key": "let-me-in", "x-teapot": "1"}
        response = client.get(f"/api/v1{URL}", headers=headers)
        assert response.status_code == 418
        assert response.json() == {"teapot": True}


def test_router_opens_a_store_from_a_url() -> None:
    """router() accepts a store URL and serves the store it opens."""
    with TestClient(_host_app("memory://")) as client:
        key = {"x-api-key": "let-me-in"}
        assert client.post(f"/api/v1{URL}", json=BODY, headers=key).status_code == 201
        assert client.get(f"/api/v1{URL}", headers=key).json()["total"] == 1


def test_create_app_prefix_and_dependencies() -> None:
    """create_app's prefix moves the API; its dependencies guard it; the docs stay at /docs."""
    app = create_app(MemoryStore(), prefix="/logs", dependencies=[Depends(_require_key)])
    with TestClient(app) as client:
        assert client.get(f"/logs{URL}").status_code == 401
        ok = client.get(f"/logs{URL}", headers={"x-api-key": "let-me-in"})
        assert ok.json() == {"success": True, "data": [], "total": 0, "nextCursor": None}
        assert client.get("/docs").status_code == 200
        assert f"/logs{URL}" in client.get("/openapi.json").json()["paths"]


def test_interactive_docs_are_served() -> None:
    """/docs serves the interactive API documentation of /openapi.json."""
    with TestClient(create_app(MemoryStore())) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        assert "openapi.json" in page.text
        assert client.get("/openapi.json").json()["info"]["title"] == "Integration Action Logs API"


# -- the store's lifecycle ------------------------------------------------------------------------


def test_store_opened_from_a_url_is_closed_on_shutdown() -> None:
    """create_app(url) opens the store and closes it when the application shuts down."""
    app = create_app("memory://")
    opened: Store = app.state.store
    with TestClient(app) as client:
        assert client.post(URL, json=BODY).status_code == 201
        assert not opened.closed
    assert opened.closed


def test_router_closes_the_store_it_opened_when_the_app_shuts_down() -> None:
    """router(url) closes its store at shutdown: later requests find it closed (503)."""
    app = _host_app("memory://")
    key = {"x-api-key": "let-me-in"}
    with TestClient(app) as client:
        assert client.post(f"/api/v1{URL}", json=BODY, headers=key).status_code == 201
    after_shutdown = TestClient(app).get(f"/api/v1{URL}", headers=key)
    _is_error(after_shutdown, 503)


def test_store_passed_in_stays_open_after_shutdown() -> None:
    """A store passed to create_app is the caller's: shutdown leaves it open."""
    store = MemoryStore()
    with TestClient(create_app(store)) as client:
        client.post(URL, json=BODY)
    assert not store.closed
    assert store.count() == 1


def test_unusable_store_url_is_refused_at_creation() -> None:
    """A malformed or unknown store URL fails create_app with ConfigurationError."""
    with pytest.raises(ConfigurationError):
        create_app("nonsense")
    with pytest.raises(ConfigurationError):
        create_app("nosuchscheme://x")


# -- CORS -----------------------------------------------------------------------------------------


def _preflight(client: TestClient, origin: str) -> Any:
    return client.options(
        URL,
        headers={
            "origin": origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )


def test_cors_is_off_by_default() -> None:
    """Without cors_origins no response allows another origin."""
    with TestClient(create_app(MemoryStore())) as client:
        preflight = _preflight(client, "https://admin.example")
        assert "access-control-allow-origin" not in preflight.headers
        response = client.get(URL, headers={"origin": "https://admin.example"})
        assert "access-control-allow-origin" not in response.headers


def test_cors_allows_only_the_configured_origins() -> None:
    """cors_origins lets exactly those origins call the API from a browser."""
    app = create_app(MemoryStore(), cors_origins=["https://admin.example"])
    with TestClient(app) as client:
        allowed = _preflight(client, "https://admin.example")
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://admin.example"
        response = client.get(URL, headers={"origin": "https://admin.example"})
        assert response.headers["access-control-allow-origin"] == "https://admin.example"
        refused = _preflight(client, "https://evil.example")
        assert "access-control-allow-origin" not in refused.headers
        other = client.get(URL, headers={"origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


# -- imports --------------------------------------------------------------------------------------


def test_core_and_command_line_do_not_import_the_web_stack() -> None:
    """import actionlogkit and the list command load neither FastAPI, Starlette nor uvicorn."""
    code = (
        "import sys, actionlogkit\n"
        "from actionlogkit.cli import main\n"
        "assert main(['list', '--store', 'memory://']) == 0\n"
        "loaded = [m for m in ('fastapi', 'starlette', 'uvicorn') if m in sys.modules]\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


class SwitchableStore(MemoryStore):
    """A MemoryStore whose reads fail while ``down`` is set, as a database that went away."""

    down = False

    def _count(self, filter: Any, search: str | None) -> int:
        if self.down:
            raise ConnectionError("connection refused\n\tIs the server running?")
        return super()._count(filter, search)


def test_a_store_outage_logs_one_line_per_503_and_the_traceback_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each 503 logs one line; the traceback comes once per outage, not once per request."""
    store = SwitchableStore()
    client = TestClient(create_app(store))
    with caplog.at_level(logging.WARNING, logger="actionlogkit.http"):
        for outage_requests in (3, 2):
            store.down = True
            for _ in range(outage_requests):
                assert client.get(URL).status_code == 503
            store.down = False
            assert client.get(URL).status_code == 200
    records = [r for r in caplog.records if r.name == "actionlogkit.http"]
    failures = [r for r in records if r.getMessage().startswith("503:")]
    assert len(failures) == 5
    assert all("\n" not in r.getMessage() for r in failures)
    assert [r.exc_info is not None for r in failures] == [True, False, False, True, False]
    assert [r.getMessage() for r in records].count("the store answers again") == 2
