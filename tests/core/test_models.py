"""The record model: the API's JSON exactly, both spellings in, strict values."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actionlogkit import ActionLog, ActionLogInput, ActionType, InvalidRecord, Status
from actionlogkit._inputs import validate_input
from actionlogkit._json import _copy_object, is_plain_json_object, normal_json_object
from actionlogkit._time import format_timestamp, from_seconds, parse_timestamp, to_timestamp
from actionlogkit.models import FIELD_NAMES, INPUT_FIELD_NAMES, build_record
from actionlogkit.testing import strategies
from actionlogkit.testing._sample import minimal

SEED_RECORD = {
    "_id": "60f7b1b3e4b0e8b3f8b3f8b3",
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
    "createdAt": "2023-01-15T08:00:00Z",
    "updatedAt": "2023-01-15T10:30:00Z",
}


def test_the_api_example_record_validates_and_dumps_back() -> None:
    """The API's example record reads in and dumps to the same keys, in the same order."""
    record = ActionLog.model_validate(SEED_RECORD)
    dumped = record.model_dump(mode="json", by_alias=True)
    assert list(dumped) == list(SEED_RECORD)
    assert dumped == {
        **SEED_RECORD,
        "createdAt": "2023-01-15T08:00:00.000Z",
        "updatedAt": "2023-01-15T10:30:00.000Z",
    }
    assert record.id == "60f7b1b3e4b0e8b3f8b3f8b3"
    assert record.integration_id == "60f7b1b3e4b0e8b3f8b3f8b4"
    assert record.created_at == datetime(2023, 1, 15, 8, tzinfo=timezone.utc)


def test_field_names_are_the_apis() -> None:
    """The wire names are exactly the API's, in its order."""
    assert tuple(SEED_RECORD) == FIELD_NAMES
    assert (
        tuple(k for k in SEED_RECORD if k not in ("_id", "createdAt", "updatedAt"))
        == INPUT_FIELD_NAMES
    )


def test_enums_are_text() -> None:
    """ActionType and Status are str enums whose values are the API's."""
    assert [m.value for m in ActionType] == ["create", "update", "delete", "sync", "webhook"]
    assert [m.value for m in Status] == ["pending", "success", "failed", "retrying"]
    assert Status("failed") is Status.FAILED
    assert isinstance(Status.FAILED, str)
    assert str(ActionType.SYNC) == "sync"
    assert f"{Status.PENDING}" == "pending"


def test_python_and_wire_names_are_both_accepted() -> None:
    """A body may use integrationId or integration_id; the model is the same."""
    by_alias = ActionLogInput.model_validate(minimal(retryCount=2))
    by_name = ActionLogInput.model_validate(
        {
            "integration_id": "shop-1",
            "action_type": "create",
            "entity_type": "product",
            "status": "success",
            "retry_count": 2,
        }
    )
    assert by_alias == by_name


def test_input_rejects_stored_fields() -> None:
    """The create body cannot set _id, createdAt or updatedAt."""
    for key in ("_id", "createdAt", "updatedAt", "id"):
        with pytest.raises(InvalidRecord) as caught:
            validate_input(minimal(**{key: "x"}))
        assert caught.value.errors[0].field == key


def test_timestamps_are_utc_milliseconds() -> None:
    """Timestamps are converted to UTC, truncated to milliseconds and dumped with Z."""
    record = ActionLog.model_validate(
        {
            **SEED_RECORD,
            "createdAt": datetime(
                2023, 1, 15, 9, 0, 0, 987_654, tzinfo=timezone(timedelta(hours=1))
            ),
        }
    )
    assert record.created_at == datetime(2023, 1, 15, 8, 0, 0, 987_000, tzinfo=timezone.utc)
    assert record.model_dump(mode="json", by_alias=True)["createdAt"] == "2023-01-15T08:00:00.987Z"


def test_records_are_immutable() -> None:
    """A record's fields cannot be reassigned."""
    record = ActionLog.model_validate(SEED_RECORD)
    with pytest.raises(ValueError, match="frozen"):
        record.status = Status.FAILED


def test_invalid_record_lists_every_problem() -> None:
    """InvalidRecord carries one FieldError per problem, with dotted places."""
    with pytest.raises(InvalidRecord) as caught:
        validate_input(
            {
                "actionType": "nope",
                "status": "success",
                "entityType": "x",
                "payload": {"a": {"b.c": 1}},
            }
        )
    fields = [error.field for error in caught.value.errors]
    assert fields == ["integrationId", "actionType", "payload.a"]
    assert "key 'b.c' must not contain '.'" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-01-15T08:00:00Z", "2023-01-15T08:00:00.000Z"),
        ("2023-01-15T08:00:00.5Z", "2023-01-15T08:00:00.500Z"),
        ("2023-01-15T08:00:00.123456789+02:00", "2023-01-15T06:00:00.123Z"),
        ("2023-01-15T08:00", "2023-01-15T08:00:00.000Z"),
        ("2023-01-15", "2023-01-15T00:00:00.000Z"),
        ("2023-01-15 08:00:00-0130", "2023-01-15T09:30:00.000Z"),
    ],
)
def test_iso_timestamps_parse_the_same_on_every_python(text: str, expected: str) -> None:
    """ISO 8601 text parses by one grammar; text without an offset is UTC."""
    assert format_timestamp(parse_timestamp(text)) == expected


@pytest.mark.parametrize(
    "text", ["yesterday", "2023-13-01", "2023-01-15T25:00:00Z", "2023-01-15T08:00:00+24:00", ""]
)
def test_bad_timestamps_are_refused(text: str) -> None:
    """Text that is not an ISO 8601 date-time raises ValueError."""
    with pytest.raises(ValueError, match=r".+"):
        parse_timestamp(text)


@settings(max_examples=500)
@given(st.floats(min_value=0, max_value=2**32, allow_nan=False))
def test_clock_readings_become_the_millisecond_they_fall_in(seconds: float) -> None:
    """from_seconds gives the UTC millisecond a time.time() reading falls in (to float error)."""
    stamp = from_seconds(seconds)
    assert stamp.tzinfo is timezone.utc
    assert stamp.microsecond % 1000 == 0
    exact = to_timestamp(datetime.fromtimestamp(seconds, timezone.utc))
    # The reading's own float error may put it on either side of a millisecond boundary.
    assert abs(stamp - exact) <= timedelta(milliseconds=1)
    assert stamp == exact or abs(seconds * 1000 - round(seconds * 1000)) < 1e-3


@settings(max_examples=300)
@given(strategies.records())
def test_records_survive_json_round_trips(record: ActionLog) -> None:
    """Any record dumped to JSON text and read back is the same record, to the JSON types."""
    text = json.dumps(record.model_dump(mode="json", by_alias=True))
    again = ActionLog.model_validate(json.loads(text))
    assert again == record
    assert json.dumps(again.model_dump(mode="json", by_alias=True)) == text


@settings(max_examples=300)
@given(strategies.record_inputs())
def test_valid_bodies_validate_and_keep_their_values(body: dict[str, Any]) -> None:
    """Any body the strategies make validates, and dumps back its own values."""
    model = validate_input(body)
    dumped = model.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if "executionTime" in body:  # a number of milliseconds is always kept as a float
        body = {**body, "executionTime": float(body["executionTime"])}
    assert json.dumps(dumped, sort_keys=True) == json.dumps(_positive_zero(body), sort_keys=True)


def _positive_zero(value: Any) -> Any:
    if isinstance(value, float):
        return value + 0.0
    if isinstance(value, dict):
        return {key: _positive_zero(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_positive_zero(item) for item in value]
    return value


def test_negative_zero_is_kept_as_zero() -> None:
    """-0.0 in JSON values and in executionTime is stored as 0.0, which every backend can keep."""
    model = validate_input(
        minimal(executionTime=-0.0, payload={"a": -0.0, "b": [-0.0, {"c": -0.0}]})
    )
    dumped = json.dumps(model.model_dump(mode="json", by_alias=True))
    assert "-0.0" not in dumped
    assert model.payload == {"a": 0.0, "b": [0.0, {"c": 0.0}]}
    assert model.execution_time is not None
    assert math.copysign(1.0, model.execution_time) == 1.0


def test_fast_record_assembly_matches_validation() -> None:
    """build_record gives the very record that full validation of the same values gives."""
    data = validate_input(minimal(payload={"a": [1, {"b": None}]}, retryCount=1))
    stamp = datetime(2024, 1, 1, tzinfo=timezone.utc)
    built = build_record(data, record_id="ab" * 12, created_at=stamp, updated_at=stamp)
    validated = ActionLog.model_validate(
        {**data.model_dump(), "id": "ab" * 12, "created_at": stamp, "updated_at": stamp}
    )
    assert built == validated
    assert built.model_dump(mode="json", by_alias=True) == validated.model_dump(
        mode="json", by_alias=True
    )
    assert built.model_fields_set == validated.model_fields_set
    assert built.model_copy(update={"retry_count": 2}).retry_count == 2


def test_json_objects_are_normalized_and_subclasses_become_plain_values() -> None:
    """Unusual JSON comes back as a normal copy: str enums and IntEnums become text and ints."""
    import enum

    class Colour(str, enum.Enum):
        RED = "red"

    class Level(enum.IntEnum):
        HIGH = 3

    source = {"a": {"b": [1, "x", None]}, "colour": Colour.RED, "level": Level.HIGH}
    assert not is_plain_json_object(source)
    copied = normal_json_object(source)
    assert copied == {"a": {"b": [1, "x", None]}, "colour": "red", "level": 3}
    assert copied["a"] is not source["a"]
    assert type(copied["colour"]) is str
    assert type(copied["level"]) is int
    assert is_plain_json_object(copied)
    assert normal_json_object(copied) is copied  # already normal: taken as it is


@settings(max_examples=300)
@given(strategies.json_objects(depth=4))
def test_fast_json_check_matches_the_careful_copy(value: dict[str, Any]) -> None:
    """Where the fast check takes an object as it is, the careful copy gives it back unchanged."""
    fast = normal_json_object(value)
    careful = _copy_object(value, "", 1)
    assert json.dumps(fast, sort_keys=True) == json.dumps(careful, sort_keys=True)
    assert fast == careful


def test_the_fast_check_and_the_careful_copy_agree_on_the_depth_bound() -> None:
    """The deepest nesting the careful copy accepts is plain for the fast check; one more is not."""
    from actionlogkit._json import JsonError
    from actionlogkit._rules import MAX_DEPTH

    def nested(levels: int) -> dict[str, Any]:
        value: Any = 1
        for _ in range(levels):
            value = [value]
        return {"a": value}

    deepest = max(n for n in range(MAX_DEPTH + 3) if _accepts(nested(n)))
    assert is_plain_json_object(nested(deepest))
    assert not is_plain_json_object(nested(deepest + 1))
    with pytest.raises(JsonError, match="nested deeper"):
        normal_json_object(nested(deepest + 1))


def _accepts(value: dict[str, Any]) -> bool:
    try:
        _copy_object(value, "", 1)
    except ValueError:
        return False
    return True
