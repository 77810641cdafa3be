"""``redact=True``: the REST API stores bodies with the recorder's redaction applied."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from actionlogkit import Store, available_schemes, open_store
from actionlogkit.http import create_app, router

URL = "/integration-action-logs"
# Each secret sits where one of the recorder's default rules finds it.
SECRETS = {
    "key": "hunter2-by-key",
    "header": "sk_live_by_header_51Hx",
    "userinfo": "pw-in-the-url-9931",
    "bearer": "eyJhbGciOi.bearer.part",
    "query": "tok-in-a-query-77",
    "metadata": "session-abc-123-xyz",
    "cookie": "sid=cookie-9f8e7d6c",
}


def _body(status: str = "failed") -> dict[str, Any]:
    return {
        "integrationId": "shop-1",
        "actionType": "update",
        "entityType": "product",
        "status": status,
        "payload": {
            "sku": "sku-1",
            "login": {"password": SECRETS["key"]},
            "lines": [{"note": f"https://svc:{SECRETS['userinfo']}@api.example/v1"}],
        },
        "response": {
            "headers": {"X-Api-Key": SECRETS["header"]},
            "raw": [["Content-Type", "text/plain"], ["Set-Cookie", SECRETS["cookie"]]],
            "status": 401,
        },
        "errorMessage": (
            f"HTTP 401 for GET /v1?access_token={SECRETS['query']} "
            f"(Authorization: Bearer {SECRETS['bearer']})"
        ),
        "metadata": {"sessionId": SECRETS["metadata"], "requestId": "req-1"},
    }


def _raw(store: Store, sqlite_path: Path | None) -> str:
    """Everything the store holds, as its own storage has it."""
    if sqlite_path is None:
        return "\n".join(r.model_dump_json(by_alias=True) for r in store.list(limit=100).data)
    store.close()
    rows: list[str] = []
    with sqlite3.connect(sqlite_path) as connection:
        tables = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
        ).fetchall()
        assert tables
        for (table,) in tables:
            rows.extend(map(str, connection.execute(f'SELECT * FROM "{table}"')))
    connection.close()
    # The file's bytes too: search indexes and free pages hold text the tables no longer show.
    return "\n".join(rows) + sqlite_path.read_bytes().decode("latin-1")


def _opened(kind: str, tmp_path: Path) -> tuple[Store, Path | None]:
    if kind == "memory":
        return open_store("memory://"), None
    if "sqlite" not in available_schemes():
        pytest.skip("actionlogkit-sql is not installed")
    path = tmp_path / "logs.db"
    return open_store(f"sqlite:///{path}"), path


@pytest.mark.parametrize("redact", [True, False])
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_posted_and_put_secrets_never_reach_the_storage_with_redact(
    kind: str, redact: bool, tmp_path: Path
) -> None:
    """With redact=True no secret is in what POST and PUT stored; without it, every one is."""
    store, path = _opened(kind, tmp_path)
    with TestClient(create_app(store, redact=redact)) as client:
        created = client.post(URL, json=_body())
        assert created.status_code == 201
        record_id = created.json()["data"]["_id"]
        replaced = client.put(f"{URL}/{record_id}", json=_body("retrying"))
        assert replaced.status_code == 200
        second = client.post(URL, json=_body("success"))
        assert second.status_code == 201
        answered = created.text + replaced.text + second.text
    raw = _raw(store, path)
    store.close()
    for where, secret in SECRETS.items():
        assert (secret in raw) is not redact, where
        assert (secret in answered) is not redact, where


def test_redaction_keeps_everything_else_of_the_record() -> None:
    """Only the secrets change: other keys and values, numbers and the shape are kept."""
    with TestClient(create_app("memory://", redact=True)) as client:
        data = client.post(URL, json=_body()).json()["data"]
    assert data["payload"] == {
        "sku": "sku-1",
        "login": {"password": "[REDACTED]"},
        "lines": [{"note": "https://svc:[REDACTED]@api.example/v1"}],
    }
    assert data["response"] == {
        "headers": {"X-Api-Key": "[REDACTED]"},
        "raw": [["Content-Type", "text/plain"], ["Set-Cookie", "[REDACTED]"]],
        "status": 401,
    }
    assert data["metadata"] == {"sessionId": "[REDACTED]", "requestId": "req-1"}
    assert data["errorMessage"] == (
        "HTTP 401 for GET /v1?access_token=[REDACTED] (Authorization: [REDACTED])"
    )
    assert (data["integrationId"], data["status"]) == ("shop-1", "failed")


def test_a_key_that_holds_a_secret_is_scrubbed_and_kept_apart() -> None:
    """A key with a credential in it loses the credential; two keys that become one stay two."""
    payload = {"Bearer abcdefghijklmnop": 1, "Bearer qrstuvwxyz012345": 2}
    with TestClient(create_app("memory://", redact=True)) as client:
        body = {**_body(), "payload": payload}
        data = client.post(URL, json=body).json()["data"]
    assert data["payload"] == {"Bearer [REDACTED]": 1, "Bearer [REDACTED]~2": 2}


def test_a_short_secret_in_a_message_at_its_bound_keeps_the_message_valid() -> None:
    """A message of the longest length whose secret grows into the marker is cut, not refused."""
    message = "x" * (65_536 - len(" token=ab")) + " token=ab"
    with TestClient(create_app("memory://", redact=True)) as client:
        created = client.post(URL, json={**_body(), "errorMessage": message})
    assert created.status_code == 201
    stored = created.json()["data"]["errorMessage"]
    assert len(stored) == 65_536
    assert "ab" not in stored[-12:]


def test_a_router_with_redact_redacts_in_any_application() -> None:
    """router(redact=True) mounted in an application of one's own redacts the same way."""
    app = FastAPI()
    store = open_store("memory://")
    app.include_router(router(store, redact=True))
    with TestClient(app) as client:
        assert client.post(URL, json=_body()).status_code == 201
    [record] = store.list().data
    assert record.payload == {
        "sku": "sku-1",
        "login": {"password": "[REDACTED]"},
        "lines": [{"note": "https://svc:[REDACTED]@api.example/v1"}],
    }
