"""The ready-made application: the router, the app-wide error handlers, CORS when asked for."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.params import Depends
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from actionlogkit._registry import resolve_store
from actionlogkit._version import __version__
from actionlogkit.http._docs import docs_router
from actionlogkit.http._errors import handle_http_exception, handle_unexpected
from actionlogkit.http._operations import (
    DEFAULT_MAX_BODY_BYTES,
    TAG,
    access_for,
    api_router,
    check_max_body_bytes,
)
from actionlogkit.http._viewer import viewer_router
from actionlogkit.store import Store

__all__ = ["TITLE", "create_app"]

TITLE = "Integration Action Logs API"
_DESCRIPTION = (
    "API for managing integration action logs: one record per call a service makes to a third "
    "party, with its status, timing, retries, payload and response.\n\n"
    'Every error has the same body, `{"success": false, "message": "...", "errors": '
    '[{"field": ..., "message": ...}]}`: 400 for a bad query, 404 for an unknown id, 413 for '
    "a body over the limit, 415 for a body that is not JSON, 422 for a body that is not a valid "
    "record, 503 when the store is unavailable."
)
_TOKENS_DESCRIPTION = (
    "\n\nEvery operation requires `Authorization: Bearer <token>`: 401 without a valid token, "
    "403 when a `read` token calls an operation that writes."
)
_OPENAPI_URL = "/openapi.json"


def create_app(
    store: Store | str,
    *,
    prefix: str = "",
    dependencies: Sequence[Depends] = (),
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    cors_origins: Sequence[str] = (),
    title: str = TITLE,
    viewer: bool = False,
    token_file: str | os.PathLike[str] | None = None,
    tokens: Iterable[str] | str | None = None,
    read_only: bool = False,
    redact: bool = False,
) -> FastAPI:
    """A FastAPI application serving the integration action log REST API over ``store``.

    The store is ``app.state.store``.

    Args:
        store: a :class:`~actionlogkit.Store`, or a store URL opened now and closed when the
            application shuts down. A store passed in stays the caller's to close.
        prefix: put before every path of the API (the docs stay at ``/docs``).
        dependencies: FastAPI dependencies (``Depends(check)``) run before every operation.
        max_body_bytes: the largest request body accepted (default 1 MiB); larger ones get 413.
        cors_origins: origins allowed to call the API from a browser; none (CORS off) by default.
        title: the title of the OpenAPI document.
        viewer: also serve the web log viewer at ``/`` (its page and files are public; the
            data it shows comes from the API's routes).
        token_file: a file of ``name:scope:token`` lines, read again when it changes: every
            route of the API and ``/openapi.json`` then require ``Authorization: Bearer
            <token>``; the pages (the viewer, ``/docs``) and their files stay public.
        tokens: the same entries given directly, as a list or as comma-separated text.
        read_only: POST, PUT and DELETE answer 405 and are left out of the OpenAPI document.
        redact: apply the recorder's redaction rules to the bodies stored by POST and PUT.

    Raises:
        ConfigurationError: an option is unusable (both ``token_file`` and ``tokens``, a bad
            token entry), or the store URL is.
        StoreError: a store opened from a URL could not reach its storage.

    """
    check_max_body_bytes(max_body_bytes)
    access = access_for(token_file, tokens)
    logs, opened = resolve_store(store)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if opened:
                logs.close()

    # /docs from the package's own files (FastAPI's would load Swagger UI from a CDN); no /redoc.
    app = FastAPI(
        title=title,
        version=__version__,
        description=_DESCRIPTION if access is None else _DESCRIPTION + _TOKENS_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # With tokens, the document is served by a route of its own that checks them.
        openapi_url=_OPENAPI_URL if access is None else None,
    )
    app.state.store = logs
    app.include_router(docs_router(title=f"{title} - Swagger UI", openapi_url=_OPENAPI_URL))
    if viewer:
        app.include_router(viewer_router(api_prefix=prefix))
    app.include_router(
        api_router(
            logs,
            opened=False,  # closed by the application's lifespan when it opened the store
            prefix=prefix,
            dependencies=dependencies,
            max_body_bytes=max_body_bytes,
            tags=(TAG,),
            access=access,
            read_only=read_only,
            redact=redact,
        )
    )
    if access is not None:
        checked = access

        @app.get(_OPENAPI_URL, include_in_schema=False)
        def openapi_document(request: Request) -> Response:
            checked(request)
            return JSONResponse(app.openapi())

    app.add_exception_handler(HTTPException, handle_http_exception)
    app.add_exception_handler(Exception, handle_unexpected)
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["*"],
        )
    return app
