"""Who may read and change the logs over HTTP: tokens on every route, read-only mode, the audit."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.testclient import TestClient

from actionlogkit import ConfigurationError, MemoryStore, Store
from actionlogkit.http import create_app, router

URL = "/integration-action-logs"
READ_SECRET = "r-7f3a9c2e41d8b6a0-read"
WRITE_SECRET = "w-5b1e8d7c93a2f640-write"
WRONG_SECRET = "x-0000000000000000-none"
TOKENS = f"dashboard:read:{READ_SECRET},deployer:write:{WRITE_SECRET}"
SECRETS = (READ_SECRET, WRITE_SECRET, WRONG_SECRET)
BODY: dict[str, Any] = {
    "integrationId": "shop-1",
    "actionType": "create",
    "entityType": "product",
    "status": "success",
}
REPLACEMENT: dict[str, Any] = {**BODY, "status": "failed", "errorMessage": "HTTP 500"}


@dataclass(frozen=True)
class Route:
    """One route of the API: how to call it, whether it writes, what it answers when allowed."""

    method: str
    path: str  # "{id}" stands for a stored record's id
    writes: bool
    ok: int
    body: dict[str, Any] | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ROUTES = [
    Route("GET", URL, writes=False, ok=200),
    Route("GET", f"{URL}/stats", writes=False, ok=200),
    Route("GET", f"{URL}/{{id}}", writes=False, ok=200),
    Route("GET", "/openapi.json", writes=False, ok=200),
    Route("POST", URL, writes=True, ok=201, body=BODY),
    Route("PUT", f"{URL}/{{id}}", writes=True, ok=200, body=REPLACEMENT),
    Route("DELETE", f"{URL}/{{id}}", writes=True, ok=200),
]
WRITE_ROUTES = [route for route in ROUTES if route.writes]
CALLERS: dict[str, str | None] = {
    "no token": None,
    "wrong token": f"Bearer {WRONG_SECRET}",
    "read token": f"Bearer {READ_SECRET}",
    "write token": f"Bearer {WRITE_SECRET}",
}


def _call(client: TestClient, route: Route, record_id: str, authorization: str | None) -> Any:
    headers = {} if authorization is None else {"Authorization": authorization}
    return client.request(
        route.method, route.path.replace("{id}", record_id), json=route.body, headers=headers
    )


def _is_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"success", "message", "errors"}
    assert body["success"] is False
    return body


def _snapshot(store: Store) -> list[str]:
    return [record.model_dump_json(by_alias=True) for record in store.list(limit=100).data]


@pytest.fixture
def guarded(store: Store) -> Iterator[tuple[TestClient, str]]:
    """The application with tokens over ``store`` holding one record, and that record's id."""
    record = store.create(BODY)
    with TestClient(create_app(store, tokens=TOKENS)) as client:
        yield client, record.id


# -- every route × every caller --------------------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS, ids=str)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_route_answers_each_caller_as_its_token_allows(
    store: Store, guarded: tuple[TestClient, str], route: Route, caller: str
) -> None:
    """No or a wrong token: 401 Bearer; a read token writing: 403; else the route's answer."""
    client, record_id = guarded
    before = _snapshot(store)
    response = _call(client, route, record_id, CALLERS[caller])
    if caller in ("no token", "wrong token"):
        body = _is_error(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
        assert "bearer token" in body["message"]
    elif caller == "read token" and route.writes:
        body = _is_error(response, 403)
        assert body["message"] == "the token 'dashboard' may only read"
    else:
        assert response.status_code == route.ok, response.text
        if route.writes:
            assert _snapshot(store) != before
        return
    assert _snapshot(store) == before


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic ZGVwbG95ZXI6c2VjcmV0",
        "Bearer",
        "Bearer ",
        f"Token {WRITE_SECRET}",
        f"Bearer {WRITE_SECRET}x",
        f"Bearer {WRITE_SECRET[:-1]}",
        f"Bearer {WRITE_SECRET.upper()}",
        f"{WRITE_SECRET}",
    ],
)
def test_only_an_exact_bearer_token_is_accepted(
    guarded: tuple[TestClient, str], authorization: str
) -> None:
    """Another scheme, an empty token, a token one character off or in another case: 401."""
    client, _ = guarded
    response = client.get(URL, headers={"Authorization": authorization})
    _is_error(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_the_scheme_name_is_read_in_any_case(guarded: tuple[TestClient, str]) -> None:
    """``bearer`` and ``BEARER`` name the same scheme (RFC 7235: schemes are case-insensitive)."""
    client, _ = guarded
    for scheme in ("bearer", "BEARER"):
        assert client.get(URL, headers={"Authorization": f"{scheme} {READ_SECRET}"}).is_success


def test_the_token_is_checked_before_the_query_and_the_body(
    store: Store, guarded: tuple[TestClient, str]
) -> None:
    """Without a token, a bad query, a body not JSON or too large is a 401, not a 400/415/413."""
    client, _ = guarded
    _is_error(client.get(URL, params={"bogus": "1"}), 401)
    _is_error(client.post(URL, content=b"x", headers={"content-type": "text/plain"}), 401)
    huge = b'{"integrationId": "' + b"x" * 2_000_000 + b'"}'
    _is_error(client.post(URL, content=huge, headers={"content-type": "application/json"}), 401)
    reader = {"Authorization": f"Bearer {READ_SECRET}"}
    _is_error(client.post(URL, content=b"{", headers=reader), 403)
    assert store.count() == 1


def test_pages_and_static_files_stay_public(store: Store) -> None:
    """The viewer, /docs and their files answer without a token; they carry no data."""
    app = create_app(store, tokens=TOKENS, viewer=True)
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200
        assets = [part.split('"')[0] for part in page.text.split('src="')[1:]]
        assert assets
        for asset in assets:
            assert client.get(asset).status_code == 200, asset
        assert client.get("/docs").status_code == 200
        assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
        assert client.get("/docs/assets/docs-init.js").status_code == 200
        _is_error(client.get(URL), 401)


def test_own_dependencies_still_run_after_the_token_check(store: Store) -> None:
    """An application's dependencies apply too: the token first, then its own check."""

    def require_key(x_api_key: Annotated[str | None, Header()] = None) -> None:
        if x_api_key != "let-me-in":
            raise HTTPException(401, "missing or wrong API key")

    app = create_app(store, tokens=TOKENS, dependencies=[Depends(require_key)])
    token = {"Authorization": f"Bearer {READ_SECRET}"}
    with TestClient(app) as client:
        assert _is_error(client.get(URL), 401)["message"] == "a bearer token is required"
        refused = _is_error(client.get(f"{URL}/stats", headers=token), 401)
        assert refused["message"] == "missing or wrong API key"
        both = {**token, "x-api-key": "let-me-in"}
        assert client.get(f"{URL}/stats", headers=both).status_code == 200


def test_a_router_with_tokens_answers_its_error_body_in_any_application() -> None:
    """router(tokens=...) mounted in a bare FastAPI app: 401 and 403 in the API's error body."""
    app = FastAPI()
    app.include_router(router(MemoryStore(), prefix="/api", tokens=TOKENS))
    with TestClient(app) as client:
        response = client.get(f"/api{URL}")
        _is_error(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
        reader = {"Authorization": f"Bearer {READ_SECRET}"}
        _is_error(client.post(f"/api{URL}", json=BODY, headers=reader), 403)
        writer = {"Authorization": f"Bearer {WRITE_SECRET}"}
        assert client.post(f"/api{URL}", json=BODY, headers=writer).status_code == 201
        assert client.get(f"/api{URL}", headers=reader).json()["total"] == 1


def test_tokens_given_twice_or_broken_are_refused_before_the_store_opens(tmp_path: Path) -> None:
    """Both token_file and tokens, or a bad entry: ConfigurationError, and no store file."""
    path = tmp_path / "tokens"
    path.write_text(f"deployer:write:{WRITE_SECRET}\n")
    url = f"sqlite:///{tmp_path / 'never.db'}"
    with pytest.raises(ConfigurationError, match="one of them"):
        create_app(url, token_file=path, tokens=TOKENS)
    with pytest.raises(ConfigurationError, match="scope"):
        router(url, tokens="deployer:admin:" + WRITE_SECRET)
    assert not (tmp_path / "never.db").exists()


# -- read-only -------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", WRITE_ROUTES, ids=str)
def test_read_only_refuses_every_write_route_with_405(store: Store, route: Route) -> None:
    """POST, PUT and DELETE: 405 in the error body with Allow: GET, whatever the body; unchanged."""
    record = store.create(BODY)
    before = _snapshot(store)
    with TestClient(create_app(store, read_only=True)) as client:
        for body in (route.body, {"not": "a record"}):
            response = client.request(
                route.method, route.path.replace("{id}", record.id), json=body
            )
            assert _is_error(response, 405)["message"] == "the API is read-only"
            assert response.headers["allow"] == "GET"
    assert _snapshot(store) == before


@pytest.mark.parametrize(
    ("caller", "status"), [("no token", 401), ("read token", 403), ("write token", 405)]
)
@pytest.mark.parametrize("route", WRITE_ROUTES, ids=str)
def test_read_only_with_tokens_answers_401_then_403_then_405(
    store: Store, route: Route, caller: str, status: int
) -> None:
    """The token is checked first, its scope next, read-only mode last."""
    record = store.create(BODY)
    before = _snapshot(store)
    with TestClient(create_app(store, tokens=TOKENS, read_only=True)) as client:
        _is_error(_call(client, route, record.id, CALLERS[caller]), status)
    assert _snapshot(store) == before


@pytest.mark.parametrize("route", [route for route in ROUTES if not route.writes], ids=str)
def test_read_only_still_answers_every_read_route(store: Store, route: Route) -> None:
    """In read-only mode the list, stats, a record and the document answer as before."""
    record = store.create(BODY)
    with TestClient(create_app(store, read_only=True)) as client:
        assert _call(client, route, record.id, None).status_code == route.ok


def test_read_only_leaves_the_writing_operations_out_of_the_document() -> None:
    """The OpenAPI document of a read-only API has only its GET operations."""
    with TestClient(create_app(MemoryStore(), read_only=True)) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert {path: sorted(operations) for path, operations in paths.items()} == {
        URL: ["get"],
        f"{URL}/stats": ["get"],
        f"{URL}/{{id}}": ["get"],
    }


def test_a_read_only_router_answers_405_in_any_application() -> None:
    """router(read_only=True) in a bare FastAPI app: the 405 is the API's error body."""
    app = FastAPI()
    app.include_router(router(MemoryStore(), read_only=True))
    with TestClient(app) as client:
        _is_error(client.post(URL, json=BODY), 405)
        assert client.get(URL).json()["total"] == 0


# -- the OpenAPI document --------------------------------------------------------------------------


def test_with_tokens_the_document_declares_the_bearer_scheme_on_every_operation() -> None:
    """securitySchemes has bearerAuth; each operation requires it and documents 401 (403 writes)."""
    app = create_app(MemoryStore(), tokens=TOKENS)
    with TestClient(app) as client:
        document = client.get("/openapi.json", headers={"Authorization": f"Bearer {READ_SECRET}"})
    schemes = document.json()["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["type"] == "http"
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    operations = [
        (method, operation)
        for path in document.json()["paths"].values()
        for method, operation in path.items()
    ]
    assert len(operations) == 6
    for method, operation in operations:
        assert operation["security"] == [{"bearerAuth": []}]
        assert "401" in operation["responses"]
        assert ("403" in operation["responses"]) == (method != "get")


def test_without_tokens_the_document_has_no_security() -> None:
    """No tokens configured: no security scheme and no 401 anywhere in the document."""
    with TestClient(create_app(MemoryStore())) as client:
        text = client.get("/openapi.json").text
    assert "securitySchemes" not in text
    assert '"401"' not in text


# -- the audit, and secrets never shown ------------------------------------------------------------


def test_each_change_is_logged_with_the_tokens_name_the_record_and_the_route(
    store: Store, guarded: tuple[TestClient, str], caplog: pytest.LogCaptureFixture
) -> None:
    """POST, PUT and DELETE each log who (the token's name), what record, which route."""
    client, _ = guarded
    writer = {"Authorization": f"Bearer {WRITE_SECRET}"}
    with caplog.at_level(logging.DEBUG, logger="actionlogkit.http"):
        created = client.post(URL, json=BODY, headers=writer).json()["data"]["_id"]
        client.put(f"{URL}/{created}", json=REPLACEMENT, headers=writer)
        client.get(f"{URL}/{created}", headers=writer)
        client.delete(f"{URL}/{created}", headers=writer)
    audit = [r.getMessage() for r in caplog.records if r.name == "actionlogkit.http"]
    assert audit == [
        f"POST {URL} by token 'deployer': record {created}",
        f"PUT {URL}/{created} by token 'deployer': record {created}",
        f"DELETE {URL}/{created} by token 'deployer': record {created}",
    ]
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "actionlogkit.http")


def test_a_token_never_appears_in_logs_or_error_bodies(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """Every route and caller, a refused rotation, an outage: no secret in any log or answer."""
    record = store.create(BODY)
    answers: list[str] = []
    with caplog.at_level(logging.DEBUG):
        with TestClient(create_app(store, tokens=TOKENS, viewer=True)) as client:
            for route in ROUTES:
                for authorization in CALLERS.values():
                    answers.append(_call(client, route, record.id, authorization).text)
            for name in ("Basic", "Bearer", "Token"):
                answer = client.get(URL, headers={"Authorization": f"{name} {WRONG_SECRET}"})
                answers.append(answer.text + str(answer.headers))
            store.close()  # an outage: a 503, logged with its traceback
            answer = client.get(URL, headers={"Authorization": f"Bearer {READ_SECRET}"})
            assert answer.status_code == 503
            answers.append(answer.text)
        with pytest.raises(ConfigurationError) as caught:
            create_app(MemoryStore(), tokens=f"dashboard:read:{READ_SECRET},x:y:{WRITE_SECRET}")
        answers.append(str(caught.value))
    everything = "\n".join(answers) + caplog.text
    assert caplog.records  # the outage and the audit were logged
    for secret in SECRETS:
        assert secret not in everything


def test_a_rotated_token_file_takes_effect_without_a_restart(store: Store, tmp_path: Path) -> None:
    """Rewriting the token file: the new token works at once, the replaced one is refused."""
    path = tmp_path / "tokens"
    path.write_text(f"# the dashboard's token\ndashboard:read:{READ_SECRET}\n")
    rotated = "r-rotated-1122334455667788"
    with TestClient(create_app(store, token_file=path)) as client:
        old = {"Authorization": f"Bearer {READ_SECRET}"}
        new = {"Authorization": f"Bearer {rotated}"}
        assert client.get(URL, headers=old).status_code == 200
        _is_error(client.get(URL, headers=new), 401)
        path.write_text(f"dashboard:read:{rotated}\n")
        os.utime(path, ns=(1, 1))  # a new modification time, however fast the rewrite was
        assert client.get(URL, headers=new).status_code == 200
        _is_error(client.get(URL, headers=old), 401)
        _is_error(client.get("/openapi.json", headers=old), 401)
