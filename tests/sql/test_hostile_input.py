"""Hostile input never reaches SQL as SQL: it is refused, or matched as the literal text it is."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect

from actionlogkit import InvalidQuery
from actionlogkit.testing._sample import minimal
from actionlogkit_sql import SQLStore

HOSTILE_SORTS = [
    "createdAt; DROP TABLE integration_action_logs",
    "createdAt DESC, (SELECT 1)",
    "created_at",
    "payload->>'a'",
    "1",
]
HOSTILE_FILTERS: list[Any] = [
    {'payload.a"b': 1},
    {"payload.a..b": 1},
    {"payload.a\\b": 1},
    {"payload.$where": 1},
    {"status; DROP TABLE integration_action_logs": "failed"},
    {"payload.a": {"$where": "1=1"}},
    {"$where": "1=1"},
    '{"status": "failed"}; DROP TABLE integration_action_logs',
]
# Keys that are legal JSON keys (and path segments) while meaning something to SQL or JSON paths.
ODD_KEYS = ["a'b", "a[0]", "a*", "a%", "a_b", "a b", "a)--", "ключ", "a$"]
LITERAL_TERMS = ["%", "_", "'", "\\", "100%", "a_b", "x'); DROP TABLE integration_action_logs;--"]


def _intact(store: SQLStore, expected: int) -> None:
    assert inspect(store.engine).has_table(store.table_name)
    assert store.count() == expected


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def store(request: pytest.FixtureRequest) -> SQLStore:
    """A SQLite store, and a PostgreSQL one when the server is there."""
    name = "sqlite_store" if request.param == "sqlite" else "postgres_store"
    found: SQLStore = request.getfixturevalue(name)
    return found


@pytest.mark.parametrize("sort", HOSTILE_SORTS)
def test_hostile_sort_is_refused(store: SQLStore, sort: str) -> None:
    """A sort that is not a field name raises InvalidQuery naming sort; the table is intact."""
    store.create(minimal())
    with pytest.raises(InvalidQuery) as caught:
        store.list(sort=sort)
    assert caught.value.errors[0].field == "sort"
    _intact(store, 1)


@pytest.mark.parametrize("filter", HOSTILE_FILTERS, ids=str)
def test_hostile_filter_is_refused(store: SQLStore, filter: Any) -> None:
    """Filter keys with quotes, backslashes, '..' or SQL raise InvalidQuery; nothing changes."""
    store.create(minimal())
    for call in (store.list, store.count, store.delete_many):
        with pytest.raises(InvalidQuery):
            call(filter)
    _intact(store, 1)


@pytest.mark.parametrize("key", ODD_KEYS)
def test_odd_json_keys_are_matched_literally(store: SQLStore, key: str) -> None:
    """A path segment with quotes, brackets or wildcards names exactly that key, nothing else."""
    store.create_many(
        [
            minimal(payload={key: {"v": 1}}),
            minimal(payload={"a": {"v": 1}, "b": {"v": 1}, "a_b": 2, "ab": {"v": 1}}),
        ]
    )
    assert store.count({f"payload.{key}.v": 1}) == 1
    assert store.count({f"payload.{key}": {"$exists": True}}) == (2 if key == "a_b" else 1)
    _intact(store, 2)


@pytest.mark.parametrize("term", LITERAL_TERMS)
def test_search_characters_are_literal(store: SQLStore, term: str) -> None:
    """%, _, quotes and backslashes in a search term match only themselves."""
    store.create_many(
        [
            minimal(errorMessage=f"before {term} after"),
            minimal(errorMessage="plain words, nothing special"),
            minimal(errorMessage="100 percent, a b, x y"),
        ]
    )
    found = store.list(search=term)
    assert [r.error_message for r in found.data] == [f"before {term} after"]
    assert found.total == 1
    assert store.delete_many({}, search=term) == 1
    _intact(store, 2)


def test_hostile_table_name_is_refused() -> None:
    """A table name that is not a plain identifier raises ConfigurationError before any SQL."""
    from actionlogkit import ConfigurationError

    for name in ["logs; DROP TABLE x", 'a"b', "1logs", "", "x" * 41, "logs-1"]:
        with pytest.raises(ConfigurationError, match="table_name"):
            SQLStore("sqlite://", table_name=name)
