"""Cursors: an opaque, URL-safe position in a query's order, bound to that query.

A cursor carries the sort value and the ``_id`` of the last record of a page (a keyset
position) and a hash of the query it came from (filter, search, sort, order; not ``limit``, which
may change between pages). The hash is not a secret: a cursor works in any process, after a
restart and in a bookmarked URL, and one reused with another query, or malformed, is refused with
:class:`~actionlogkit.errors.InvalidQuery` naming ``cursor``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime
from enum import Enum
from typing import Any

from actionlogkit import _ids, _time
from actionlogkit.errors import InvalidQuery
from actionlogkit.models import ActionLog
from actionlogkit.query._ast import Keyset, Node, Query, Scalar
from actionlogkit.query._fields import ENUM_VALUES, FieldKind, FieldRef

__all__ = ["MAX_CURSOR_LENGTH", "decode_cursor", "encode_cursor", "next_cursor", "query_hash"]

MAX_CURSOR_LENGTH = 1024
"""Longest cursor accepted, in characters (a cursor of a text sort value is the longest)."""
_VERSION = 1


def query_hash(filter: Node | None, search: str | None, sort: FieldRef, descending: bool) -> str:
    """A short hash of what decides a query's order and matches (``limit`` left out)."""
    # The AST's repr is exact (1, 1.0 and True differ) and the same for a filter given as a
    # mapping or as JSON text.
    text = repr((filter, search, sort.name, descending))
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def _sort_value(value: object) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return _time.format_timestamp(value)
    return value


def encode_cursor(fingerprint: str, value: object, record_id: str) -> str:
    """The cursor after the record with sort value ``value`` (its attribute) and ``record_id``."""
    body = json.dumps(
        [_VERSION, fingerprint, _sort_value(value), record_id],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(body.encode("utf-8")).decode("ascii").rstrip("=")


def next_cursor(query: Query, last: ActionLog) -> str:
    """The cursor of the page that follows ``last``, the last record of a page of ``query``."""
    fingerprint = query_hash(query.filter, query.search, query.sort, query.descending)
    return encode_cursor(fingerprint, getattr(last, query.sort.attribute), last.id)


def _malformed(why: str) -> InvalidQuery:
    return InvalidQuery.at("cursor", f"not a cursor of this query ({why})")


def _decoded_value(sort: FieldRef, value: object) -> Scalar:
    kind = sort.kind
    if value is None:
        return None
    match kind:
        case FieldKind.DATETIME:
            if isinstance(value, str):
                try:
                    return _time.parse_timestamp(value)
                except ValueError:
                    pass
        case FieldKind.INTEGER:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        case FieldKind.NUMBER:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return value
        case FieldKind.ENUM:
            if isinstance(value, str) and value in ENUM_VALUES[sort.name]:
                return value
        case FieldKind.STRING:
            if isinstance(value, str):
                return value
        case FieldKind.ID:
            if isinstance(value, str) and _ids.is_valid_id(value):
                return value
        case FieldKind.JSON:
            pass
    raise _malformed(f"a sort value that {sort.name} cannot hold")


def decode_cursor(text: object, fingerprint: str, sort: FieldRef) -> Keyset:
    """The keyset position a cursor holds, checked against the query it is used with.

    Raises :class:`InvalidQuery` naming ``cursor`` for anything but a cursor of this query.
    """
    if not isinstance(text, str) or not text:
        raise InvalidQuery.at("cursor", "expected the nextCursor text of a previous page")
    if len(text) > MAX_CURSOR_LENGTH:
        raise InvalidQuery.at("cursor", f"at most {MAX_CURSOR_LENGTH} characters")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        body = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError):
        raise _malformed("malformed") from None
    if not (isinstance(body, list) and len(body) == 4 and body[0] == _VERSION):
        raise _malformed("malformed")
    _, hashed, value, record_id = body
    if hashed != fingerprint:
        raise _malformed("it was made for another filter, search, sort or order")
    if not (isinstance(record_id, str) and _ids.is_valid_id(record_id)):
        raise _malformed("malformed")
    return Keyset(_decoded_value(sort, value), record_id)
