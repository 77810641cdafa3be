"""``actionlogkit serve`` guarded: tokens, read-only, redaction, and no unprotected exposure."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

from actionlogkit import open_store
from tests.cli.conftest import RunCli
from tests.cli.test_serve import BODY, URL, _free_port, _serving

READ_SECRET = "r-41d8b6a07f3a9c2e-read"
WRITE_SECRET = "w-93a2f6405b1e8d7c-write"
ROTATED_SECRET = "w-rotated-8d7c93a2f6405b1e"
TOKEN_LINES = (
    f"# who may use the logs\ndashboard:read:{READ_SECRET}\ndeployer:write:{WRITE_SECRET}\n"
)


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _env(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name != "ACTIONLOGKIT_TOKENS"}
    return {**env, **extra}


# -- no unprotected exposure -----------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "logs.example"])
def test_serve_on_a_public_address_without_tokens_refuses_to_start(
    host: str, tmp_path: Path, sqlite_url: str, run_cli: RunCli
) -> None:
    """serve --host 0.0.0.0 (or any address but loopback) without tokens: exit 2, says why."""
    path = tmp_path / "logs.db"
    result = run_cli("serve", "--host", host, "--port", str(_free_port()), "--store", sqlite_url)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"actionlogkit serve: error: refusing to serve on {host} without tokens")
    assert "--token-file" in line
    assert "--insecure-no-auth" in line
    assert not path.exists()


def test_serve_on_every_interface_with_insecure_no_auth_warns_on_each_start() -> None:
    """--insecure-no-auth starts the unprotected server, and says so every time it starts."""
    for _ in range(2):
        with _serving("--store", "memory://", "--host", "0.0.0.0", "--insecure-no-auth") as server:
            assert httpx.post(f"{server.base}{URL}", json=BODY).status_code == 201
        assert "warning: --insecure-no-auth: no token is required" in server.stderr
        assert "can read, change and delete the logs" in server.stderr


def test_serve_on_every_interface_with_tokens_starts(tmp_path: Path) -> None:
    """With a token file, serve listens on 0.0.0.0 and requires the tokens."""
    tokens = tmp_path / "tokens"
    tokens.write_text(TOKEN_LINES)
    args = ("--store", "memory://", "--host", "0.0.0.0", "--token-file", str(tokens))
    with _serving(*args) as server:
        assert httpx.get(f"{server.base}{URL}").status_code == 401
        assert httpx.get(f"{server.base}{URL}", headers=_bearer(READ_SECRET)).status_code == 200
    assert "tokens from " in server.stderr
    assert "dashboard (read), deployer (write)" in server.stderr


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("--token-file", "{tokens}"), {"ACTIONLOGKIT_TOKENS": TOKEN_LINES}, "not both"),
        (("--token-file", "{tokens}", "--insecure-no-auth"), {}, "contradicts"),
        (("--token-file", "{missing}"), {}, "token file"),
        (
            (),
            {"ACTIONLOGKIT_TOKENS": "deployer:admin:" + WRITE_SECRET},
            "ACTIONLOGKIT_TOKENS, entry 1",
        ),
    ],
    ids=["both-sources", "tokens-and-insecure", "missing-file", "bad-scope"],
)
def test_serve_refuses_unusable_tokens_before_opening_the_store(
    args: tuple[str, ...], env: dict[str, str], message: str, tmp_path: Path, sqlite_url: str
) -> None:
    """Tokens given twice, beside --insecure-no-auth, missing or broken: exit 2, no store."""
    import subprocess
    import sys

    tokens = tmp_path / "tokens"
    tokens.write_text(TOKEN_LINES)
    given = [arg.format(tokens=tokens, missing=tmp_path / "missing") for arg in args]
    result = subprocess.run(
        [sys.executable, "-m", "actionlogkit.cli", "serve", "--store", sqlite_url, *given],
        capture_output=True,
        text=True,
        env=_env(**env),
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert WRITE_SECRET not in result.stderr
    assert not (tmp_path / "logs.db").exists()


# -- tokens over real HTTP -------------------------------------------------------------------------


def test_serve_with_a_token_file_checks_every_route_and_logs_each_change(tmp_path: Path) -> None:
    """401, 403, success by scope; the audit names the token; no secret reaches the log."""
    tokens = tmp_path / "tokens"
    tokens.write_text(TOKEN_LINES)
    args = ("--store", "memory://", "--token-file", str(tokens), "--log-level", "debug")
    with _serving(*args) as server, httpx.Client(base_url=server.base) as client:
        for path in (URL, f"{URL}/stats", "/openapi.json"):
            refused = client.get(path)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"] == "Bearer"
            assert client.get(path, headers=_bearer(WRITE_SECRET[::-1])).status_code == 401
            assert client.get(path, headers=_bearer(READ_SECRET)).status_code == 200
        assert client.post(URL, json=BODY, headers=_bearer(READ_SECRET)).status_code == 403
        created = client.post(URL, json=BODY, headers=_bearer(WRITE_SECRET))
        assert created.status_code == 201
        record_id = created.json()["data"]["_id"]
        assert client.delete(f"{URL}/{record_id}", headers=_bearer(WRITE_SECRET)).is_success
        for page in ("/", "/docs"):
            assert client.get(page).status_code == 200
    assert f"POST {URL} by token 'deployer': record {record_id}" in server.stderr
    assert f"DELETE {URL}/{record_id} by token 'deployer': record {record_id}" in server.stderr
    for secret in (READ_SECRET, WRITE_SECRET, WRITE_SECRET[::-1]):
        assert secret not in server.stderr


def test_serve_takes_tokens_from_the_environment() -> None:
    """ACTIONLOGKIT_TOKENS (entries separated by commas) configures the tokens."""
    entries = f"dashboard:read:{READ_SECRET},deployer:write:{WRITE_SECRET}"
    env = _env(ACTIONLOGKIT_TOKENS=entries)
    with _serving("--store", "memory://", env=env) as server:
        assert httpx.get(f"{server.base}{URL}").status_code == 401
        writer = _bearer(WRITE_SECRET)
        assert httpx.post(f"{server.base}{URL}", json=BODY, headers=writer).status_code == 201
    assert "tokens from ACTIONLOGKIT_TOKENS: dashboard (read), deployer (write)" in server.stderr
    assert READ_SECRET not in server.stderr


def test_serve_reads_a_rewritten_token_file_without_a_restart(tmp_path: Path) -> None:
    """Rotation: the running server accepts the new token and refuses the replaced one."""
    tokens = tmp_path / "tokens"
    tokens.write_text(TOKEN_LINES)
    with _serving("--store", "memory://", "--token-file", str(tokens)) as server:
        url = f"{server.base}{URL}"
        assert httpx.get(url, headers=_bearer(WRITE_SECRET)).status_code == 200
        replacement = tmp_path / "tokens.new"
        replacement.write_text(f"deployer:write:{ROTATED_SECRET}\n")
        replacement.replace(tokens)  # as a deployment rotates a secret: a whole new file
        os.utime(tokens, ns=(time.time_ns() + 1_000_000_000,) * 2)
        assert httpx.get(url, headers=_bearer(ROTATED_SECRET)).status_code == 200
        assert httpx.get(url, headers=_bearer(WRITE_SECRET)).status_code == 401
        assert httpx.get(url, headers=_bearer(READ_SECRET)).status_code == 401
    assert server.process.returncode == 0


# -- read-only and redaction -----------------------------------------------------------------------


def test_serve_read_only_refuses_writes_and_documents_only_reads(sqlite_url: str) -> None:
    """--read-only: POST, PUT, DELETE answer 405; the document lists GET operations only."""
    with open_store(sqlite_url) as store:
        record = store.create(BODY)
    with (
        _serving("--store", sqlite_url, "--read-only") as server,
        httpx.Client(base_url=server.base) as client,
    ):
        for method, path in (
            ("POST", URL),
            ("PUT", f"{URL}/{record.id}"),
            ("DELETE", f"{URL}/{record.id}"),
        ):
            response = client.request(method, path, json=BODY)
            assert response.status_code == 405
            assert response.json()["message"] == "the API is read-only"
        assert client.get(f"{URL}/{record.id}").json()["data"]["_id"] == record.id
        paths = client.get("/openapi.json").json()["paths"]
        assert {method for operations in paths.values() for method in operations} == {"get"}
    assert "read-only" in server.stderr
    with open_store(sqlite_url) as store:
        assert store.list().data == [record]


def test_serve_redact_stores_no_secret(sqlite_url: str) -> None:
    """--redact: a password posted in a payload is stored as [REDACTED]."""
    body = {
        **BODY,
        "payload": {"password": "hunter2-over-http"},
        "errorMessage": "Authorization: Bearer abc.def.ghi",
    }
    with _serving("--store", sqlite_url, "--redact") as server:
        assert httpx.post(f"{server.base}{URL}", json=body).status_code == 201
    with open_store(sqlite_url) as store:
        [record] = store.list().data
    assert record.payload == {"password": "[REDACTED]"}
    assert record.error_message == "Authorization: [REDACTED]"
