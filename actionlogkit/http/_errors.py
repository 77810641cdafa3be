"""Turning every failure into the API's error body: ``{"success": false, "message", "errors"}``.

Bad input gets a 4xx naming the place and the rule; a store outage a 503; anything else a 500
that says nothing about the server's insides (the details go to the ``actionlogkit.http`` log).

A store outage is logged without flooding the log: one line per 503, and the traceback once per
outage (the first failure after the store last answered).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from actionlogkit.errors import (
    ActionLogKitError,
    FieldError,
    InvalidQuery,
    InvalidRecord,
    NotFound,
    StoreError,
    Unsupported,
)

__all__ = [
    "BAD_BODY_STATUS",
    "RequestRejected",
    "error_response",
    "outage",
    "response_for",
    "unexpected_error_response",
]

logger = logging.getLogger("actionlogkit.http")

BAD_BODY_STATUS = 422
"""The status of every body that is not a valid record, malformed JSON included."""

_NOT_FOUND_MESSAGE = "Integration action log record not found"
_UNAVAILABLE_MESSAGE = "the log store is unavailable; try again later"
_INTERNAL_MESSAGE = "internal server error"


class _Outage:
    """Whether the store is failing; logs each 503 in one line, the traceback once per outage."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.ongoing = False

    def failed(self, exc: StoreError) -> None:
        """Log the store failure behind a 503."""
        with self._lock:
            first, self.ongoing = not self.ongoing, True
        line = " ".join(str(exc).split())
        if first:
            logger.warning(
                "503: the store failed (the traceback is logged once per outage): %s",
                line,
                exc_info=exc,
            )
        else:
            logger.warning("503: the store is still failing: %s", line)

    def answered(self) -> None:
        """The store answered a request: an outage, if any, is over."""
        if self.ongoing:
            with self._lock:
                was, self.ongoing = self.ongoing, False
            if was:
                logger.warning("the store answers again")


outage = _Outage()
"""The REST API's view of the store: failing or not (one per process, for its log)."""


class RequestRejected(Exception):
    """Raised while reading a request that is refused before validation (too large, not JSON)."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = list(errors)
        self.headers = dict(headers) if headers else None


def error_response(
    status: int,
    message: str,
    errors: Iterable[FieldError | tuple[str | None, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The error body with ``status``; each error is a (field, message) pair, ``""`` for null."""
    return JSONResponse(
        {
            "success": False,
            "message": message,
            "errors": [{"field": field or None, "message": text} for field, text in errors],
        },
        status_code=status,
        headers=dict(headers) if headers else None,
    )


def _validation_errors(exc: RequestValidationError) -> tuple[set[str], list[FieldError]]:
    """The problems as (field, message), and the parts of the request they are in."""
    sources = set()
    problems = []
    for item in exc.errors():
        location = [str(part) for part in item.get("loc", ())]
        source, place = (location[0], location[1:]) if location else ("", [])
        sources.add(source)
        if source == "body" and item.get("type") == "json_invalid":
            # FastAPI's location of a JSON syntax error is a character offset, not a field.
            place = []
        ctx: Any = item.get("ctx") or {}
        inner = ctx.get("path") if isinstance(ctx, dict) else None
        if inner:
            place.append(str(inner))
        problems.append(FieldError(".".join(place), str(item.get("msg", "invalid"))))
    return sources, problems


def response_for(exc: Exception) -> Response | None:
    """The error response for a failure of the API's own making, or ``None`` for anything else."""
    if isinstance(exc, RequestRejected):
        return error_response(exc.status, exc.message, exc.errors, exc.headers)
    if isinstance(exc, RequestValidationError):
        sources, problems = _validation_errors(exc)
        if sources == {"body"}:
            return error_response(BAD_BODY_STATUS, "invalid record", problems)
        if sources == {"query"}:
            return error_response(400, "invalid query", problems)
        return error_response(400, "invalid request", problems)
    if isinstance(exc, InvalidQuery):
        return error_response(400, "invalid query", exc.errors)
    if isinstance(exc, InvalidRecord):
        return error_response(BAD_BODY_STATUS, "invalid record", exc.errors)
    if isinstance(exc, NotFound):
        outage.answered()
        return error_response(404, _NOT_FOUND_MESSAGE, [("id", "no record has this id")])
    if isinstance(exc, StoreError):
        outage.failed(exc)
        return error_response(503, _UNAVAILABLE_MESSAGE)
    if isinstance(exc, Unsupported):
        return error_response(501, "not implemented by this store", [("", str(exc))])
    if isinstance(exc, ActionLogKitError):
        return unexpected_error_response(exc)
    if isinstance(exc, HTTPException):
        detail: object = exc.detail  # FastAPI's HTTPException allows any JSON value
        message = detail if isinstance(detail, str) and detail else "request failed"
        return error_response(exc.status_code, message, headers=exc.headers)
    return None


def unexpected_error_response(exc: BaseException) -> JSONResponse:
    """Log a failure nobody planned for and answer a 500 that discloses nothing of it."""
    logger.error("unexpected error while answering a request", exc_info=exc)
    return error_response(500, _INTERNAL_MESSAGE)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """The app's handler for errors raised outside the routes (unknown path, wrong method)."""
    return response_for(exc) or unexpected_error_response(exc)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """The app's catch-all: a generic 500, the details logged."""
    return unexpected_error_response(exc)
