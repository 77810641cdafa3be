"""The complete example of docs/http.md, an application with its own auth, works as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

DOC = Path(__file__).resolve().parents[2] / "docs" / "http.md"
SECTION = "## Your own authentication: dependencies"


def _example() -> str:
    text = DOC.read_text()
    section = text[text.index(SECTION) :]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found is not None
    return found.group(1)


def test_the_documented_application_guards_every_route_with_its_own_dependency() -> None:
    """Run as written (its store in memory): 401 without the key on every route, stats too."""
    code = _example().replace("sqlite:///actionlogs.db", "memory://")
    assert "memory://" in code
    namespace: dict[str, Any] = {"__name__": "admin_app"}
    exec(compile(code, "admin_app.py", "exec"), namespace)
    key = {"X-Api-Key": "k-5b1e8d7c93a2f640"}
    base = "/admin/integration-action-logs"
    body = {"integrationId": "a", "actionType": "create", "entityType": "p", "status": "success"}
    with TestClient(namespace["app"]) as client:
        for method, path in [("GET", base), ("GET", f"{base}/stats"), ("POST", base)]:
            refused = client.request(method, path, json=body if method == "POST" else None)
            assert refused.status_code == 401
            assert refused.json() == {
                "success": False,
                "message": "missing or wrong API key",
                "errors": [],
            }
            assert refused.headers["www-authenticate"] == "ApiKey"
        assert client.post(base, json=body, headers=key).status_code == 201
        assert client.get(f"{base}/stats", headers=key).json()["data"]["groups"][0]["count"] == 1
        assert client.get("/admin/whoami", headers=key).json() == {"user": "ops-team"}
        assert client.get("/admin/logs/").status_code == 200
    namespace["store"].close()
