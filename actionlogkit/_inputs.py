"""Turning what callers give into a validated :class:`~actionlogkit.models.ActionLogInput`.

:func:`validate_input` is the one entry: an :class:`ActionLogInput` passes, a mapping is checked.
Most create bodies are plain dicts with wire names and exactly typed values: :func:`fast_input`
checks those with a handful of type tests and the JSON normal form's fast test, and builds the
model directly. Anything else (Python names, subclasses, any broken rule) goes through full
pydantic validation, which alone words the errors. ``tests/core/test_fast_input.py`` holds the two
paths to the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from actionlogkit._json import is_plain_json_object
from actionlogkit._rules import is_storable_text
from actionlogkit.errors import FieldError, InvalidRecord
from actionlogkit.models import (
    MAX_ERROR_MESSAGE,
    MAX_ID_TEXT,
    MAX_RETRY_COUNT,
    ActionLog,
    ActionLogInput,
    ActionType,
    Status,
    assemble,
)

__all__ = ["fast_input", "field_errors", "validate_input"]


def field_errors(error: ValidationError, prefix: str = "") -> list[FieldError]:
    """Turn pydantic's errors into :class:`FieldError` with dotted wire-name places."""
    result = []
    for item in error.errors(include_url=False):
        parts = [str(part) for part in item["loc"]]
        inner = (item.get("ctx") or {}).get("path")
        if inner:
            parts.append(str(inner))
        place = ".".join(parts)
        if prefix:
            place = f"{prefix}.{place}" if place else prefix
        result.append(FieldError(place, item["msg"]))
    return result


def validate_input(record: ActionLogInput | Mapping[str, Any], prefix: str = "") -> ActionLogInput:
    """Return ``record`` as a validated :class:`ActionLogInput`, or raise :class:`InvalidRecord`.

    An :class:`ActionLogInput` passes as it is; an :class:`ActionLog` gives its settable part; a
    mapping is validated (wire or Python names, unknown keys rejected).
    """
    if type(record) is ActionLogInput:
        return record
    if isinstance(record, ActionLog):
        return record.to_input()
    if isinstance(record, ActionLogInput):
        return ActionLogInput.model_validate(record.model_dump())
    if not isinstance(record, Mapping):
        raise InvalidRecord(
            [FieldError(prefix, f"expected a mapping, got {type(record).__name__}")]
        )
    fast = fast_input(record)
    if fast is not None:
        return fast
    try:
        return ActionLogInput.model_validate(record)
    except ValidationError as exc:
        raise InvalidRecord(field_errors(exc, prefix)) from None


_ACTION_TYPES: dict[str, ActionType] = {member.value: member for member in ActionType}
_STATUSES: dict[str, Status] = {member.value: member for member in Status}
# wire name → attribute, in the model's field order
_ATTRIBUTES: dict[str, str] = {
    info.alias or name: name for name, info in ActionLogInput.model_fields.items()
}
_JSON_FIELDS = ("payload", "response", "metadata")


def _text(value: object, longest: int) -> bool:
    return type(value) is str and 0 < len(value) <= longest and is_storable_text(value)


def fast_input(body: Any) -> ActionLogInput | None:
    """Return ``body`` as an :class:`ActionLogInput` when it is a plain, valid, wire-named dict."""
    if type(body) is not dict:
        return None
    attributes = _ATTRIBUTES
    for key in body:
        if key not in attributes:
            return None
    action = _ACTION_TYPES.get(body.get("actionType"))  # type: ignore[arg-type]
    status = _STATUSES.get(body.get("status"))  # type: ignore[arg-type]
    if action is None or status is None or type(body.get("actionType")) is not str:
        return None
    if type(body.get("status")) is not str:
        return None
    integration_id = body.get("integrationId")
    entity_type = body.get("entityType")
    if not (_text(integration_id, MAX_ID_TEXT) and _text(entity_type, MAX_ID_TEXT)):
        return None
    entity_id = body.get("entityId")
    if entity_id is not None and not _text(entity_id, MAX_ID_TEXT):
        return None
    error_message = body.get("errorMessage")
    if error_message is not None and not (
        type(error_message) is str
        and len(error_message) <= MAX_ERROR_MESSAGE
        and is_storable_text(error_message)
    ):
        return None
    retry_count = body.get("retryCount", 0)
    if type(retry_count) is not int or not 0 <= retry_count <= MAX_RETRY_COUNT:
        return None
    execution_time = body.get("executionTime")
    if execution_time is not None:
        kind = type(execution_time)
        if kind is not float and kind is not int:
            return None
        execution_time = float(execution_time) + 0.0  # -0.0 becomes 0.0, as validation does
        if not (execution_time - execution_time == 0.0 and execution_time >= 0):
            return None
    objects: list[dict[str, Any] | None] = []
    for name in _JSON_FIELDS:
        value = body.get(name)
        if value is None:
            objects.append(None)
            continue
        if not is_plain_json_object(value):
            return None
        objects.append(value)
    values = {
        "integration_id": integration_id,
        "action_type": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "status": status,
        "payload": objects[0],
        "response": objects[1],
        "error_message": error_message,
        "retry_count": retry_count,
        "execution_time": execution_time,
        "metadata": objects[2],
    }
    return assemble(ActionLogInput, values, {attributes[key] for key in body})
