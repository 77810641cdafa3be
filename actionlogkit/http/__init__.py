"""The integration action log REST API over any store (``pip install 'actionlogkit[http]'``).

``create_app(store)`` is a ready FastAPI application (``viewer=True`` adds the web log viewer);
``router(store)`` is an ``APIRouter`` to mount in an application of your own, and
``viewer_router()`` the viewer's. Both take a :class:`~actionlogkit.Store` or a store URL, and
bearer tokens (``token_file=``, ``tokens=``), ``read_only=`` and ``redact=``.
See ``docs/http.md`` and ``docs/security.md``.
"""

from __future__ import annotations

from actionlogkit.http._access import TOKENS_ENV, check_tokens
from actionlogkit.http._app import create_app
from actionlogkit.http._errors import BAD_BODY_STATUS
from actionlogkit.http._models import (
    DeletedResponse,
    ErrorDetail,
    ErrorResponse,
    RecordListResponse,
    RecordResponse,
    StatsResponse,
)
from actionlogkit.http._openapi import openapi_json
from actionlogkit.http._operations import (
    COLLECTION_PATH,
    DEFAULT_MAX_BODY_BYTES,
    STATS_PATH,
    router,
)
from actionlogkit.http._viewer import viewer_router

__all__ = [
    "BAD_BODY_STATUS",
    "COLLECTION_PATH",
    "DEFAULT_MAX_BODY_BYTES",
    "DeletedResponse",
    "ErrorDetail",
    "ErrorResponse",
    "RecordListResponse",
    "RecordResponse",
    "STATS_PATH",
    "StatsResponse",
    "TOKENS_ENV",
    "check_tokens",
    "create_app",
    "openapi_json",
    "router",
    "viewer_router",
]
