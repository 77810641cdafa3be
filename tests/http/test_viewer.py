"""The log viewer's page and files, and /docs, as served: offline, typed, cached, locked down."""

from __future__ import annotations

import re
from importlib import resources
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.testclient import TestClient

from actionlogkit import MemoryStore, Store
from actionlogkit.http import create_app, router, viewer_router
from actionlogkit.http._viewer import asset_types

# The only absolute URL any served file may hold: the SVG namespace, which is a name, not a fetch.
_ALLOWED_URLS = {"http://www.w3.org/2000/svg"}
_URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'`)]*""")


def _viewer_files() -> dict[str, str]:
    folder = resources.files("actionlogkit.http").joinpath("viewer")
    found = {"index.html": folder.joinpath("index.html").read_text("utf-8")}
    found["docs-init.js"] = folder.joinpath("docs-init.js").read_text("utf-8")
    for entry in folder.joinpath("assets").iterdir():
        found[f"assets/{entry.name}"] = entry.read_text("utf-8")
    return found


@pytest.fixture
def viewer(store: Store) -> TestClient:
    """A client of an application with the viewer, over a store holding one record."""
    store.create(
        {
            "integrationId": "secret-integration-name",
            "actionType": "sync",
            "entityType": "order",
            "status": "failed",
            "errorMessage": "a message only the API may show",
        }
    )
    return TestClient(create_app(store, viewer=True))


def _asset_paths(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]+)"', page)


def test_the_page_carries_no_data_and_a_strict_policy(viewer: TestClient) -> None:
    """/ is the page with a CSP of its own origin, no inline scripts, and none of the records."""
    answer = viewer.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    policy = answer.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-cache"
    assert "secret-integration-name" not in answer.text
    assert "only the API may show" not in answer.text
    assert "<script>" not in answer.text.replace(" ", "")  # no inline script element
    assert '<meta name="actionlogkit-api" content="/integration-action-logs">' in answer.text


def test_every_file_is_served_with_its_type_and_cached_by_version(viewer: TestClient) -> None:
    """Each file the page names is served from the package, typed, and cached for a year."""
    page = viewer.get("/").text
    paths = _asset_paths(page)
    assert len(paths) == 3  # the icon, the style sheet, the main module
    types = asset_types()
    served = set()
    for path in paths:
        assert not path.startswith(("/", "http")), path  # relative: works wherever mounted
        answer = viewer.get(f"/{path}")
        assert answer.status_code == 200, path
        assert answer.headers["content-type"] == types["." + path.rpartition(".")[2]]
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        served.add(path.rpartition("/")[2])
    folder = paths[0].rpartition("/")[0]
    # The modules the main module imports sit beside it, under the same versioned folder.
    for name in ("api.js", "state.js", "table.js", "detail.js", "charts.js", "dom.js"):
        answer = viewer.get(f"/{folder}/{name}")
        assert answer.headers["content-type"] == "text/javascript; charset=utf-8", name
    assert viewer.get(f"/{folder}/nope.js").status_code == 404


def test_a_file_of_another_version_is_redirected_to_this_one(viewer: TestClient) -> None:
    """A page cached from an older version finds the current file by a temporary redirect."""
    page = viewer.get("/").text
    main = next(path for path in _asset_paths(page) if path.endswith("main.js"))
    answer = viewer.get("/assets/0000000000000000/main.js", follow_redirects=False)
    assert answer.status_code == 307
    assert answer.headers["location"] == f"../{main.split('/')[1]}/main.js"


def test_no_file_of_the_viewer_or_the_docs_reaches_another_site() -> None:
    """The viewer's files and the docs page name no URL of another site: no CDN, no fonts."""
    for name, text in _viewer_files().items():
        found = set(_URL.findall(text)) - _ALLOWED_URLS
        assert not found, f"{name}: {found}"
    with TestClient(create_app(MemoryStore())) as client:
        page = client.get("/docs").text
    assert not set(_URL.findall(page)) - _ALLOWED_URLS
    assert "cdn" not in page.lower()


def test_docs_are_served_from_the_package_under_a_policy() -> None:
    """/docs loads Swagger UI's files from the application itself, with no inline script."""
    with TestClient(create_app(MemoryStore())) as client:
        answer = client.get("/docs")
        assert answer.status_code == 200
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self';" in policy
        paths = _asset_paths(answer.text)
        assert paths == [
            "/docs/assets/favicon.png",
            "/docs/assets/swagger-ui.css",
            "/docs/assets/swagger-ui-bundle.js",
            "/docs/assets/docs-init.js",
        ]
        for path in paths:
            served = client.get(path)
            assert served.status_code == 200, path
            assert len(served.content) > 100
        assert client.get("/docs/assets/other.js").status_code == 404
        assert client.get("/redoc").status_code == 404


def test_the_viewer_is_off_unless_asked_for() -> None:
    """create_app without viewer=True serves no page at /."""
    with TestClient(create_app(MemoryStore())) as client:
        assert client.get("/").status_code == 404


def test_the_viewer_router_mounts_in_an_application_of_ones_own() -> None:
    """viewer_router(api_prefix=...) mounted under /logs points its page at the API's prefix."""
    app = FastAPI()
    app.include_router(router(MemoryStore(), prefix="/api"))
    app.include_router(viewer_router(api_prefix="/api"), prefix="/logs")
    with TestClient(app) as client:
        page = client.get("/logs/")
        assert page.status_code == 200
        assert 'content="/api/integration-action-logs"' in page.text
        for path in _asset_paths(page.text):
            assert client.get(f"/logs/{path}").status_code == 200
        assert client.get("/api/integration-action-logs").status_code == 200
        assert "/logs/" not in client.get("/openapi.json").text  # left out of the document


def test_the_viewer_is_public_while_the_api_requires_credentials() -> None:
    """With an authentication dependency, the page and its files answer; the data does not."""

    def require_key(x_api_key: Annotated[str | None, Header()] = None) -> None:
        if x_api_key != "s3cret":
            raise HTTPException(401, "missing or wrong API key")

    app = create_app(MemoryStore(), viewer=True, dependencies=[Depends(require_key)])
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200
        for path in _asset_paths(page.text):
            assert client.get(f"/{path}").status_code == 200
        assert client.get("/integration-action-logs").status_code == 401
        assert client.get("/integration-action-logs/stats").status_code == 401
        headers = {"X-API-Key": "s3cret"}
        assert client.get("/integration-action-logs/stats", headers=headers).status_code == 200
