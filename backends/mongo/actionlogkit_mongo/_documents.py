"""Records as MongoDB documents, and back.

A document holds every field of the record under its wire name, absent optional values as explicit
nulls (so that every top-level field exists on every document, as the query language says),
``_id`` as a real ``ObjectId``, the timestamps as BSON dates, and ``payload``, ``response`` and
``metadata`` as subdocuments whose objects have their keys sorted by code point (MongoDB compares
objects key by key in stored order; the query language ignores the order, so one order is kept).
One hidden field, :data:`SEARCH_FIELD`, holds the case-folded search text of
:func:`actionlogkit.query.search_text` as an array of its four parts (one per search field, in
order); it is never handed out.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from actionlogkit.models import ActionLog
from actionlogkit.query import search_fields

__all__ = [
    "HIDDEN_FIELDS",
    "JSON_FIELDS",
    "SEARCH_FIELD",
    "from_document",
    "keys_sorted",
    "sorted_json",
    "to_document",
]

SEARCH_FIELD = "_searchText"
"""The hidden field with the record's folded search text, one array element per search field.

A ``$regex`` on an array matches when it matches one element, so a term is never found across two
fields; an array keeps the NUL separator out of the text the server runs the pattern over.
"""
HIDDEN_FIELDS: tuple[str, ...] = (SEARCH_FIELD,)
"""Fields of a document that are not part of the record."""
JSON_FIELDS: tuple[str, ...] = ("payload", "response", "metadata")
"""The fields that hold JSON objects, whose keys are stored sorted."""


def sorted_json(value: Any) -> Any:
    """A JSON value with the keys of every object in it sorted by code point."""
    if type(value) is dict:
        return {key: sorted_json(value[key]) for key in sorted(value)}
    if type(value) is list:
        return [sorted_json(item) for item in value]
    return value


def keys_sorted(value: Any) -> bool:
    """Whether every object in a JSON value has its keys sorted by code point."""
    if isinstance(value, dict):
        keys = list(value)
        return keys == sorted(keys) and all(keys_sorted(item) for item in value.values())
    if isinstance(value, list):
        return all(keys_sorted(item) for item in value)
    return True


def to_document(record: ActionLog) -> dict[str, Any]:
    """The document that stores ``record``."""
    return {
        "_id": ObjectId(record.id),
        "integrationId": record.integration_id,
        "actionType": record.action_type.value,
        "entityType": record.entity_type,
        "entityId": record.entity_id,
        "status": record.status.value,
        "payload": sorted_json(record.payload),
        "response": sorted_json(record.response),
        "errorMessage": record.error_message,
        "retryCount": record.retry_count,
        "executionTime": record.execution_time,
        "metadata": sorted_json(record.metadata),
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
        SEARCH_FIELD: list(search_fields(record)),
    }


def from_document(document: dict[str, Any]) -> ActionLog:
    """The record a stored document holds; hidden fields are dropped.

    The document is validated as a record again: values written by other programs reach callers
    only in the record's shape, and BSON's integer subclasses become plain ``int``.
    """
    fields = {key: value for key, value in document.items() if key not in HIDDEN_FIELDS}
    fields["_id"] = str(fields["_id"])
    return ActionLog.model_validate(fields)
