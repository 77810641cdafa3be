"""The OpenAPI document: committed, current, and describing the seed's API exactly."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient

from actionlogkit import MemoryStore
from actionlogkit.http import create_app, openapi_json
from actionlogkit.http._operations import Interval, SortField
from actionlogkit.models import INPUT_FIELD_NAMES
from actionlogkit.query import TOP_LEVEL_FIELDS
from actionlogkit.stats import INTERVALS

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
REGENERATE = "uv run actionlogkit openapi --output docs/openapi.json"
COLLECTION = "/integration-action-logs"
ITEM = "/integration-action-logs/{id}"
STATS = "/integration-action-logs/stats"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The document the application serves."""
    with TestClient(create_app(MemoryStore())) as client:
        served: dict[str, Any] = client.get("/openapi.json").json()
    return served


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _parameter(document: dict[str, Any], name: str) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = document["paths"][COLLECTION]["get"]["parameters"]
    [found] = [p for p in parameters if p["name"] == name]
    return found


def test_committed_document_is_current(document: dict[str, Any]) -> None:
    """docs/openapi.json equals the application's document; regenerate it when the API changes."""
    current = openapi_json()
    committed = COMMITTED.read_text(encoding="utf-8")
    if committed != current:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                current.splitlines(keepends=True),
                "docs/openapi.json (committed)",
                "the application's document",
                n=2,
            )
        )
        pytest.fail(
            f"docs/openapi.json differs from the API's document; regenerate it with:\n"
            f"    {REGENERATE}\n\n{diff[:6000]}"
        )
    assert json.loads(committed) == document


def test_document_has_exactly_the_seeds_operations_and_stats(document: dict[str, Any]) -> None:
    """The seed's five operations (list, create, get, replace, delete), and stats."""
    operations = {(path, method) for path, item in document["paths"].items() for method in item}
    assert operations == {
        (COLLECTION, "get"),
        (COLLECTION, "post"),
        (ITEM, "get"),
        (ITEM, "put"),
        (ITEM, "delete"),
        (STATS, "get"),
    }


def test_list_parameters_carry_the_seeds_bounds_defaults_and_enums(
    document: dict[str, Any],
) -> None:
    """limit 1..100 default 50, offset ≥ 0 default 0, order asc|desc default desc, sort enum."""
    limit = _parameter(document, "limit")["schema"]
    assert (limit["type"], limit["minimum"], limit["maximum"], limit["default"]) == (
        "integer",
        1,
        100,
        50,
    )
    offset = _parameter(document, "offset")["schema"]
    assert (offset["type"], offset["minimum"], offset["default"]) == ("integer", 0, 0)
    order = _parameter(document, "order")["schema"]
    assert (order["enum"], order["default"]) == (["asc", "desc"], "desc")
    sort = _parameter(document, "sort")["schema"]
    assert sort["enum"] == list(TOP_LEVEL_FIELDS)
    assert sort["default"] == "createdAt"
    for name in ("filter", "search"):
        parameter = _parameter(document, name)
        assert parameter["required"] is False
        assert parameter["description"]


def test_sort_enum_is_the_query_languages_fields() -> None:
    """The documented sort fields are exactly the query language's top-level fields."""
    assert list(get_args(SortField)) == list(TOP_LEVEL_FIELDS)


def test_stats_parameters_are_the_cores(document: dict[str, Any]) -> None:
    """interval's enum is the core's intervals; by defaults to integrationId,status."""
    assert list(get_args(Interval)) == list(INTERVALS)
    parameters = {p["name"]: p for p in document["paths"][STATS]["get"]["parameters"]}
    assert set(parameters) == {"filter", "search", "by", "interval"}
    assert parameters["by"]["schema"]["default"] == "integrationId,status"
    schema = document["paths"][STATS]["get"]["responses"]["200"]["content"]["application/json"]
    group = document["components"]["schemas"]["StatsGroup"]
    assert schema["schema"] == {"$ref": "#/components/schemas/StatsResponse"}
    assert list(group["properties"]) == [
        "key",
        "bucket",
        "count",
        "failed",
        "retried",
        "executionTime",
    ]


def test_body_schema_is_the_seeds_with_required_fields_and_enums(
    document: dict[str, Any],
) -> None:
    """The create/replace body: the seed's fields, four required, enums, no other properties."""
    for path, method in ((COLLECTION, "post"), (ITEM, "put")):
        content = document["paths"][path][method]["requestBody"]["content"]["application/json"]
        schema = _resolve(document, content["schema"])
        # The replacement also takes a record as GET returned it: _id and its timestamps.
        extra = ["_id", "createdAt", "updatedAt"] if method == "put" else []
        assert list(schema["properties"]) == [*INPUT_FIELD_NAMES, *extra]
        assert sorted(schema["required"]) == [
            "actionType",
            "entityType",
            "integrationId",
            "status",
        ]
        assert schema["additionalProperties"] is False
        props = schema["properties"]
        action = _resolve(document, props["actionType"])
        assert action["enum"] == ["create", "update", "delete", "sync", "webhook"]
        status = _resolve(document, props["status"])
        assert status["enum"] == ["pending", "success", "failed", "retrying"]
        assert props["retryCount"]["minimum"] == 0
        assert props["retryCount"]["default"] == 0
        assert props["executionTime"]["anyOf"][0] == {"minimum": 0, "type": "number"}
        seed = content["examples"]["seed"]["value"]
        assert seed["integrationId"] == "60f7b1b3e4b0e8b3f8b3f8b4"


def test_records_are_documented_with_id_and_timestamps(document: dict[str, Any]) -> None:
    """A record is _id, the body's fields, createdAt and updatedAt as date-time text."""
    record = document["components"]["schemas"]["ActionLog"]
    assert list(record["properties"]) == ["_id", *INPUT_FIELD_NAMES, "createdAt", "updatedAt"]
    for stamp in ("createdAt", "updatedAt"):
        assert record["properties"][stamp]["type"] == "string"
        assert record["properties"][stamp]["format"] == "date-time"
    assert set(record["required"]) >= {"_id", "createdAt", "updatedAt"}


@pytest.mark.parametrize(
    ("path", "method", "ok", "errors"),
    [
        (COLLECTION, "get", "200", {"400", "503", "default"}),
        (COLLECTION, "post", "201", {"413", "415", "422", "503", "default"}),
        (ITEM, "get", "200", {"404", "503", "default"}),
        (ITEM, "put", "200", {"404", "413", "415", "422", "503", "default"}),
        (ITEM, "delete", "200", {"404", "503", "default"}),
        (STATS, "get", "200", {"400", "503", "default"}),
    ],
)
def test_every_operation_documents_its_answers_with_examples(
    document: dict[str, Any], path: str, method: str, ok: str, errors: set[str]
) -> None:
    """Each operation documents its success and each error status, all in the error schema."""
    responses = document["paths"][path][method]["responses"]
    assert set(responses) == {ok, *errors}
    success = responses[ok]["content"]["application/json"]
    assert success["example"]["success"] is True
    for status in errors:
        content = responses[status]["content"]["application/json"]
        assert content["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
        assert content["example"]["success"] is False
        assert responses[status]["description"]


def test_error_schema_is_success_false_message_and_errors(document: dict[str, Any]) -> None:
    """The error body is success false, a message and a list of field/message pairs."""
    schemas = document["components"]["schemas"]
    error = schemas["ErrorResponse"]
    assert error["properties"]["success"]["const"] is False
    assert set(error["required"]) == {"success", "message", "errors"}
    detail = schemas["ErrorDetail"]
    assert set(detail["required"]) == {"field", "message"}
    assert "HTTPValidationError" not in schemas


def _keys(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item)


def test_schemas_use_only_standard_bound_keywords(document: dict[str, Any]) -> None:
    """Bounds are JSON Schema's minimum/maximum, never pydantic's own ge/le/gt/lt."""
    keys = set(_keys(document["components"]["schemas"]))
    assert not keys & {"ge", "le", "gt", "lt"}
