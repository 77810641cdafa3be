"""Declared JSON-path indexes: used by equality, $in and ranges, with results unchanged."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from actionlogkit import ActionLogKitWarning, ConfigurationError, MemoryStore, open_store
from actionlogkit.query import JSON_ROOTS
from actionlogkit.store import Store
from actionlogkit.testing import StoreContract
from actionlogkit.testing._sample import minimal
from actionlogkit.testing.strategies import KEYS
from actionlogkit_sql import SQLStore

# The contract's sample paths and the random queries' paths of one and two keys.
DECLARED = [
    "payload.price",
    "payload.tags",
    "payload.active",
    "payload.items.sku",
    "payload.items.qty",
    "payload.nested.level.deep",
    "payload.sku",
    "response.code",
    "metadata.user",
    *(f"{root}.{key}" for root in JSON_ROOTS for key in KEYS),
    *(f"payload.{a}.{b}" for a, b in itertools.product(KEYS, KEYS)),
]
DECLARED = list(dict.fromkeys(DECLARED))


class TestSQLiteDeclaredIndexes(StoreContract):
    """The whole contract on SQLite with every path it filters on declared."""

    differential_examples = 300

    @pytest.fixture
    def store(self, sqlite_url: str) -> Iterator[Store]:
        """A SQLite store with the declared indexes."""
        with SQLStore(sqlite_url, indexes=DECLARED) as store:
            yield store


@pytest.mark.postgresql
class TestPostgreSQLDeclaredIndexes(StoreContract):
    """The whole contract on PostgreSQL with every path it filters on declared."""

    differential_examples = 150

    @pytest.fixture
    def store(self, postgres_engine: Engine, postgres_table: str) -> Iterator[Store]:
        """A PostgreSQL store with the declared indexes."""
        with SQLStore(postgres_engine, table_name=postgres_table, indexes=DECLARED) as store:
            yield store


# Values of every shape at the declared path: the exact semantics must still decide.
SHAPES: list[Any] = [
    "A-1",
    "a-1",
    10,
    10.0,
    2.5,
    True,
    None,
    ["A-1", 10],
    [["A-1"]],
    [{"id": "A-1"}],
    {"id": "A-1"},
    {},
    [],
    "10",
]
QUERIES: list[dict[str, Any]] = [
    {"metadata.orderId": "A-1"},
    {"metadata.orderId": 10},
    {"metadata.orderId": {"$in": ["A-1", 2.5, "zz"]}},
    {"metadata.orderId": {"$gt": 5}},
    {"metadata.orderId": {"$lte": "A-1"}},
    {"metadata.orderId": {"$gte": "A", "$lt": "B"}},
    {"metadata.orderId": {"$ne": "A-1"}},
    {"metadata.orderId": {"$nin": [10, "A-1"]}},
    {"metadata.orderId": True},
    {"metadata.orderId": None},
    {"metadata.orderId.id": "A-1"},
    {"$or": [{"metadata.orderId": "a-1"}, {"status": "failed"}]},
]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def indexed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLStore]:
    """A store declaring metadata.orderId and metadata.orderId.id, holding every shape."""
    paths = ["metadata.orderId", "metadata.orderId.id"]
    if request.param == "sqlite":
        store = SQLStore(f"sqlite:///{tmp_path / 'declared.db'}", indexes=paths)
    else:
        engine = request.getfixturevalue("postgres_engine")
        table = request.getfixturevalue("postgres_table")
        store = SQLStore(engine, table_name=table, indexes=paths)
    with store:
        yield store


def _bodies() -> list[dict[str, Any]]:
    bodies = [minimal(metadata={"orderId": shape}) for shape in SHAPES]
    bodies += [minimal(metadata={}), minimal(), minimal(status="failed", metadata={"x": 1})]
    bodies += [minimal(metadata={"orderId": f"ORD-{n:03d}"}) for n in range(200)]
    return bodies


def test_declared_path_answers_like_memory_on_every_shape(indexed: SQLStore) -> None:
    """Arrays, objects, mixed types and nulls at a declared path give the reference's answers."""
    memory = MemoryStore()
    records = memory.create_many(_bodies())
    indexed.import_records(records)
    for query in QUERIES:
        expected = [r.id for r in memory.list(query, sort="_id", limit=100).data]
        assert [r.id for r in indexed.list(query, sort="_id", limit=100).data] == expected, query
        assert indexed.count(query) == memory.count(query), query


def _plans(store: SQLStore, query: dict[str, Any]) -> list[str]:
    """The query plans of list(query) with its total."""
    plans: list[str] = []
    postgresql = store.engine.dialect.name == "postgresql"

    def explain(connection, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]  # noqa: PLR0917 - SQLAlchemy's signature
        if statement.lstrip().upper().startswith("SELECT") and "metadata" in statement:
            if postgresql:
                cursor.execute("SET LOCAL enable_seqscan = off")
                rows = cursor.connection.execute(f"EXPLAIN {statement}", parameters).fetchall()
            else:
                rows = cursor.connection.execute(
                    f"EXPLAIN QUERY PLAN {statement}", parameters
                ).fetchall()
            plans.append(" | ".join(str(row[-1]) for row in rows))

    event.listen(store.engine, "before_cursor_execute", explain)
    try:
        store.list(query)
    finally:
        event.remove(store.engine, "before_cursor_execute", explain)
    return plans


@pytest.mark.parametrize(
    "query",
    [
        {"metadata.orderId": "ORD-007"},
        {"metadata.orderId": {"$in": ["ORD-007", "ORD-008"]}},
        {"metadata.orderId": {"$gte": "ORD-04990", "$lt": "ORD-04995"}},
        {"metadata.orderId": {"$gte": "ORD-04990"}},
        {"metadata.orderId": {"$lt": 5}},
    ],
    ids=["eq", "in", "range-both", "range-text", "range-number"],
)
def test_declared_path_filters_read_the_indexes(
    indexed: SQLStore, query: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    """Equality, $in and ranges on a declared path use its indexes (EXPLAIN), page and total.

    SQLite keeps no histogram of values (only rows per value), so it takes a one-sided range for
    a quarter of the records: for a page it then walks the sort order, and its total comes from
    the index.
    """
    indexed.create_many(_bodies())
    indexed.create_many([minimal(metadata={"orderId": f"ORD-{n:05d}"}) for n in range(200, 5000)])
    table = indexed.table_name
    with indexed.engine.begin() as connection:  # the planner's statistics, as in production
        connection.exec_driver_sql(f'ANALYZE "{table}"')
    plans = _plans(indexed, query)
    assert len(plans) == 2, plans
    one_sided = request.node.callspec.id in ("sqlite-range-text", "sqlite-range-number")
    for plan in plans[1:] if one_sided else plans:
        assert f"{table}_jp" in plan, plan
        assert f"SCAN {table}" not in plan.replace(f"SCAN {table} USING", ""), plan
        assert "Seq Scan" not in plan, plan


def test_undeclared_path_is_compiled_as_before(sqlite_url: str) -> None:
    """A path that is not declared keeps the plain compilation (no declared index in the plan)."""
    with SQLStore(sqlite_url, indexes=["metadata.orderId"]) as store:
        store.create_many(_bodies())
        assert not any("_jp" in plan for plan in _plans(store, {"metadata.other": "x"}))


@pytest.mark.parametrize(
    ("paths", "named"),
    [
        (["metadata"], "'metadata'"),
        (["status"], "'status'"),
        (["payload..a"], "'payload..a'"),
        (["payload.0"], "'payload.0'"),
        (["payload.$a"], "'payload.$a'"),
        (["nope.a"], "'nope.a'"),
        (["payload.a.b.c.d.e.f.g.h"], "'payload.a.b.c.d.e.f.g.h'"),
        ([5], "a number"),
    ],
)
def test_bad_declared_path_is_a_configuration_error(
    sqlite_url: str, paths: list[Any], named: str
) -> None:
    """A path that is not a JSON path of the query language: ConfigurationError naming it."""
    with pytest.raises(ConfigurationError, match="indexes") as caught:
        SQLStore(sqlite_url, indexes=paths)
    assert named in str(caught.value)


def test_indexes_in_the_url_query_string(tmp_path: Path) -> None:
    """?indexes=a,b declares the paths (and is not passed on to the driver)."""
    url = f"sqlite:///{tmp_path / 'url.db'}?indexes=metadata.orderId,payload.sku"
    with open_store(url) as store:
        assert isinstance(store, SQLStore)
        store.create_many(_bodies())
        assert any("_jp" in plan for plan in _plans(store, {"metadata.orderId": "ORD-001"}))
    with pytest.raises(ConfigurationError, match=r"'payload\.0'"):
        open_store(f"sqlite:///{tmp_path / 'url.db'}?indexes=payload.0")


def test_declaring_on_an_existing_store_warns_and_migrate_builds(tmp_path: Path) -> None:
    """An existing table gets declared indexes from migrate, not from opening (which warns)."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with SQLStore(url) as store:
        store.create_many(_bodies())
    with pytest.warns(ActionLogKitWarning, match=r"metadata\.orderId.*migrate"):
        store = SQLStore(url, indexes=["metadata.orderId"])
    with store:
        assert not any("_jp" in plan for plan in _plans(store, {"metadata.orderId": "ORD-001"}))
        assert store.migrate() == ["index of metadata.orderId"]
        assert any("_jp" in plan for plan in _plans(store, {"metadata.orderId": "ORD-001"}))
        assert store.count({"metadata.orderId": "ORD-001"}) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SQLStore(url, indexes=["metadata.orderId"]).close()
