"""GET /integration-action-logs/stats on every store the API is tested on."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient

from actionlogkit import MemoryStore, Store
from actionlogkit.http import create_app

URL = "/integration-action-logs/stats"
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _seed(store: Store) -> None:
    bodies = [
        {
            "integrationId": f"shop-{i % 2}",
            "actionType": "sync",
            "entityType": "order",
            "entityId": f"e-{i}",
            "status": ("success", "failed", "retrying")[i % 3],
            "retryCount": i % 4,
            "executionTime": None if i % 5 == 0 else float(i),
        }
        for i in range(30)
    ]
    store.create_many(bodies, created_at=[T0 + timedelta(minutes=7 * i) for i in range(30)])


def test_stats_body_is_the_stores_stats_in_json(client: TestClient, store: Store) -> None:
    """The body is {success, data: {groups}} with the names and values of Store.stats."""
    _seed(store)
    answer = client.get(URL, params={"interval": "1h", "by": "integrationId"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["success"] is True
    expected = store.stats(by=("integrationId",), interval="1h").model_dump(
        mode="json", by_alias=True
    )
    assert body["data"] == expected
    first = body["data"]["groups"][0]
    assert list(first) == ["key", "bucket", "count", "failed", "retried", "executionTime"]
    assert first["bucket"] == "2024-01-01T00:00:00.000Z"
    assert set(first["executionTime"]) == {"min", "max", "avg", "p50", "p95", "p99"}


def test_stats_defaults_to_integration_and_status(client: TestClient, store: Store) -> None:
    """Without by the groups are per integrationId and status; by= empty gives one group."""
    _seed(store)
    keys = [group["key"] for group in client.get(URL).json()["data"]["groups"]]
    assert keys[0] == {"integrationId": "shop-0", "status": "failed"}
    assert len(keys) == 6
    [whole] = client.get(URL, params={"by": ""}).json()["data"]["groups"]
    assert (whole["key"], whole["bucket"], whole["count"]) == ({}, None, 30)


def test_stats_filter_and_search_narrow_the_groups(client: TestClient, store: Store) -> None:
    """filter and search mean what they mean in the list route."""
    _seed(store)
    params = {"filter": json.dumps({"retryCount": {"$gte": 2}}), "search": "E-1"}
    [group] = client.get(URL, params={**params, "by": ""}).json()["data"]["groups"]
    listed = client.get("/integration-action-logs", params=params)
    assert (
        group["count"]
        == listed.json()["total"]
        == store.count({"retryCount": {"$gte": 2}}, search="e-1")
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"by": "integrationId,payload.sku"}, "by"),
        ({"by": "status,status"}, "by"),
        ({"interval": "2h"}, "interval"),
        ({"filter": "{not json"}, "filter"),
        ({"filter": json.dumps({"status": "bogus"})}, "filter.status"),
        ({"search": "x" * 257}, "search"),
        ({"status": "failed"}, "status"),
    ],
)
def test_bad_stats_parameters_are_400_naming_them(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    """A bad by, interval, filter, search or an unknown parameter is a 400 naming it."""
    answer = client.get(URL, params=params)
    assert answer.status_code == 400
    body = answer.json()
    assert body["success"] is False
    assert body["message"] == "invalid query"
    assert [error["field"] for error in body["errors"]] == [field]


def test_too_many_groups_are_400_saying_what_to_do() -> None:
    """A query giving more than 10,000 groups is a 400 that says to narrow or widen."""
    store = MemoryStore()
    body = {"integrationId": "a", "actionType": "sync", "entityType": "o", "status": "success"}
    store.create_many(
        [body] * 10_001, created_at=[T0 + timedelta(minutes=m) for m in range(10_001)]
    )
    with TestClient(create_app(store)) as client:
        answer = client.get(URL, params={"interval": "1m", "by": ""})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "interval"
    assert "narrow the filter or widen the interval" in answer.json()["errors"][0]["message"]


def test_stats_is_not_taken_for_a_record_id(client: TestClient, store: Store) -> None:
    """/stats is the stats route for GET; other methods on it are the item routes' 404s."""
    assert client.get(URL).status_code == 200
    assert client.delete(URL).status_code == 404
