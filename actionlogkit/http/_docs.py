"""The interactive API documentation at ``/docs``, served whole from installed packages.

FastAPI's own ``/docs`` page loads Swagger UI from a CDN; this one serves Swagger UI's files from
the ``fastapi-offline`` package (installed with the ``http`` extra) and starts it with a script
file of the package's own, so the page works offline and under a Content-Security-Policy that
allows no inline script.
"""

from __future__ import annotations

import html
from functools import cache
from importlib import resources

from fastapi import APIRouter
from starlette.responses import Response

__all__ = ["DOCS_CONTENT_SECURITY_POLICY", "docs_router"]

DOCS_CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        # Swagger UI sets style attributes as it renders; scripts stay the page's own files.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
_FILES = {
    "swagger-ui-bundle.js": ("fastapi_offline", "static", "text/javascript; charset=utf-8"),
    "swagger-ui.css": ("fastapi_offline", "static", "text/css; charset=utf-8"),
    "favicon.png": ("fastapi_offline", "static", "image/png"),
    "docs-init.js": ("actionlogkit.http", "viewer", "text/javascript; charset=utf-8"),
}
_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="{assets}/favicon.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/docs-init.js"></script>
</body>
</html>
"""


@cache
def _file(name: str) -> bytes:
    package, folder, _ = _FILES[name]
    return resources.files(package).joinpath(folder).joinpath(name).read_bytes()


def docs_router(
    *, path: str = "/docs", openapi_url: str = "/openapi.json", title: str
) -> APIRouter:
    """The documentation page at ``path`` and Swagger UI's files at ``{path}/assets/``."""
    docs = APIRouter(include_in_schema=False)
    page = _PAGE.format(
        title=html.escape(title),
        assets=html.escape(f"{path}/assets", quote=True),
        openapi=html.escape(openapi_url, quote=True),
    ).encode()

    @docs.get(path)
    def docs_page() -> Response:
        return Response(
            page,
            media_type="text/html; charset=utf-8",
            headers={
                "Content-Security-Policy": DOCS_CONTENT_SECURITY_POLICY,
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-cache",
            },
        )

    @docs.get(f"{path}/assets/{{name}}")
    def docs_asset(name: str) -> Response:
        if name not in _FILES:
            return Response("not found", status_code=404, media_type="text/plain")
        return Response(
            _file(name),
            media_type=_FILES[name][2],
            # Not immutable: the files change with the installed packages, under the same name.
            headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )

    return docs
