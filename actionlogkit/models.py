"""The integration action log record, exactly as the REST API describes it.

:class:`ActionLogInput` is the body of a create or replace; :class:`ActionLog` is a stored record,
the input plus ``_id``, ``createdAt`` and ``updatedAt``. Python attributes are snake_case
(``log.integration_id``); the wire names are the API's camelCase (``integrationId``, ``_id``), and
both spellings are accepted on input. ``log.model_dump(mode="json", by_alias=True)`` gives the API's
JSON exactly, every key present (absent optional values as ``null``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from actionlogkit import _ids, _json, _time
from actionlogkit._rules import text_problem

__all__ = [
    "FIELD_NAMES",
    "INPUT_FIELD_NAMES",
    "ActionLog",
    "ActionLogInput",
    "ActionType",
    "JsonObject",
    "Page",
    "Status",
    "check_record_id",
]

MAX_ID_TEXT = 256
"""Longest ``integrationId``, ``entityType`` and ``entityId`` (characters): they are indexed."""
MAX_ERROR_MESSAGE = 65_536
"""Longest ``errorMessage`` (characters)."""
MAX_RETRY_COUNT = 2**31 - 1


class ActionType(str, Enum):
    """The kind of action performed against the third party."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    SYNC = "sync"
    WEBHOOK = "webhook"

    def __str__(self) -> str:
        return self.value


class Status(str, Enum):
    """Where the action stands."""

    PENDING = "pending"
    SUCCESS = "success"
    FAILED = "failed"
    RETRYING = "retrying"

    def __str__(self) -> str:
        return self.value


def _check_text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise PydanticCustomError("text", problem)
    return value


def _check_json_object(value: dict[str, Any]) -> dict[str, Any]:
    try:
        return _json.normal_json_object(value)
    except _json.JsonError as exc:
        raise PydanticCustomError(
            "json_object", "{message}", {"message": exc.message, "path": exc.path}
        ) from None


def _without_negative_zero(value: float) -> float:
    # SQLite's REAL columns and PostgreSQL's jsonb drop the sign of zero: no backend keeps it.
    return value + 0.0


def check_record_id(value: str) -> str:
    """Pass a record id (24 lowercase hex characters); anything else is a validation error."""
    if not _ids.is_valid_id(value):
        raise PydanticCustomError("record_id", "expected 24 lowercase hexadecimal characters")
    return value


Text = Annotated[str, AfterValidator(_check_text)]
JsonObject = Annotated[dict[str, Any], AfterValidator(_check_json_object)]
"""A JSON object as ``payload``, ``response`` and ``metadata`` hold it (see ``_json``)."""
Timestamp = Annotated[
    datetime,
    AfterValidator(_time.to_timestamp),
    PlainSerializer(_time.format_timestamp, return_type=str, when_used="json"),
    # The serializer's return type alone would document the output as any text.
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]
"""A timezone-aware UTC datetime truncated to milliseconds; JSON ``2023-01-15T08:00:00.000Z``."""

_MODEL_CONFIG = ConfigDict(
    alias_generator=to_camel,
    validate_by_alias=True,
    validate_by_name=True,
    extra="forbid",
    frozen=True,
)


class ActionLogInput(BaseModel):
    """The body of a create or a full replacement: everything a caller may set."""

    model_config = _MODEL_CONFIG

    integration_id: Text = Field(
        min_length=1,
        max_length=MAX_ID_TEXT,
        description="Integration identifier",
        examples=["60f7b1b3e4b0e8b3f8b3f8b4"],
    )
    action_type: ActionType = Field(description="Type of action performed", examples=["create"])
    entity_type: Text = Field(
        min_length=1,
        max_length=MAX_ID_TEXT,
        description="Type of entity affected",
        examples=["product"],
    )
    entity_id: Text | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_ID_TEXT,
        description="ID of the affected entity",
        examples=["60f7b1b3e4b0e8b3f8b3f8b5"],
    )
    status: Status = Field(description="Status of the action", examples=["success"])
    payload: JsonObject | None = Field(default=None, description="Action payload data")
    response: JsonObject | None = Field(default=None, description="Response data from the action")
    error_message: Text | None = Field(
        default=None,
        max_length=MAX_ERROR_MESSAGE,
        description="Error message if action failed",
    )
    retry_count: int = Field(
        default=0,
        ge=0,
        le=MAX_RETRY_COUNT,
        strict=True,
        description="Number of retry attempts",
    )
    # The bounds sit on the float itself: on the optional field's Field() they would reach the
    # JSON schema as a non-standard "ge" instead of "minimum".
    execution_time: (
        Annotated[
            float,
            Field(ge=0, allow_inf_nan=False, strict=True),
            AfterValidator(_without_negative_zero),
        ]
        | None
    ) = Field(default=None, description="Execution time in milliseconds")
    metadata: JsonObject | None = Field(default=None, description="Additional metadata")


class _Identified(BaseModel):
    # A separate base so that ``_id`` comes first in ActionLog, as in the API's JSON.
    model_config = _MODEL_CONFIG

    id: Annotated[str, AfterValidator(check_record_id)] = Field(
        alias="_id",
        description="Integration action log record ID",
        examples=["60f7b1b3e4b0e8b3f8b3f8b3"],
    )


class ActionLog(ActionLogInput, _Identified):
    """A stored integration action log record."""

    created_at: Timestamp = Field(
        description="When the record was created (UTC, milliseconds)",
        examples=["2023-01-15T08:00:00.000Z"],
    )
    updated_at: Timestamp = Field(
        description="When the record was last replaced (UTC, milliseconds)",
        examples=["2023-01-15T10:30:00.000Z"],
    )

    def to_input(self) -> ActionLogInput:
        """Return the caller-settable part of this record."""
        return ActionLogInput.model_construct(
            **{name: getattr(self, name) for name in ActionLogInput.model_fields}
        )


INPUT_FIELD_NAMES: tuple[str, ...] = tuple(
    info.alias or name for name, info in ActionLogInput.model_fields.items()
)
"""The wire names of the settable fields, in the API's order."""
FIELD_NAMES: tuple[str, ...] = tuple(
    info.alias or name for name, info in ActionLog.model_fields.items()
)
"""The wire names of every field of a stored record, in the API's order."""


@dataclass(frozen=True)
class Page:
    """One page of a query's result: ``data`` in query order, ``total`` matches in all.

    ``total`` is ``None`` when the caller asked for no total (``with_total=False``);
    ``next_cursor`` continues the query after this page, ``None`` when no record follows.
    """

    data: list[ActionLog] = field(default_factory=list)
    total: int | None = 0
    next_cursor: str | None = None


_Model = TypeVar("_Model", bound=BaseModel)


def assemble(model: type[_Model], values: dict[str, Any], fields_set: set[str]) -> _Model:
    """An instance of ``model`` holding ``values`` as they are, without validating them again.

    ``model.model_construct`` without its per-field bookkeeping (which costs ten times as much):
    for values that already follow the model's rules, on the hot paths of writing and reading
    records. ``values`` must hold every field, in the model's order; ``fields_set`` names the
    fields the caller set.
    """
    instance = model.__new__(model)
    object.__setattr__(instance, "__dict__", values)
    object.__setattr__(instance, "__pydantic_fields_set__", fields_set)
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


_FIELDS_SET = frozenset(ActionLog.model_fields)


def build_record(
    data: ActionLogInput, *, record_id: str, created_at: datetime, updated_at: datetime
) -> ActionLog:
    """Assemble a stored record from validated parts without validating them again.

    This is ``ActionLog.model_construct`` without its per-field bookkeeping (a tenth of the cost):
    it runs once per record written, on the caller's side.
    """
    values = {"id": record_id, **data.__dict__, "created_at": created_at, "updated_at": updated_at}
    return assemble(ActionLog, values, set(_FIELDS_SET))
