"""The REST API's operations over one store: the seed's five, and stats."""

from __future__ import annotations

import builtins
import os
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Security
from fastapi.params import Depends
from fastapi.security import HTTPBearer
from starlette.requests import Request
from starlette.responses import Response

from actionlogkit._redaction import Redactor
from actionlogkit._registry import resolve_store
from actionlogkit.errors import ConfigurationError, FieldError, InvalidRecord
from actionlogkit.http._access import Access, audit
from actionlogkit.http._models import (
    DELETED_MESSAGE,
    EXAMPLE_INPUT,
    EXAMPLE_RECORD,
    DeletedResponse,
    ErrorResponse,
    RecordListResponse,
    RecordResponse,
    Replacement,
    StatsResponse,
)
from actionlogkit.http._redact import redact_record
from actionlogkit.http._route_class import route_class
from actionlogkit.models import ActionLog, ActionLogInput, Page
from actionlogkit.query import (
    DEFAULT_LIMIT,
    MAX_CURSOR_LENGTH,
    MAX_FILTER_BYTES,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_SEARCH_LENGTH,
    OPERATORS,
)
from actionlogkit.stats import DEFAULT_STATS_BY, MAX_STATS_GROUPS, STATS_FIELDS, Stats
from actionlogkit.store import Store

__all__ = [
    "COLLECTION_PATH",
    "STATS_PATH",
    "DEFAULT_MAX_BODY_BYTES",
    "BEARER_SCHEME",
    "TAG",
    "SortField",
    "access_for",
    "api_router",
    "check_max_body_bytes",
    "router",
]

DEFAULT_MAX_BODY_BYTES = 1_048_576
"""The largest request body accepted by default (1 MiB)."""
COLLECTION_PATH = "/integration-action-logs"
STATS_PATH = f"{COLLECTION_PATH}/stats"
TAG = "Integration Action Logs"
BEARER_SCHEME = "bearerAuth"
_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name=BEARER_SCHEME,
    description=(
        "A token of the server's token file or ACTIONLOGKIT_TOKENS: `read` tokens may use the "
        "GET operations, `write` tokens every operation."
    ),
)

SortField = Literal[
    "_id",
    "integrationId",
    "actionType",
    "entityType",
    "entityId",
    "status",
    "errorMessage",
    "retryCount",
    "executionTime",
    "createdAt",
    "updatedAt",
]
"""The sortable fields: the query language's top-level fields (a test keeps the two equal)."""

_ID_DOC = Path(
    description="Integration action log record ID", examples=["60f7b1b3e4b0e8b3f8b3f8b3"]
)
_BODY_EXAMPLES: dict[str, Any] = {
    "seed": {"summary": "A successful product creation", "value": EXAMPLE_INPUT},
    "failure": {
        "summary": "A failed update that was retried",
        "value": {
            "integrationId": "shop-1",
            "actionType": "update",
            "entityType": "product",
            "entityId": "sku-43",
            "status": "failed",
            "payload": {"price": -1},
            "response": {"status": 422, "body": {"error": "price must be positive"}},
            "errorMessage": "HTTP 422: price must be positive",
            "retryCount": 2,
            "executionTime": 640.5,
            "metadata": {"requestId": "req-7f3a"},
        },
    },
}
_ERROR_DOCS: dict[int | str, tuple[str, dict[str, Any]]] = {
    400: (
        "The query is invalid: malformed filter JSON, an unknown field or operator, a filter "
        "over the size or depth bounds, an unknown sort field, limit or offset out of range, "
        "a cursor of another query or a malformed one, an offset beside a cursor.",
        {
            "success": False,
            "message": "invalid query",
            "errors": [
                {"field": "filter.retryCount.$gt", "message": "expected a number, got text"}
            ],
        },
    ),
    404: (
        "No record has this id (a malformed id included).",
        {
            "success": False,
            "message": "Integration action log record not found",
            "errors": [{"field": "id", "message": "no record has this id"}],
        },
    ),
    413: (
        "The request body is larger than the server's limit (1 MiB unless configured).",
        {
            "success": False,
            "message": "request body too large",
            "errors": [{"field": None, "message": "the body may hold at most 1048576 bytes"}],
        },
    ),
    415: (
        "The body is not sent as JSON: the Content-Type must be application/json.",
        {
            "success": False,
            "message": "unsupported media type",
            "errors": [
                {
                    "field": None,
                    "message": "expected Content-Type: application/json, got 'text/plain'",
                }
            ],
        },
    ),
    422: (
        "The body is not a valid record: malformed JSON, not an object, a missing, unknown or "
        "read-only field (`_id`, `createdAt`, `updatedAt`), or a value that breaks its rule.",
        {
            "success": False,
            "message": "invalid record",
            "errors": [
                {
                    "field": "status",
                    "message": "Input should be 'pending', 'success', 'failed' or 'retrying'",
                }
            ],
        },
    ),
    401: (
        "A bearer token is required (the server has tokens configured): the header "
        "`Authorization: Bearer <token>` is missing, or its token is not one of them.",
        {"success": False, "message": "the bearer token is not valid", "errors": []},
    ),
    403: (
        "The token may only read: this operation needs a token of the `write` scope.",
        {"success": False, "message": "the token 'dashboard' may only read", "errors": []},
    ),
    503: (
        "The store behind the API is unavailable (e.g. its database cannot be reached).",
        {
            "success": False,
            "message": "the log store is unavailable; try again later",
            "errors": [],
        },
    ),
    "default": (
        "Any other error in the same shape: an error of the application's own dependencies "
        "(e.g. 401 from an authentication check), or 500 for an unexpected server error, "
        "which discloses no details.",
        {"success": False, "message": "internal server error", "errors": []},
    ),
}


def _responses(
    *errors: int, ok: int = 200, description: str, example: dict[str, Any]
) -> dict[int | str, dict[str, Any]]:
    documented: dict[int | str, dict[str, Any]] = {
        ok: {"description": description, "content": {"application/json": {"example": example}}}
    }
    statuses: tuple[int | str, ...] = (*errors, 503, "default")
    for status in statuses:
        text, error_example = _ERROR_DOCS[status]
        documented[status] = {
            "model": ErrorResponse,
            "description": text,
            "content": {"application/json": {"example": error_example}},
        }
    return documented


def _json(body: str, status: int = 200) -> Response:
    return Response(content=body, status_code=status, media_type="application/json")


def _record_body(record: ActionLog) -> str:
    return RecordResponse.model_construct(success=True, data=record).model_dump_json(by_alias=True)


def _page_body(page: Page) -> str:
    return RecordListResponse.model_construct(
        success=True, data=page.data, total=page.total, next_cursor=page.next_cursor
    ).model_dump_json(by_alias=True)


def _stats_body(stats: Stats) -> str:
    return StatsResponse.model_construct(success=True, data=stats).model_dump_json(by_alias=True)


Interval = Literal["1m", "5m", "1h", "1d"]
"""The time buckets of stats (a test keeps them equal to the core's)."""
_STATS_EXAMPLE: dict[str, Any] = {
    "success": True,
    "data": {
        "groups": [
            {
                "key": {"integrationId": "shop-1", "status": "failed"},
                "bucket": "2024-05-24T14:00:00.000Z",
                "count": 12,
                "failed": 12,
                "retried": 5,
                "executionTime": {
                    "min": 102.5,
                    "max": 30012.0,
                    "avg": 2893.7,
                    "p50": 640.5,
                    "p95": 30004.0,
                    "p99": 30012.0,
                },
            }
        ]
    },
}
_FILTER_DESCRIPTION = (
    f"Filter conditions in JSON format (at most {MAX_FILTER_BYTES} bytes, "
    "16 levels of nesting, 100 conditions)"
)
_SEARCH_DESCRIPTION = (
    "Search term for text fields: found case-insensitively in integrationId, "
    "entityType, entityId or errorMessage"
)


def check_max_body_bytes(max_body_bytes: object) -> None:
    """Raise :class:`ConfigurationError` unless ``max_body_bytes`` is a positive integer."""
    if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int):
        raise ConfigurationError("max_body_bytes must be a positive integer")
    if max_body_bytes < 1:
        raise ConfigurationError("max_body_bytes must be a positive integer")


def access_for(
    token_file: str | os.PathLike[str] | None, tokens: Iterable[str] | str | None
) -> Access | None:
    """The token check configured by ``token_file`` or ``tokens``, or ``None`` for neither."""
    if token_file is None and tokens is None:
        return None
    return Access(token_file=token_file, tokens=tokens)


def router(
    store: Store | str,
    *,
    prefix: str = "",
    dependencies: Sequence[Depends] = (),
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    tags: Sequence[str] = (TAG,),
    token_file: str | os.PathLike[str] | None = None,
    tokens: Iterable[str] | str | None = None,
    read_only: bool = False,
    redact: bool = False,
) -> APIRouter:
    """An :class:`APIRouter` with the seed's five operations and stats over ``store``.

    Args:
        store: a :class:`~actionlogkit.Store`, or a store URL to open now; a store opened here is
            closed when the application shuts down.
        prefix: put before every path (``"/api"`` gives ``/api/integration-action-logs``).
        dependencies: FastAPI dependencies (``Depends(check)``) run before every operation,
            stats included, e.g. an authentication check raising ``HTTPException(401)``.
        max_body_bytes: the largest request body accepted; larger ones get a 413.
        tags: the OpenAPI tags of the operations.
        token_file: a file of ``name:scope:token`` lines (read again when it changes): every
            route then requires ``Authorization: Bearer <token>``, and writing a ``write`` token.
        tokens: the same entries given directly, as a list or as comma-separated text.
        read_only: POST, PUT and DELETE answer 405 and are left out of the OpenAPI document.
        redact: apply the recorder's redaction rules to the bodies stored by POST and PUT.

    Raises:
        ConfigurationError: ``max_body_bytes`` is not a positive integer, the URL is unusable,
            both ``token_file`` and ``tokens`` are given, or a token entry breaks a rule.
        StoreError: a store opened from a URL could not reach its storage.

    """
    check_max_body_bytes(max_body_bytes)
    access = access_for(token_file, tokens)
    logs, opened = resolve_store(store)
    return api_router(
        logs,
        opened=opened,
        prefix=prefix,
        dependencies=dependencies,
        max_body_bytes=max_body_bytes,
        tags=tags,
        access=access,
        read_only=read_only,
        redact=redact,
    )


def api_router(
    logs: Store,
    *,
    opened: bool,
    prefix: str,
    dependencies: Sequence[Depends],
    max_body_bytes: int,
    tags: Sequence[str],
    access: Access | None,
    read_only: bool,
    redact: bool,
) -> APIRouter:
    """:func:`router` over a store already resolved (``opened``: closed at shutdown)."""
    redactor = Redactor() if redact else None
    writes_documented = not read_only
    # The check itself runs in the route class, before the body is read; this dependency only
    # puts the bearer scheme into the OpenAPI document (Swagger UI's Authorize button uses it).
    documented_security = [Security(_BEARER)] if access is not None else []

    def _stored(record: ActionLogInput) -> ActionLogInput:
        return record if redactor is None else redact_record(record, redactor)

    def _errors(*statuses: int, write: bool = False) -> tuple[int, ...]:
        if access is None:
            return statuses
        return (401, 403, *statuses) if write else (401, *statuses)

    @asynccontextmanager
    async def close_opened_store(_app: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            logs.close()

    api = APIRouter(
        prefix=prefix,
        tags=builtins.list(tags),
        dependencies=[*documented_security, *dependencies],
        route_class=route_class(max_body_bytes, access=access, read_only=read_only),
        lifespan=close_opened_store if opened else None,
    )

    @api.get(
        COLLECTION_PATH,
        operation_id="listIntegrationActionLogs",
        summary="List integration action logs",
        description=(
            "Retrieve a list of all integration action log records with optional filtering and "
            "pagination. The filter is a JSON document of the query language "
            f"(`{' '.join(OPERATORS)}`, dotted paths inside `payload`, "
            "`response` and `metadata`); ties in the sort order are broken by `_id`. To read "
            "every match, follow `nextCursor` from page to page."
        ),
        response_model=RecordListResponse,
        responses=_responses(
            *_errors(400),
            description="One page of matching records and the total number of matches",
            example={"success": True, "data": [EXAMPLE_RECORD], "total": 1, "nextCursor": None},
        ),
    )
    def list_logs(
        *,
        limit: Annotated[
            int, Query(ge=1, le=MAX_LIMIT, description="Maximum number of records to return")
        ] = DEFAULT_LIMIT,
        offset: Annotated[
            int, Query(ge=0, le=MAX_OFFSET, description="Number of records to skip for pagination")
        ] = 0,
        sort: Annotated[SortField, Query(description="Field to sort by")] = "createdAt",
        order: Annotated[
            Literal["asc", "desc"], Query(description="Sort order (asc or desc)")
        ] = "desc",
        filter: Annotated[
            str | None,
            Query(
                max_length=MAX_FILTER_BYTES,
                description=(
                    f"Filter conditions in JSON format (at most {MAX_FILTER_BYTES} bytes, "
                    "16 levels of nesting, 100 conditions)"
                ),
                examples=['{"status": {"$in": ["failed", "retrying"]}, "retryCount": {"$gte": 2}}'],
            ),
        ] = None,
        search: Annotated[
            str | None,
            Query(
                max_length=MAX_SEARCH_LENGTH,
                description=(
                    "Search term for text fields: found case-insensitively in integrationId, "
                    "entityType, entityId or errorMessage"
                ),
                examples=["timeout"],
            ),
        ] = None,
        cursor: Annotated[
            str | None,
            Query(
                max_length=MAX_CURSOR_LENGTH,
                description=(
                    "The `nextCursor` of the previous page: the page starts after that page's "
                    "last record. Use it with the same filter, search, sort and order (limit may "
                    "change) and offset 0; pages stay exact while records are added"
                ),
            ),
        ] = None,
        with_total: Annotated[
            bool,
            Query(
                alias="withTotal",
                description="false to skip counting the matches (`total` is then null)",
            ),
        ] = True,
    ) -> Response:
        page = logs.list(
            filter,
            search=search,
            sort=sort,
            order=order,
            limit=limit,
            offset=offset,
            cursor=cursor,
            with_total=with_total,
        )
        return _json(_page_body(page))

    # Before the routes of /{id}, which would take "stats" for an id.
    @api.get(
        STATS_PATH,
        operation_id="integrationActionLogStats",
        summary="Statistics of integration action logs",
        description=(
            "Counts, failures, retries and `executionTime` figures (min, max, avg, and the "
            "nearest-rank p50, p95, p99) for each group of the records matching the filter and "
            "search: one group per distinct combination of the `by` fields and, with "
            "`interval`, per UTC time bucket of `createdAt`. Groups come by bucket, then by the "
            f"`by` values ascending; a query giving more than {MAX_STATS_GROUPS} groups is a "
            "400."
        ),
        response_model=StatsResponse,
        responses=_responses(
            *_errors(400), description="The groups, in order", example=_STATS_EXAMPLE
        ),
    )
    def log_stats(
        *,
        filter: Annotated[
            str | None,
            Query(
                max_length=MAX_FILTER_BYTES,
                description=_FILTER_DESCRIPTION,
                examples=['{"integrationId": {"$in": ["shop-1", "shop-2"]}}'],
            ),
        ] = None,
        search: Annotated[
            str | None,
            Query(max_length=MAX_SEARCH_LENGTH, description=_SEARCH_DESCRIPTION),
        ] = None,
        by: Annotated[
            str,
            Query(
                description=(
                    "The fields to group by, separated by commas: any of "
                    f"{', '.join(STATS_FIELDS)}; empty for one group of every match"
                ),
                examples=["integrationId,status"],
            ),
        ] = ",".join(DEFAULT_STATS_BY),
        interval: Annotated[
            Interval | None,
            Query(description="Also group by UTC time buckets of createdAt of this length"),
        ] = None,
    ) -> Response:
        fields = tuple(by.split(",")) if by else ()
        return _json(_stats_body(logs.stats(filter, search=search, by=fields, interval=interval)))

    @api.post(
        COLLECTION_PATH,
        operation_id="createIntegrationActionLog",
        summary="Create an integration action log",
        description="Create a new integration action log record with the provided data.",
        status_code=201,
        response_model=RecordResponse,
        include_in_schema=writes_documented,
        responses=_responses(
            *_errors(413, 415, 422, write=True),
            ok=201,
            description="The record as stored, with its new `_id` and timestamps",
            example={"success": True, "data": EXAMPLE_RECORD},
        ),
    )
    def create_log(
        request: Request,
        record: Annotated[ActionLogInput, Body(openapi_examples=_BODY_EXAMPLES)],
    ) -> Response:
        created = logs.create(_stored(record))
        audit(request, created.id)
        return _json(_record_body(created), 201)

    @api.get(
        f"{COLLECTION_PATH}/{{id}}",
        operation_id="getIntegrationActionLog",
        summary="Get an integration action log",
        description="Retrieve a specific integration action log record by its ID.",
        response_model=RecordResponse,
        responses=_responses(
            *_errors(404),
            description="The record",
            example={"success": True, "data": EXAMPLE_RECORD},
        ),
    )
    def get_log(id: Annotated[str, _ID_DOC]) -> Response:
        return _json(_record_body(logs.get(id)))

    @api.put(
        f"{COLLECTION_PATH}/{{id}}",
        operation_id="updateIntegrationActionLog",
        summary="Replace an integration action log",
        description=(
            "Update an existing integration action log record with new data. The body replaces "
            "every settable field: fields left out take their defaults. `createdAt` is kept and "
            "`updatedAt` becomes the time of the update. The body may be a record exactly as "
            "GET returned it: `_id` must then be the id in the path, and `createdAt` and "
            "`updatedAt` are ignored."
        ),
        response_model=RecordResponse,
        include_in_schema=writes_documented,
        responses=_responses(
            *_errors(404, 413, 415, 422, write=True),
            description="The record as replaced",
            example={"success": True, "data": EXAMPLE_RECORD},
        ),
    )
    def update_log(
        request: Request,
        id: Annotated[str, _ID_DOC],
        record: Annotated[Replacement, Body(openapi_examples=_BODY_EXAMPLES)],
    ) -> Response:
        if record.id is not None and record.id != id.lower():
            raise InvalidRecord([FieldError("_id", "must be the id in the path, or left out")])
        replaced = logs.update(id, _stored(record.settable()))
        audit(request, replaced.id)
        return _json(_record_body(replaced))

    @api.delete(
        f"{COLLECTION_PATH}/{{id}}",
        operation_id="deleteIntegrationActionLog",
        summary="Delete an integration action log",
        description="Delete an existing integration action log record.",
        response_model=DeletedResponse,
        include_in_schema=writes_documented,
        responses=_responses(
            *_errors(404, write=True),
            description="The record was deleted",
            example={"success": True, "message": DELETED_MESSAGE},
        ),
    )
    def delete_log(request: Request, id: Annotated[str, _ID_DOC]) -> Response:
        logs.delete(id)
        audit(request, id.lower())
        return _json(DeletedResponse(success=True, message=DELETED_MESSAGE).model_dump_json())

    return api
