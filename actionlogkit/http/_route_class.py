"""The route class of the API: it reads bodies within the size limit and answers its own errors.

Both jobs live in the route rather than in middleware or app-level handlers so that they hold
wherever the router is mounted, in an application that knows nothing of them.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from email.message import Message as _MimeHeader
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Message

from actionlogkit._json import loads_strict
from actionlogkit.errors import FieldError
from actionlogkit.http._access import READ_METHODS, Access
from actionlogkit.http._errors import BAD_BODY_STATUS, RequestRejected, outage, response_for

__all__ = ["route_class"]

_Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _read_only() -> RequestRejected:
    return RequestRejected(
        405,
        "the API is read-only",
        [FieldError("", "this server only reads: POST, PUT and DELETE are turned off")],
        headers={"Allow": "GET"},
    )


def _too_large(limit: int) -> RequestRejected:
    return RequestRejected(
        413, "request body too large", [FieldError("", f"the body may hold at most {limit} bytes")]
    )


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    header = _MimeHeader()
    header["content-type"] = content_type
    subtype = header.get_content_subtype()
    return header.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _check_json(body: bytes) -> None:
    """Refuse a body that is not one JSON object, before FastAPI reads it with laxer rules."""
    if not body.strip():
        raise RequestRejected(
            BAD_BODY_STATUS, "invalid record", [FieldError("", "a JSON object is required")]
        )
    try:
        document = loads_strict(body)
    except RecursionError:
        raise RequestRejected(
            BAD_BODY_STATUS, "invalid record", [FieldError("", "the JSON is nested too deeply")]
        ) from None
    except ValueError as exc:  # syntax, encoding, NaN, duplicate keys, integers of > 4300 digits
        raise RequestRejected(
            BAD_BODY_STATUS, "invalid record", [FieldError("", f"not valid JSON ({exc})")]
        ) from None
    if not isinstance(document, dict):
        raise RequestRejected(
            BAD_BODY_STATUS, "invalid record", [FieldError("", "expected a JSON object")]
        )


async def _read_body(request: Request, limit: int) -> Request:
    """Read the body, at most ``limit`` bytes of it, and return a request that replays it."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise _too_large(limit)
    content_type = request.headers.get("content-type")
    if not _is_json(content_type):
        raise RequestRejected(
            415,
            "unsupported media type",
            [FieldError("", f"expected Content-Type: application/json, got {content_type!r}")],
        )
    # Count what actually arrives: a chunked body has no Content-Length, and a header can lie.
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    body = b"".join(chunks)
    _check_json(body)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await request.receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, replay)


def _query_names(dependant: Dependant) -> tuple[str, ...]:
    """The query parameters of a route and of every dependency it runs, as callers name them."""
    names: dict[str, None] = {}
    pending = [dependant]
    while pending:
        current = pending.pop()
        names.update(dict.fromkeys(field.alias for field in current.query_params))
        pending.extend(current.dependencies)
    return tuple(names)


def _check_query(request: Request, accepted: tuple[str, ...]) -> None:
    """Refuse query parameters the route does not define, and defined ones given twice.

    An unknown parameter would be silently ignored (``?status=failed`` listing every record) and
    a repeated one silently read once: both are the caller's mistake, said plainly.
    """
    problems: list[FieldError] = []
    listed = ", ".join(accepted) if accepted else "none"
    for name in dict.fromkeys(request.query_params.keys()):
        if name not in accepted:
            problems.append(
                FieldError(name, f"unknown query parameter; this route accepts: {listed}")
            )
        elif len(request.query_params.getlist(name)) > 1:
            problems.append(FieldError(name, "given more than once; give it once"))
    if problems:
        raise RequestRejected(400, "invalid query", problems)


def route_class(
    max_body_bytes: int, *, access: Access | None = None, read_only: bool = False
) -> type[APIRoute]:
    """An :class:`APIRoute` subclass: access, body limits, strict query parameters, the error body.

    With ``access``, the bearer token is checked before anything else of the request is looked
    at (401, then 403 for a read token writing); with ``read_only``, a writing method is then
    refused with 405. Neither reads the body: a caller without the right to write never gets to
    send one.
    """

    class ActionLogRoute(APIRoute):
        def get_route_handler(self) -> _Handler:
            handler = super().get_route_handler()
            reads_body = self.body_field is not None
            # The route's own parameters and those of the dependencies it runs (an application's
            # authentication, say), by the names callers send.
            accepted = _query_names(self.dependant)

            async def guarded(request: Request) -> Response:
                try:
                    if access is not None:
                        access(request)
                    if read_only and request.method not in READ_METHODS:
                        raise _read_only()
                    _check_query(request, accepted)
                    if reads_body:
                        request = await _read_body(request, max_body_bytes)
                    answered = await handler(request)
                    outage.answered()
                    return answered
                except ClientDisconnect:
                    # The client left while sending its body: nobody reads this answer.
                    return Response(status_code=400)
                except Exception as exc:
                    response = response_for(exc)
                    if response is None:
                        # Not ours (e.g. an application's own dependency): its handlers decide.
                        raise
                    return response

            return guarded

    return ActionLogRoute
