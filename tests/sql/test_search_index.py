"""The search index: the scan's answers, kept in step, built by migrate, never by opening."""

from __future__ import annotations

import itertools
import sqlite3
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, text

from actionlogkit import ActionLog, ActionLogKitWarning, MemoryStore
from actionlogkit.query import search_fields
from actionlogkit.testing._sample import minimal
from actionlogkit_sql import SQLStore

from . import layout_0_1

# Text that folds in interesting ways, with LIKE's and FTS5's special characters, quotes,
# backslashes and characters of two, three and four UTF-8 bytes.
TEXTS = (
    "Straße-ẞ 100%",
    "TIMEOUT_while \\calling\\ API",
    'say "hi" it\'s ΣΑΣ σς',
    "Kelvin K é É €～😀",
    "ab_cd%ef",
    "İstanbul ıi",
    "shop-a",
)


def _records() -> list[ActionLog]:
    memory = MemoryStore()
    bodies = [
        minimal(
            integrationId=first,
            entityType=second,
            entityId=None if i % 3 == 0 else TEXTS[(i + 2) % len(TEXTS)],
            errorMessage=None if i % 4 == 0 else TEXTS[(i + 3) % len(TEXTS)],
        )
        for i, (first, second) in enumerate(itertools.permutations(TEXTS[:5], 2))
    ]
    return memory.create_many(bodies)


def _terms(records: list[ActionLog]) -> list[str]:
    """Every substring of one to four characters of the folded fields, and longer ones."""
    terms: set[str] = {"%", "_", "\\", "'", '"', "a%e", "ss", "SS", "straße", "STRASSE"}
    for record in records:
        for field in search_fields(record):
            for size in (1, 2, 3, 4, 7):
                terms.update(field[i : i + size] for i in range(len(field) - size + 1))
            terms.add(field)
    # Across two fields (never a match) and unfolded text (folded by the store).
    terms.add("shop-a\x01product")
    terms.update(text.upper() for text in TEXTS)
    return sorted(term for term in terms if term and "\x00" not in term)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a SQLite file, or on the test PostgreSQL server."""
    if request.param == "postgresql":
        yield request.getfixturevalue("postgres_engine")
        return
    created = create_engine(f"sqlite:///{tmp_path / 'logs.db'}")
    yield created
    created.dispose()


@pytest.fixture
def table(engine: Engine) -> Iterator[str]:
    """A fresh table name; the table and its version record go afterwards."""
    name = f"logs_{uuid.uuid4().hex[:12]}"
    yield name
    with engine.begin() as connection:
        connection.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
        if engine.dialect.name == "sqlite":
            connection.execute(text(f'DROP TABLE IF EXISTS "{name}_search"'))
        connection.execute(
            text("DELETE FROM actionlogkit_schema WHERE table_name = :name"), {"name": name}
        )


def _answers(
    store: SQLStore | MemoryStore, terms: list[str]
) -> list[tuple[str, int, int | None, list[str]]]:
    answers = []
    for term in terms:
        page = store.list(search=term, limit=100)
        answers.append((term, store.count(search=term), page.total, [r.id for r in page.data]))
    return answers


def _index_exists(engine: Engine, table: str) -> bool:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            query = "SELECT count(*) FROM pg_indexes WHERE indexname = :name"
        else:
            query = "SELECT count(*) FROM sqlite_master WHERE name = :name"
        return bool(connection.execute(text(query), {"name": f"{table}_search"}).scalar_one())


def test_new_store_is_created_with_its_search_index(engine: Engine, table: str) -> None:
    """A store created by this version has its search index at once."""
    with SQLStore(engine, table_name=table):
        assert _index_exists(engine, table)


def test_indexed_search_answers_like_the_scan_and_memory(engine: Engine, table: str) -> None:
    """Every term (short, special, non-ASCII, across fields) finds what memory and a scan find."""
    records = _records()
    memory = MemoryStore()
    memory.import_records(records)
    with SQLStore(engine, table_name=table) as store:
        store.import_records(records)
        terms = _terms(records)
        expected = _answers(memory, terms)
        assert [term for term, count, _, _ in expected if count] != []
        assert _answers(store, terms) == expected
        # The index follows replacements and deletions, of the same rows and of others.
        for record in records[:6]:
            store.update(record.id, minimal(errorMessage="replaced TEXT"))
            memory.update(record.id, minimal(errorMessage="replaced TEXT"))
        for record in records[6:10]:
            store.delete(record.id)
            memory.delete(record.id)
        assert store.delete_many({}, search="ΣΑΣ") == memory.delete_many({}, search="ΣΑΣ")
        terms += ["replaced", "REPLACED T"]
        assert _answers(store, terms) == _answers(memory, terms)


def test_sqlite_plan_reads_a_rare_term_from_the_index(tmp_path: Path) -> None:
    """On SQLite a rare term's page and total are one lookup in the FTS5 index (EXPLAIN)."""
    with SQLStore(f"sqlite:///{tmp_path / 'plan.db'}") as store:
        store.create_many([minimal(errorMessage=f"error {i}") for i in range(300)])
        store.create(minimal(errorMessage="a needle"))
        plans: list[str] = []

        def explain(connection, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]  # noqa: PLR0917 - SQLAlchemy's signature
            if statement.lstrip().upper().startswith("SELECT") and "MATCH" in statement:
                rows = cursor.connection.execute(
                    f"EXPLAIN QUERY PLAN {statement}", parameters
                ).fetchall()
                plans.append(" | ".join(str(row[-1]) for row in rows))

        event.listen(store.engine, "before_cursor_execute", explain)
        page = store.list(search="NEEDLE")
        event.remove(store.engine, "before_cursor_execute", explain)
        assert [r.error_message for r in page.data] == ["a needle"]
        assert page.total == 1
        assert len(plans) == 1  # the page and its total: one statement
        assert "VIRTUAL TABLE INDEX" in plans[0], plans


class _Statements:
    """The SELECT statements a store's engine runs while it is watched: pages, counts."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen: list[str] = []

    def __enter__(self) -> _Statements:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, connection, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]  # noqa: PLR0917 - SQLAlchemy's signature
        self.seen.append(" ".join(statement.split()))

    @property
    def reads(self) -> list[str]:
        """Pages ("window" when counted too) and counts; the samples of the latest records not."""
        kinds = []
        for statement in self.seen:
            if any(part in statement for part in ("ORDER BY rowid DESC", "max(rowid)", "latest")):
                continue
            if statement.startswith("SELECT count(*)"):
                kinds.append("count")
            elif statement.startswith(("SELECT", "WITH")) and "OVER ()" in statement:
                kinds.append("window")
            elif statement.startswith("SELECT"):
                kinds.append("page")
        return kinds


def _haystack(store: SQLStore) -> None:
    store.create_many([minimal(errorMessage=f"error {i}") for i in range(300)])
    store.create_many([minimal(errorMessage=f"a needle {i}") for i in range(3)])


def test_a_rare_terms_page_and_total_are_one_statement(engine: Engine, table: str) -> None:
    """A rare term's page with its total is one reading; a common term's page and count are two."""
    with SQLStore(engine, table_name=table) as store:
        _haystack(store)
        with _Statements(store.engine) as watched:
            page = store.list(search="NEEDLE", limit=2)
        assert watched.reads == ["window"]
        assert (page.total, len(page.data)) == (3, 2)
        with _Statements(store.engine) as watched:
            page = store.list(search="error", limit=2)
        assert watched.reads == ["page", "count"]
        assert (page.total, len(page.data)) == (300, 2)


def test_a_rare_terms_total_holds_past_its_last_match_and_on_cursor_pages(
    engine: Engine, table: str
) -> None:
    """Past the last match, and on every cursor page, the total counts every match."""
    with SQLStore(engine, table_name=table) as store:
        _haystack(store)
        beyond = store.list(search="needle", offset=5)
        assert (beyond.data, beyond.total) == ([], 3)
        totals: list[int | None] = []
        seen: list[str | None] = []
        cursor: str | None = None
        while True:
            page = store.list(search="needle", limit=1, cursor=cursor)
            totals.append(page.total)
            seen += [r.error_message for r in page.data]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert totals == [3, 3, 3]
        assert sorted(map(str, seen)) == [f"a needle {i}" for i in range(3)]


@pytest.mark.postgresql
def test_postgresql_search_can_use_the_trigram_index(
    postgres_engine: Engine, postgres_table: str
) -> None:
    """On PostgreSQL the search condition is the trigram index's expression (EXPLAIN)."""
    with SQLStore(postgres_engine, table_name=postgres_table) as store:
        store.create_many([minimal(errorMessage=f"error {i}") for i in range(300)])
        store.create(minimal(errorMessage="a needle"))
        statement = str(
            store._compiler.where(None, "needle", indexed=True).compile(
                postgres_engine, compile_kwargs={"literal_binds": True}
            )
        )
        with postgres_engine.connect() as connection:
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(
                str(row[0])
                for row in connection.execute(
                    text(f'EXPLAIN SELECT id FROM "{postgres_table}" WHERE {statement}')
                )
            )
        assert f"{postgres_table}_search" in plan, plan
        assert store.count(search="NEEDLE") == 1


def test_opening_an_old_store_builds_nothing_and_search_scans_with_one_warning(
    engine: Engine, table: str
) -> None:
    """A 0.1 store opens unchanged; search scans, warns once, and answers like memory."""
    records = _records()
    with engine.begin() as connection:
        layout_0_1.create(connection, table)
        for record in records:
            layout_0_1.insert_row(connection, table, record)
    memory = MemoryStore()
    memory.import_records(records)
    store = SQLStore(engine, table_name=table)
    assert not _index_exists(engine, table)
    terms = _terms(records)[:40]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        answers = _answers(store, terms)
    assert answers == _answers(memory, terms)
    assert [(w.category, "migrate" in str(w.message)) for w in caught] == [
        (ActionLogKitWarning, True)
    ]
    store.close()
    assert not _index_exists(engine, table)


def test_migrated_old_store_reads_with_both_versions(engine: Engine, table: str) -> None:
    """migrate adds the index to a 0.1 store; 0.1 still opens, reads and writes it, in step."""
    records = _records()
    with engine.begin() as connection:
        layout_0_1.create(connection, table)
        for record in records[:-2]:
            layout_0_1.insert_row(connection, table, record)
    lines: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ActionLogKitWarning)
        store = SQLStore(engine, table_name=table)
    with store:
        assert store.migrate(progress=lines.append) == ["search index"]
        assert lines
        assert _index_exists(engine, table)
        assert store.migrate() == []
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert store.count(search="straße") == sum(
                "strasse" in "\x00".join(search_fields(r)) for r in records[:-2]
            )
    # 0.1's code: the table passes its check, reads every record, and writes one.
    with engine.begin() as connection:
        layout_0_1.check(connection, table)
        ids = layout_0_1.read_ids(connection, table)
        layout_0_1.insert_row(connection, table, records[-1])
        connection.execute(text(f'DELETE FROM "{table}" WHERE id = :id'), {"id": records[0].id})
        assert layout_0_1.search_count(connection, table, "ab_cd") > 0
    assert sorted(ids) == sorted(r.id for r in records[:-2])
    # This version, on what 0.1 wrote: the index followed the insert and the delete.
    memory = MemoryStore()
    memory.import_records([*records[1:-2], records[-1]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = SQLStore(engine, table_name=table)
        with again:
            terms = _terms(records)
            assert _answers(again, terms) == _answers(memory, terms)


def test_migrate_reports_progress_on_sqlite(tmp_path: Path) -> None:
    """migrate on SQLite reports how many records it indexed."""
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        layout_0_1.create(connection, "integration_action_logs")
        for record in _records():
            layout_0_1.insert_row(connection, "integration_action_logs", record)
    engine.dispose()
    lines: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ActionLogKitWarning)
        store = SQLStore(f"sqlite:///{path}")
    with store:
        store.migrate(progress=lines.append)
    assert lines[-1] == "search index: 20 of 20 records"
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT version FROM actionlogkit_schema").fetchall() == [(1,)]


def test_sqlite_without_fts5_scans_with_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SQLite built without FTS5 gets no index: the store works, search scans, warns once."""
    from actionlogkit_sql import _search_index

    # This SQLite has FTS5; a build without it answers the module probe with nothing.
    monkeypatch.setattr(_search_index, "_fts5_available", lambda connection: False)
    records = _records()
    memory = MemoryStore()
    memory.import_records(records)
    with SQLStore(f"sqlite:///{tmp_path / 'plain.db'}") as store:
        store.import_records(records)
        assert not _index_exists(store.engine, store.table_name)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            terms = _terms(records)[:30]
            assert _answers(store, terms) == _answers(memory, terms)
        assert [w.category for w in caught] == [ActionLogKitWarning]
        assert store.migrate() == []


def test_sqlite_plan_walks_the_sort_order_for_a_common_term(tmp_path: Path) -> None:
    """A page of a common term without total walks the createdAt index testing each record."""
    with SQLStore(f"sqlite:///{tmp_path / 'common.db'}") as store:
        store.create_many(
            [minimal(errorMessage="timeout" if i % 2 else "refused") for i in range(3000)]
        )
        plans: list[str] = []

        def explain(connection, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]  # noqa: PLR0917 - SQLAlchemy's signature
            if "ORDER BY" in statement and "LIMIT" in statement:
                rows = cursor.connection.execute(
                    f"EXPLAIN QUERY PLAN {statement}", parameters
                ).fetchall()
                plans.append(" | ".join(str(row[-1]) for row in rows))

        event.listen(store.engine, "before_cursor_execute", explain)
        page = store.list(search="TIMEOUT", with_total=False)
        event.remove(store.engine, "before_cursor_execute", explain)
        assert len(page.data) == 50
        assert page.total is None
        # The sample of the latest records, then the page.
        assert len(plans) == 2
        assert plans[-1] == f"SCAN {store.table_name} USING INDEX {store.table_name}_created"
        assert not any("VIRTUAL TABLE" in plan for plan in plans)


def test_a_page_and_its_total_sample_the_latest_records_once(tmp_path: Path) -> None:
    """SQLite: a search page with its total reads the latest records' sample once, not twice."""
    from sqlalchemy import event

    with SQLStore(f"sqlite:///{tmp_path / 'sample.db'}") as store:
        store.create_many([minimal(entityId=f"order-{n}") for n in range(40)])
        samples: list[str] = []

        def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
            if "ORDER BY rowid DESC LIMIT" in statement:
                samples.append(statement)

        event.listen(store.engine, "before_cursor_execute", seen)
        page = store.list(search="order-3", limit=5)
        assert page.total == 11  # order-3 and order-30 … order-39
        assert len(samples) == 1
        assert store.list(search="order-3", limit=5, offset=5).total == 11
        assert len(samples) == 1  # the next page too, within a few seconds
        store.list(search="order-4", limit=5)
        assert len(samples) == 2  # another term is sampled
