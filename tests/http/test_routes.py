"""Every route of the REST API on every store: parameters, bounds, defaults, bodies, answers."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient

from actionlogkit import Store
from actionlogkit.models import FIELD_NAMES
from actionlogkit.query import MAX_OFFSET, TOP_LEVEL_FIELDS

URL = "/integration-action-logs"
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
FULL_BODY: dict[str, Any] = {
    "integrationId": "shop-1",
    "actionType": "update",
    "entityType": "product",
    "entityId": "sku-43",
    "status": "failed",
    "payload": {"price": -1, "tags": ["a", "b"]},
    "response": {"status": 422},
    "errorMessage": "HTTP 422: price must be positive",
    "retryCount": 2,
    "executionTime": 640.5,
    "metadata": {"requestId": "r-1"},
}
MINIMAL_BODY: dict[str, Any] = {
    "integrationId": "shop-2",
    "actionType": "sync",
    "entityType": "order",
    "status": "pending",
}


def _seed(store: Store, count: int) -> list[str]:
    """Store ``count`` records created one second apart; return their ids in creation order."""
    records = [
        {
            **MINIMAL_BODY,
            "integrationId": f"shop-{i % 3}",
            "entityId": f"e-{i:03d}",
            "retryCount": i % 4,
            "status": ("success", "failed")[i % 2],
        }
        for i in range(count)
    ]
    stamps = [T0 + timedelta(seconds=i) for i in range(count)]
    created = store.create_many(records, created_at=stamps)
    return [record.id for record in created]


def _wire(store: Store, record_id: str) -> dict[str, Any]:
    return store.get(record_id).model_dump(mode="json", by_alias=True)


def _fields(response: Any) -> list[str | None]:
    return [error["field"] for error in response.json()["errors"]]


def _assert_error(response: Any, status: int, field: str | None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"success", "message", "errors"}
    assert body["success"] is False
    assert isinstance(body["message"], str)
    assert body["message"]
    assert field in _fields(response), body


# -- GET /integration-action-logs ------------------------------------------------------------------


def test_list_defaults_to_fifty_newest_first_with_the_total(
    client: TestClient, store: Store
) -> None:
    """Without parameters the list holds the 50 newest records, newest first, and the total."""
    ids = _seed(store, 60)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["success", "data", "total", "nextCursor"]
    assert body["success"] is True
    assert body["total"] == 60
    assert [record["_id"] for record in body["data"]] == ids[::-1][:50]


def test_list_records_are_the_stores_json_exactly(client: TestClient, store: Store) -> None:
    """Each listed record is the store's record in the seed's JSON: _id, camelCase, Z stamps."""
    created = store.create(FULL_BODY)
    [record] = client.get(URL).json()["data"]
    assert record == _wire(store, created.id)
    assert list(record) == list(FIELD_NAMES)
    assert TIMESTAMP.fullmatch(record["createdAt"])
    assert TIMESTAMP.fullmatch(record["updatedAt"])


@pytest.mark.parametrize("limit", [1, 7, 100])
def test_list_limit_within_bounds_sets_the_page_size(
    client: TestClient, store: Store, limit: int
) -> None:
    """A limit from 1 to 100 returns at most that many records; the total is unchanged."""
    _seed(store, 120)
    body = client.get(URL, params={"limit": limit}).json()
    assert len(body["data"]) == limit
    assert body["total"] == 120


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", "", "9" * 5000])
def test_list_limit_out_of_bounds_is_a_400_naming_limit(client: TestClient, limit: str) -> None:
    """A limit that is not an integer from 1 to 100 gets a 400 naming the limit."""
    _assert_error(client.get(URL, params={"limit": limit}), 400, "limit")


def test_list_offset_skips_records_and_pages_cover_everything_once(
    client: TestClient, store: Store
) -> None:
    """Pages of 7 fetched by offset concatenate to the whole list, in order, each with the total."""
    ids = _seed(store, 30)
    seen: list[str] = []
    for offset in range(0, 35, 7):
        body = client.get(URL, params={"limit": 7, "offset": offset, "order": "asc"}).json()
        assert body["total"] == 30
        seen.extend(record["_id"] for record in body["data"])
    assert seen == ids


def test_list_offset_past_the_end_gives_no_records_and_the_total(
    client: TestClient, store: Store
) -> None:
    """An offset beyond the matches gives an empty page and still the total."""
    _seed(store, 3)
    for offset in (3, 1000, MAX_OFFSET):
        body = client.get(URL, params={"offset": offset}).json()
        assert body == {"success": True, "data": [], "total": 3, "nextCursor": None}


@pytest.mark.parametrize("offset", ["-1", "x", str(MAX_OFFSET + 1), "1e3", "9" * 5000])
def test_list_offset_out_of_bounds_is_a_400_naming_offset(client: TestClient, offset: str) -> None:
    """An offset that is not an integer from 0 to 2**53 gets a 400 naming the offset."""
    _assert_error(client.get(URL, params={"offset": offset}), 400, "offset")


@pytest.mark.parametrize("field", list(TOP_LEVEL_FIELDS))
def test_list_sorts_by_every_top_level_field(client: TestClient, store: Store, field: str) -> None:
    """Every top-level field sorts, in the order the store gives for the same query."""
    _seed(store, 12)
    for order in ("asc", "desc"):
        body = client.get(URL, params={"sort": field, "order": order}).json()
        expected = store.list(sort=field, order=order)
        assert [record["_id"] for record in body["data"]] == [r.id for r in expected.data]


def test_list_order_defaults_to_descending(client: TestClient, store: Store) -> None:
    """Without an order the records come in descending order of the sort field."""
    ids = _seed(store, 5)
    body = client.get(URL, params={"sort": "createdAt"}).json()
    assert [record["_id"] for record in body["data"]] == ids[::-1]
    body = client.get(URL, params={"order": "asc"}).json()
    assert [record["_id"] for record in body["data"]] == ids


@pytest.mark.parametrize("sort", ["nope", "payload", "payload.price", "createdat", ""])
def test_list_unknown_sort_field_is_a_400_naming_sort(client: TestClient, sort: str) -> None:
    """A sort field that is not a top-level field gets a 400 naming sort."""
    _assert_error(client.get(URL, params={"sort": sort}), 400, "sort")


@pytest.mark.parametrize("order", ["up", "ASC", "", "descending"])
def test_list_unknown_order_is_a_400_naming_order(client: TestClient, order: str) -> None:
    """An order other than asc or desc gets a 400 naming order."""
    _assert_error(client.get(URL, params={"order": order}), 400, "order")


def test_list_filter_selects_the_matching_records(client: TestClient, store: Store) -> None:
    """The filter parameter is a JSON filter document; only the matches and their count come."""
    _seed(store, 20)
    document = {"status": "failed", "retryCount": {"$gte": 2}}
    body = client.get(URL, params={"filter": json.dumps(document), "limit": 100}).json()
    expected = store.list(document, limit=100)
    assert body["total"] == expected.total
    assert (expected.total or 0) > 0
    assert [record["_id"] for record in body["data"]] == [r.id for r in expected.data]
    assert all(r["status"] == "failed" and r["retryCount"] >= 2 for r in body["data"])


def test_list_filter_reaches_inside_json_fields(client: TestClient, store: Store) -> None:
    """Dotted paths filter inside payload, response and metadata."""
    inside = store.create(FULL_BODY)
    store.create(MINIMAL_BODY)
    body = client.get(URL, params={"filter": '{"payload.price": {"$lt": 0}}'}).json()
    assert [record["_id"] for record in body["data"]] == [inside.id]


@pytest.mark.parametrize("empty", ["", "{}", "  "])
def test_list_empty_filter_matches_everything(client: TestClient, store: Store, empty: str) -> None:
    """An empty filter (no text, {} or blanks) matches every record."""
    _seed(store, 4)
    assert client.get(URL, params={"filter": empty}).json()["total"] == 4


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("{", "filter"),
        ("not json", "filter"),
        ("[]", "filter"),
        ('"status"', "filter"),
        ('{"status": NaN}', "filter"),
        ('{"a": 1, "a": 2}', "filter"),
        ('{"nope": 1}', "filter.nope"),
        ('{"status": {"$regex": "x"}}', "filter.status.$regex"),
        ('{"$where": "1"}', "filter.$where"),
        ('{"retryCount": {"$gt": "3"}}', "filter.retryCount.$gt"),
        ('{"status": "unknown"}', "filter.status"),
        ('{"payload": 1}', "filter.payload"),
        ('{"_id": "xyz"}', "filter._id"),
        ('{"createdAt": {"$lt": "yesterday"}}', "filter.createdAt.$lt"),
        ('{"status": {"$in": "failed"}}', "filter.status.$in"),
        ('{"$or": []}', "filter.$or"),
        ('{"payload.tags": {"$size": -1}}', "filter.payload.tags.$size"),
        ('{"payload.tags": {"$size": 1.5}}', "filter.payload.tags.$size"),
        ('{"payload.tags": {"$type": "date"}}', "filter.payload.tags.$type"),
        ('{"payload.tags": {"$all": 5}}', "filter.payload.tags.$all"),
        ('{"payload.items": {"$elemMatch": {}}}', "filter.payload.items.$elemMatch"),
        (
            '{"payload.items": {"$elemMatch": {"$gt": 1, "sku": "a"}}}',
            "filter.payload.items.$elemMatch",
        ),
        ('{"payload.a": {"b": {"$gt": 1}}}', "filter.payload.a.b"),
        ('{"payload.a": {"b.c": 1}}', "filter.payload.a"),
        ('{"payload.a": {"$mod": [2, 0]}}', "filter.payload.a.$mod"),
        ('{"retryCount": {"$size": 2}}', "filter.retryCount.$size"),
    ],
)
def test_list_bad_filter_is_a_400_naming_the_place(
    client: TestClient, text: str, field: str
) -> None:
    """Malformed JSON, unknown fields and operators, wrong operand types: a 400 naming the place."""
    _assert_error(client.get(URL, params={"filter": text}), 400, field)


def test_list_filter_takes_the_array_operators(client: TestClient, store: Store) -> None:
    """$elemMatch, $size, $all, $type, positions and array operands work through the API."""
    hit = store.create({**FULL_BODY, "payload": {"tags": ["a", "b"], "items": [{"q": 3}]}})
    store.create({**FULL_BODY, "payload": {"tags": ["b"], "items": [{"q": 1}, {"q": 5}]}})
    for filter in (
        {"payload.items": {"$elemMatch": {"q": {"$gt": 2, "$lt": 4}}}},
        {"payload.tags": {"$size": 2}},
        {"payload.tags": {"$all": ["b", "a"]}},
        {"payload.tags.0": "a"},
        {"payload.tags": ["a", "b"]},
        {"payload.items": {"$elemMatch": {"$type": "object", "$eq": {"q": 3.0}}}},
    ):
        body = client.get(URL, params={"filter": json.dumps(filter)}).json()
        assert [record["_id"] for record in body["data"]] == [hit.id], filter


def test_list_filter_over_the_size_bound_is_a_400(client: TestClient) -> None:
    """A filter longer than 16 KiB of JSON gets a 400 naming the filter."""
    text = json.dumps({"integrationId": {"$in": ["x" * 100] * 200}})
    assert len(text) > 16_384
    _assert_error(client.get(URL, params={"filter": text}), 400, "filter")


def test_list_filter_over_the_depth_bound_is_a_400(client: TestClient) -> None:
    """A filter nested deeper than 16 levels gets a 400 naming the filter."""
    text = '{"$and": [' * 9 + '{"status": "failed"}' + "]}" * 9
    _assert_error(client.get(URL, params={"filter": text}), 400, "filter")
    hostile = "[" * 5000 + "]" * 5000
    _assert_error(client.get(URL, params={"filter": hostile}), 400, "filter")


def test_list_filter_over_the_condition_bound_is_a_400(client: TestClient) -> None:
    """A filter with more than 100 conditions gets a 400 naming the condition past the bound."""
    text = json.dumps({"$or": [{"retryCount": i} for i in range(101)]})
    response = client.get(URL, params={"filter": text})
    _assert_error(response, 400, "filter.$or[100].retryCount")


def test_list_search_finds_text_case_insensitively(client: TestClient, store: Store) -> None:
    """The search term is found, whatever its case, in the searched text fields."""
    hit = store.create(FULL_BODY)
    store.create(MINIMAL_BODY)
    body = client.get(URL, params={"search": "PRICE MUST"}).json()
    assert [record["_id"] for record in body["data"]] == [hit.id]
    assert body["total"] == 1


def test_list_search_and_filter_combine(client: TestClient, store: Store) -> None:
    """A search and a filter both apply."""
    _seed(store, 12)
    body = client.get(URL, params={"search": "shop-1", "filter": '{"status": "failed"}'}).json()
    expected = store.list({"status": "failed"}, search="shop-1")
    assert body["total"] == expected.total
    assert (expected.total or 0) > 0
    assert [record["_id"] for record in body["data"]] == [r.id for r in expected.data]


@pytest.mark.parametrize("search", ["x" * 257, "a\x00b"])
def test_list_bad_search_is_a_400_naming_search(client: TestClient, search: str) -> None:
    """A search term over 256 characters or holding NUL gets a 400 naming search."""
    _assert_error(client.get(URL, params={"search": search}), 400, "search")


def test_list_cursor_walk_reads_every_match_once_in_order(client: TestClient, store: Store) -> None:
    """Following nextCursor from page to page gives every match once, in order; null at the end."""
    _seed(store, 23)
    params = {"filter": '{"status": "failed"}', "sort": "retryCount", "order": "asc"}
    whole = client.get(URL, params={**params, "limit": 100}).json()
    assert whole["nextCursor"] is None
    walked: list[str] = []
    cursor = None
    while True:
        body = client.get(URL, params={**params, "limit": 4, "cursor": cursor or ""}).json()
        walked.extend(record["_id"] for record in body["data"])
        assert body["total"] == whole["total"]
        cursor = body["nextCursor"]
        if cursor is None:
            break
        assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)
    assert walked == [record["_id"] for record in whole["data"]]


def test_list_with_total_false_gives_null_total(client: TestClient, store: Store) -> None:
    """withTotal=false answers the same page with "total": null."""
    _seed(store, 5)
    counted = client.get(URL, params={"limit": 2}).json()
    body = client.get(URL, params={"limit": 2, "withTotal": "false"}).json()
    assert body["total"] is None
    assert body["data"] == counted["data"]
    assert body["nextCursor"] == counted["nextCursor"]


def test_list_cursor_of_another_query_is_a_400_naming_cursor(
    client: TestClient, store: Store
) -> None:
    """A cursor used with another sort, or a malformed one, is a 400 naming cursor."""
    _seed(store, 5)
    cursor = client.get(URL, params={"limit": 2}).json()["nextCursor"]
    _assert_error(client.get(URL, params={"cursor": cursor, "sort": "_id"}), 400, "cursor")
    _assert_error(client.get(URL, params={"cursor": "nope"}), 400, "cursor")
    _assert_error(client.get(URL, params={"cursor": "x" * 5000}), 400, "cursor")


def test_list_offset_with_a_cursor_is_a_400_naming_offset(client: TestClient, store: Store) -> None:
    """A non-zero offset beside a cursor is a 400 naming offset."""
    _seed(store, 5)
    cursor = client.get(URL, params={"limit": 2}).json()["nextCursor"]
    _assert_error(client.get(URL, params={"cursor": cursor, "offset": 2}), 400, "offset")


def test_unknown_query_parameters_are_a_400_naming_them(client: TestClient, store: Store) -> None:
    """A parameter the route does not define is refused, with the accepted ones listed."""
    _seed(store, 2)
    response = client.get(URL, params={"status": "failed", "limit": "1"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "status",
            "message": "unknown query parameter; this route accepts: "
            "limit, offset, sort, order, filter, search, cursor, withTotal",
        }
    ]


def test_repeated_query_parameters_are_a_400_naming_them(client: TestClient) -> None:
    """?limit=1&limit=2 is refused rather than read once."""
    _assert_error(client.get(f"{URL}?limit=1&limit=2"), 400, "limit")


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_routes_of_one_record_take_no_query_parameters(
    client: TestClient, store: Store, method: str
) -> None:
    """GET, PUT and DELETE of a record refuse any query parameter, and change nothing."""
    created = store.create(FULL_BODY)
    before = _wire(store, created.id)
    response = client.request(method.upper(), f"{URL}/{created.id}?force=1", json=FULL_BODY)
    _assert_error(response, 400, "force")
    assert _wire(store, created.id) == before


# -- POST /integration-action-logs -----------------------------------------------------------------


def test_create_returns_201_and_the_stored_record(client: TestClient, store: Store) -> None:
    """A valid body is stored; the 201 answer holds the record exactly as stored."""
    response = client.post(URL, json=FULL_BODY)
    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["success", "data"]
    assert body["success"] is True
    record = body["data"]
    assert record == _wire(store, record["_id"])
    assert {key: record[key] for key in FULL_BODY} == FULL_BODY
    assert TIMESTAMP.fullmatch(record["createdAt"])
    assert record["createdAt"] == record["updatedAt"]


def test_create_fills_defaults_for_fields_left_out(client: TestClient) -> None:
    """Optional fields left out come back null, retryCount 0."""
    record = client.post(URL, json=MINIMAL_BODY).json()["data"]
    assert record["retryCount"] == 0
    for field in ("entityId", "payload", "response", "errorMessage", "executionTime", "metadata"):
        assert record[field] is None


def test_create_accepts_the_seed_example(client: TestClient) -> None:
    """The seed's own example body is accepted and echoed back."""
    from actionlogkit.http._models import EXAMPLE_INPUT

    record = client.post(URL, json=EXAMPLE_INPUT).json()["data"]
    assert {key: record[key] for key in EXAMPLE_INPUT} == EXAMPLE_INPUT


@pytest.mark.parametrize("field", ["_id", "createdAt", "updatedAt", "unknown"])
def test_create_rejects_read_only_and_unknown_fields(
    client: TestClient, store: Store, field: str
) -> None:
    """A body setting _id, createdAt, updatedAt or an unknown field is a 422; nothing is stored."""
    value = "60f7b1b3e4b0e8b3f8b3f8b3" if field == "_id" else "2023-01-15T08:00:00Z"
    _assert_error(client.post(URL, json={**MINIMAL_BODY, field: value}), 422, field)
    assert store.count() == 0


def test_create_names_every_missing_required_field(client: TestClient, store: Store) -> None:
    """An empty object gets one error per required field."""
    response = client.post(URL, json={})
    _assert_error(response, 422, "integrationId")
    assert set(_fields(response)) == {"integrationId", "actionType", "entityType", "status"}
    assert store.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"actionType": "destroy"}, "actionType"),
        ({"status": "done"}, "status"),
        ({"integrationId": ""}, "integrationId"),
        ({"integrationId": 5}, "integrationId"),
        ({"entityType": "x" * 257}, "entityType"),
        ({"retryCount": -1}, "retryCount"),
        ({"retryCount": 2**31}, "retryCount"),
        ({"retryCount": 1.5}, "retryCount"),
        ({"retryCount": "2"}, "retryCount"),
        ({"executionTime": -0.5}, "executionTime"),
        ({"executionTime": "fast"}, "executionTime"),
        ({"payload": []}, "payload"),
        ({"payload": {"a.b": 1}}, "payload"),
        ({"payload": {"$set": 1}}, "payload"),
        ({"payload": {"n": 2**60}}, "payload.n"),
        ({"metadata": {"text": "a\x00b"}}, "metadata.text"),
        ({"errorMessage": "x" * 65_537}, "errorMessage"),
    ],
)
def test_create_invalid_field_is_a_422_naming_it(
    client: TestClient, store: Store, change: dict[str, Any], field: str
) -> None:
    """A value that breaks its field's rule gets a 422 naming the field; nothing is stored."""
    _assert_error(client.post(URL, json={**MINIMAL_BODY, **change}), 422, field)
    assert store.count() == 0


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"",
        b"   ",
        b"[]",
        b'"text"',
        b"42",
        b"null",
        b"\xff\xfe",
        b'{"integrationId": NaN}',
        b'{"executionTime": Infinity}',
        b'{"integrationId": "a", "integrationId": "b"}',
        b'{"payload": {"k": 1, "k": 2}}',
        b'{"retryCount": ' + b"9" * 5000 + b"}",
        b"[" * 200_000 + b"]" * 200_000,
        b'{"payload": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001,
    ],
)
def test_create_body_that_is_not_one_json_object_is_a_422(
    client: TestClient, store: Store, raw: bytes
) -> None:
    """Malformed, empty, non-object or hostile JSON bodies get a 422 for the body, store nothing."""
    response = client.post(URL, content=raw, headers={"content-type": "application/json"})
    _assert_error(response, 422, None)
    assert store.count() == 0


def test_create_too_deeply_nested_payload_is_a_422(client: TestClient, store: Store) -> None:
    """A payload nested past 32 levels gets a 422 naming the payload."""
    deep: dict[str, Any] = {"leaf": 1}
    for _ in range(40):
        deep = {"k": deep}
    response = client.post(URL, json={**MINIMAL_BODY, "payload": deep})
    assert response.status_code == 422
    [field] = _fields(response)
    assert field is not None
    assert field.startswith("payload.k.k")
    assert store.count() == 0


def test_create_huge_float_is_a_422(client: TestClient, store: Store) -> None:
    """A number too large for a double (read as infinity) is refused."""
    raw = json.dumps(MINIMAL_BODY)[:-1] + ', "executionTime": 1e400}'
    response = client.post(URL, content=raw, headers={"content-type": "application/json"})
    _assert_error(response, 422, "executionTime")
    assert store.count() == 0


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/vnd.api+json"],
)
def test_create_accepts_json_media_types(client: TestClient, content_type: str) -> None:
    """application/json, with a charset or as a +json type, is read as JSON."""
    response = client.post(
        URL, content=json.dumps(MINIMAL_BODY), headers={"content-type": content_type}
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None]
)
def test_create_with_a_non_json_content_type_is_a_415(
    client: TestClient, store: Store, content_type: str | None
) -> None:
    """A body sent as anything but JSON (or without a Content-Type) gets a 415."""
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(URL, content=json.dumps(MINIMAL_BODY), headers=headers)
    _assert_error(response, 415, None)
    assert store.count() == 0


# -- GET /integration-action-logs/{id} -------------------------------------------------------------


def test_get_returns_the_record(client: TestClient, store: Store) -> None:
    """A stored id gives the record in the seed's JSON."""
    created = store.create(FULL_BODY)
    response = client.get(f"{URL}/{created.id}")
    assert response.status_code == 200
    assert response.json() == {"success": True, "data": _wire(store, created.id)}


def test_get_accepts_an_uppercase_id(client: TestClient, store: Store) -> None:
    """Ids are hexadecimal: an uppercase spelling names the same record."""
    created = store.create(MINIMAL_BODY)
    assert client.get(f"{URL}/{created.id.upper()}").json()["data"]["_id"] == created.id


@pytest.mark.parametrize(
    "record_id", ["60f7b1b3e4b0e8b3f8b3f8b3", "xyz", "60f7b1b3e4b0e8b3f8b3f8b", "%00", "a" * 5000]
)
def test_get_unknown_or_malformed_id_is_a_404(
    client: TestClient, store: Store, record_id: str
) -> None:
    """An id no record has, well-formed or not, gets a 404 naming the id."""
    store.create(MINIMAL_BODY)
    _assert_error(client.get(f"{URL}/{record_id}"), 404, "id")


# -- PUT /integration-action-logs/{id} -------------------------------------------------------------


def test_put_replaces_every_settable_field(client: TestClient, store: Store) -> None:
    """PUT is full replacement: fields left out return to their defaults, the rest are the body."""
    created = store.create(FULL_BODY, created_at=T0)
    response = client.put(f"{URL}/{created.id}", json=MINIMAL_BODY)
    assert response.status_code == 200
    record = response.json()["data"]
    assert record == _wire(store, created.id)
    assert {key: record[key] for key in MINIMAL_BODY} == MINIMAL_BODY
    assert record["retryCount"] == 0
    for field in ("entityId", "payload", "response", "errorMessage", "executionTime", "metadata"):
        assert record[field] is None


def test_put_keeps_id_and_createdat_and_advances_updatedat(
    client: TestClient, store: Store
) -> None:
    """PUT keeps _id and createdAt; updatedAt becomes the time of the update."""
    created = store.create(MINIMAL_BODY, created_at=T0)
    record = client.put(f"{URL}/{created.id}", json=FULL_BODY).json()["data"]
    assert record["_id"] == created.id
    assert record["createdAt"] == "2024-01-01T00:00:00.000Z"
    assert record["updatedAt"] > record["createdAt"]
    assert store.count() == 1


def test_put_unknown_or_malformed_id_is_a_404(client: TestClient, store: Store) -> None:
    """PUT on an id no record has gets a 404 and stores nothing."""
    for record_id in ("60f7b1b3e4b0e8b3f8b3f8b3", "not-an-id"):
        _assert_error(client.put(f"{URL}/{record_id}", json=MINIMAL_BODY), 404, "id")
    assert store.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {**MINIMAL_BODY, "status": "done"},
        {**MINIMAL_BODY, "_id": "60f7b1b3e4b0e8b3f8b3f8b3"},
        {**MINIMAL_BODY, "_id": "not an id"},
        {**MINIMAL_BODY, "createdAt": "yesterday"},
        {"status": "failed"},
    ],
)
def test_put_invalid_body_is_a_422_and_changes_nothing(
    client: TestClient, store: Store, body: dict[str, Any]
) -> None:
    """PUT with a body that is not a valid full record gets a 422; the record is unchanged."""
    created = store.create(FULL_BODY)
    before = _wire(store, created.id)
    response = client.put(f"{URL}/{created.id}", json=body)
    assert response.status_code == 422
    assert _wire(store, created.id) == before


def test_a_record_as_get_returned_it_can_be_put_back(client: TestClient, store: Store) -> None:
    """GET, change a field, PUT: _id, createdAt and updatedAt are accepted; the store owns them."""
    created = store.create(FULL_BODY)
    record = client.get(f"{URL}/{created.id}").json()["data"]
    record["status"] = "success"
    record["createdAt"] = "2001-01-01T00:00:00.000Z"
    response = client.put(f"{URL}/{created.id.upper()}", json=record)
    assert response.status_code == 200, response.text
    stored = _wire(store, created.id)
    assert stored["status"] == "success"
    assert stored["createdAt"] == created.model_dump(mode="json", by_alias=True)["createdAt"]
    assert stored["updatedAt"] >= record["updatedAt"]


def test_put_with_another_records_id_is_a_422_naming_id(client: TestClient, store: Store) -> None:
    """A body whose _id is not the path's id changes neither record."""
    first, second = store.create(FULL_BODY), store.create(FULL_BODY)
    body = client.get(f"{URL}/{second.id}").json()["data"]
    body["status"] = "success"
    _assert_error(client.put(f"{URL}/{first.id}", json=body), 422, "_id")
    assert _wire(store, first.id)["status"] == _wire(store, second.id)["status"] == "failed"


def test_put_over_the_body_limit_is_a_413_and_changes_nothing(
    client: TestClient, store: Store
) -> None:
    """PUT with a body over the limit gets a 413; the record is unchanged."""
    created = store.create(FULL_BODY)
    before = _wire(store, created.id)
    body = {**MINIMAL_BODY, "payload": {"blob": "x" * 1_100_000}}
    _assert_error(client.put(f"{URL}/{created.id}", json=body), 413, None)
    assert _wire(store, created.id) == before


# -- DELETE /integration-action-logs/{id} ----------------------------------------------------------


def test_delete_removes_the_record_with_the_seeds_message(client: TestClient, store: Store) -> None:
    """DELETE answers the seed's message and the record is gone."""
    created = store.create(MINIMAL_BODY)
    kept = store.create(FULL_BODY)
    response = client.delete(f"{URL}/{created.id}")
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "Integration action log record deleted successfully",
    }
    _assert_error(client.get(f"{URL}/{created.id}"), 404, "id")
    assert [record.id for record in store.list().data] == [kept.id]


def test_delete_twice_is_a_404_the_second_time(client: TestClient, store: Store) -> None:
    """Deleting a deleted record, or an unknown or malformed id, gets a 404."""
    created = store.create(MINIMAL_BODY)
    assert client.delete(f"{URL}/{created.id}").status_code == 200
    for record_id in (created.id, "60f7b1b3e4b0e8b3f8b3f8b3", "bad id"):
        _assert_error(client.delete(f"{URL}/{record_id}"), 404, "id")


# -- the whole round ------------------------------------------------------------------------------


def test_create_list_replace_delete_round_trip(client: TestClient) -> None:
    """A record created over HTTP is listed, replaced, read back and deleted over HTTP."""
    created = client.post(URL, json=FULL_BODY).json()["data"]
    listed = client.get(URL).json()
    assert listed["data"] == [created]
    assert listed["total"] == 1
    replaced = client.put(f"{URL}/{created['_id']}", json=MINIMAL_BODY).json()["data"]
    assert client.get(f"{URL}/{created['_id']}").json()["data"] == replaced
    assert client.delete(f"{URL}/{created['_id']}").status_code == 200
    assert client.get(URL).json() == {"success": True, "data": [], "total": 0, "nextCursor": None}
