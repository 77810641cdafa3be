"""The web log viewer: one page and its static files, served from the installed package.

The page and its files are public and carry no data: the page's scripts read everything from the
API routes (the list, a record, stats), so an API that requires credentials keeps requiring them.
Every file comes from ``actionlogkit/http/viewer/`` inside the package (no CDN, no build step:
plain ES modules, CSS and an SVG icon). The page is sent with a Content-Security-Policy that
allows scripts, styles and requests from the application's own origin only, so text from a
record can never run as code even if some rendering path forgot to treat it as text.

Static files live under a path holding a hash of their contents (``assets/<hash>/main.js``): they
are cached for a year, and a new version of the package is a new path. The page itself is never
cached.
"""

from __future__ import annotations

import hashlib
import html
from functools import cache
from importlib import resources

from fastapi import APIRouter
from starlette.responses import RedirectResponse, Response

__all__ = ["CONTENT_SECURITY_POLICY", "SECURITY_HEADERS", "asset_types", "viewer_router"]

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
"""The viewer page's policy: its own origin's scripts, styles and requests, nothing inline."""
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
}
_IMMUTABLE = "public, max-age=31536000, immutable"


def asset_types() -> dict[str, str]:
    """The media type served for each kind of file, by suffix."""
    return dict(_TYPES)


_PACKAGE = "actionlogkit.http"


@cache
def _assets() -> dict[str, bytes]:
    """The viewer's static files by name (the page's template apart), read once."""
    found = {}
    for entry in resources.files(_PACKAGE).joinpath("viewer").joinpath("assets").iterdir():
        suffix = "." + entry.name.rpartition(".")[2]
        if entry.is_file() and suffix in _TYPES:
            found[entry.name] = entry.read_bytes()
    return found


@cache
def _version() -> str:
    digest = hashlib.sha256()
    for name, content in sorted(_assets().items()):
        digest.update(name.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()[:16]


@cache
def _page(api_prefix: str) -> bytes:
    template: str = (
        resources.files(_PACKAGE).joinpath("viewer").joinpath("index.html").read_text("utf-8")
    )
    page = template.replace("{{assets}}", f"assets/{_version()}").replace(
        "{{api}}", html.escape(f"{api_prefix}/integration-action-logs", quote=True)
    )
    return page.encode()


def viewer_router(*, api_prefix: str = "") -> APIRouter:
    """An :class:`APIRouter` serving the log viewer's page at ``/`` and its files below it.

    Mount it where the viewer should live (``app.include_router(viewer_router(), prefix="/logs")``
    serves ``/logs/``); ``api_prefix`` is the prefix the REST API's router was mounted with, so
    that the page finds ``{api_prefix}/integration-action-logs``. The routes are left out of the
    OpenAPI document.
    """
    viewer = APIRouter(include_in_schema=False)

    @viewer.get("/")
    def page() -> Response:
        return Response(
            _page(api_prefix),
            media_type=_TYPES[".html"],
            headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"},
        )

    @viewer.get("/assets/{version}/{name}")
    def asset(version: str, name: str) -> Response:
        content = _assets().get(name)
        if content is None:
            return Response("not found", status_code=404, media_type="text/plain")
        if version != _version():
            # A page of another version asked: send it to this version's file, uncached.
            return RedirectResponse(f"../{_version()}/{name}", status_code=307)
        suffix = "." + name.rpartition(".")[2]
        return Response(
            content,
            media_type=_TYPES[suffix],
            headers={"Cache-Control": _IMMUTABLE, "X-Content-Type-Options": "nosniff"},
        )

    return viewer
