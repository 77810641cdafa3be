"""The JSON envelopes of the REST API's responses, and the seed's examples for the documentation."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from actionlogkit._time import parse_timestamp
from actionlogkit.models import ActionLog, ActionLogInput, check_record_id
from actionlogkit.stats import Stats

__all__ = [
    "DELETED_MESSAGE",
    "EXAMPLE_INPUT",
    "EXAMPLE_RECORD",
    "DeletedResponse",
    "ErrorDetail",
    "ErrorResponse",
    "RecordListResponse",
    "Replacement",
    "RecordResponse",
    "StatsResponse",
]

DELETED_MESSAGE = "Integration action log record deleted successfully"

EXAMPLE_INPUT: dict[str, Any] = {
    "integrationId": "60f7b1b3e4b0e8b3f8b3f8b4",
    "actionType": "create",
    "entityType": "product",
    "entityId": "60f7b1b3e4b0e8b3f8b3f8b5",
    "status": "success",
    "payload": {},
    "response": {},
    "errorMessage": "string",
    "retryCount": 0,
    "executionTime": 0,
    "metadata": {},
}
"""The create and replace body of the API's own example."""

EXAMPLE_RECORD: dict[str, Any] = {
    "_id": "60f7b1b3e4b0e8b3f8b3f8b3",
    **EXAMPLE_INPUT,
    "createdAt": "2023-01-15T08:00:00.000Z",
    "updatedAt": "2023-01-15T10:30:00.000Z",
}
"""The stored record of the API's own example (timestamps as the API writes them)."""

_CONFIG = ConfigDict(extra="forbid", frozen=True)


def _timestamp_text(value: str) -> str:
    try:
        parse_timestamp(value)
    except ValueError as exc:
        raise PydanticCustomError("timestamp", "expected an ISO 8601 date-time") from exc
    return value


# Text only, as the API writes timestamps: a number is no timestamp here.
_TimestampText = Annotated[
    str,
    AfterValidator(_timestamp_text),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Replacement(ActionLogInput):
    """The body of a replacement: a record as create takes it, or exactly as get returned it.

    ``_id``, ``createdAt`` and ``updatedAt`` may be there, so that a record read, changed and
    sent back works; ``_id`` must then be the path's id, and the timestamps are ignored (the
    store keeps ``createdAt`` and sets ``updatedAt``).
    """

    id: Annotated[str, AfterValidator(str.lower), AfterValidator(check_record_id)] | None = Field(
        default=None,
        alias="_id",
        description="If present, the id in the path (the record as get returned it)",
        examples=["60f7b1b3e4b0e8b3f8b3f8b3"],
    )
    created_at: _TimestampText | None = Field(
        default=None, description="Ignored: the record keeps its createdAt"
    )
    updated_at: _TimestampText | None = Field(
        default=None, description="Ignored: updatedAt becomes the time of the replacement"
    )

    def settable(self) -> ActionLogInput:
        """The settable part, as ``update`` takes it."""
        return ActionLogInput.model_construct(
            **{name: getattr(self, name) for name in ActionLogInput.model_fields}
        )


class RecordResponse(BaseModel):
    """One record."""

    model_config = _CONFIG

    success: Literal[True]
    data: ActionLog


class RecordListResponse(BaseModel):
    """One page of records in query order, and how many records match in all."""

    model_config = _CONFIG

    success: Literal[True]
    data: list[ActionLog]
    total: int | None = Field(
        ge=0,
        description="How many records match the query in all; null when withTotal=false",
    )
    next_cursor: str | None = Field(
        default=None,
        alias="nextCursor",
        description=(
            "Pass as `cursor` (with the same filter, search, sort and order) for the page after "
            "this one; null on the last page"
        ),
    )


class StatsResponse(BaseModel):
    """The groups of ``Store.stats``: by bucket, then by the grouping values ascending."""

    model_config = _CONFIG

    success: Literal[True]
    data: Stats


class DeletedResponse(BaseModel):
    """The record was deleted."""

    model_config = _CONFIG

    success: Literal[True]
    message: Literal["Integration action log record deleted successfully"]


class ErrorDetail(BaseModel):
    """One problem: where it is and which rule it breaks."""

    model_config = _CONFIG

    field: str | None = Field(
        description=(
            "The dotted place: a body field (`status`, `payload.items`), a query parameter "
            "(`limit`, `filter.retryCount.$gt`), `id`; null for the request as a whole"
        ),
        examples=["filter.status.$in"],
    )
    message: str = Field(description="The rule broken", examples=["expected an array, got text"])


class ErrorResponse(BaseModel):
    """The request failed; ``errors`` says where and why when the request itself is at fault."""

    model_config = _CONFIG

    success: Literal[False]
    message: str = Field(description="What went wrong, in one line", examples=["invalid query"])
    errors: list[ErrorDetail] = Field(description="The problems, one per place (may be empty)")
