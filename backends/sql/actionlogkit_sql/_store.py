"""``SQLStore``: integration action logs in a SQLite file or a PostgreSQL database."""

from __future__ import annotations

import builtins
import functools
import re
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Executable, and_, delete, func, select, type_coerce
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.types import NullType

from actionlogkit.errors import (
    ActionLogKitError,
    ActionLogKitWarning,
    ConfigurationError,
    Conflict,
    StoreError,
)
from actionlogkit.models import ActionLog, ActionType, Status, assemble
from actionlogkit.query import Keyset, Node, Query, parse_index_paths, search_text
from actionlogkit.stats import StatsQuery, StatsRow
from actionlogkit.store import Store
from actionlogkit_sql import _search_index as search_index
from actionlogkit_sql._compiler import QueryCompiler
from actionlogkit_sql._database import Database, driver_error
from actionlogkit_sql._declared import DeclaredIndex
from actionlogkit_sql._schema import COLUMN_NAMES, drop_schema, ensure_schema, log_table
from actionlogkit_sql._stats import stats_rows, stats_statement
from actionlogkit_sql._types import decode_json, from_epoch_ms, json_text, to_epoch_ms, utc

__all__ = ["DEFAULT_TABLE_NAME", "SQLStore"]

DEFAULT_TABLE_NAME = "integration_action_logs"

_ACTION_TYPES = {member.value: member for member in ActionType}
_STATUSES = {member.value: member for member in Status}
_RECORD_COLUMNS = COLUMN_NAMES[:-1]  # all but search_key
_JSON_COLUMNS = frozenset({"payload", "response", "metadata"})
_UNIQUE_VIOLATION = "23505"
_FIELDS_SET = frozenset(ActionLog.model_fields)
_STATEMENT_CACHE_SIZE = 256
_ROWS_PER_STATEMENT = 500
"""SQLite: the most records one insert statement takes (each distinct count is prepared once)."""
_SHAPES_KEPT = 32
_COPY_FROM = 8
"""PostgreSQL: batches of this many records or more are written with ``COPY`` (fewer: INSERT)."""
_SAMPLE_ROWS = 512
"""How many of the latest records tell a rare search term from a common one."""
_COUNT_SHARE = 0.5
"""SQLite: counting matches of a term in fewer records than this share reads them from the index."""
_SAMPLE_SECONDS = 10.0
"""How long a term's sample is reused (a page and its total ask the same question)."""
_UNKNOWN_SIZE = 1_000_000_000
"""PostgreSQL: the records assumed in a table never analyzed whose latest records fill a sample."""
_SAMPLES_KEPT = 256
"""How many terms' samples are kept (all are dropped when full)."""
_TRIGRAM = re.compile(r"[A-Za-z0-9]{3}")
S = TypeVar("S")


def _is_duplicate_id(exc: BaseException) -> bool:
    cause = driver_error(exc)
    if getattr(cause, "sqlstate", None) == _UNIQUE_VIOLATION:
        return True
    return isinstance(cause, sqlite3.IntegrityError) and "UNIQUE constraint failed" in str(cause)


def _write_statements(
    quote: Callable[[str], str], table_name: str, postgresql: bool
) -> tuple[str, str]:
    """The insert and replace statements, for DBAPI parameter tuples in COLUMN_NAMES order.

    Written out rather than compiled per call: writes are the hot path. Only the checked table
    name and the fixed column names, quoted by the dialect, go into the text.
    """
    marker = "%s" if postgresql else "?"
    places = [
        f"CAST({marker} AS jsonb)" if postgresql and name in _JSON_COLUMNS else marker
        for name in COLUMN_NAMES
    ]
    table = quote(table_name)
    columns = ", ".join(quote(name) for name in COLUMN_NAMES)
    insert = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(places)})"  # noqa: S608 - see above
    assignments = ", ".join(
        f"{quote(name)} = {place}" for name, place in zip(COLUMN_NAMES[1:], places[1:], strict=True)
    )
    replace = f"UPDATE {table} SET {assignments} WHERE {quote('id')} = {marker}"  # noqa: S608 - see above
    return insert, replace


def _multi_row_insert(insert: str, rows: int) -> str:
    """``insert`` (one row of markers) made to insert ``rows`` rows at once."""
    head, _, marks = insert.partition(" VALUES ")
    return f"{head} VALUES {', '.join([marks] * rows)}"


def _split_indexes(engine_or_url: Engine | str | URL) -> tuple[Engine | str | URL, list[str]]:
    """The URL without its ``indexes`` parameter (never the driver's), and the paths it lists."""
    if isinstance(engine_or_url, Engine):
        return engine_or_url, []
    try:
        url = make_url(engine_or_url)
    except (ArgumentError, ValueError):
        return engine_or_url, []  # Database words the error
    given = url.query.get("indexes")
    if given is None:
        return engine_or_url, []
    values = [given] if isinstance(given, str) else list(given)
    paths = [path.strip() for value in values for path in value.split(",") if path.strip()]
    return url.difference_update_query(["indexes"]), paths


def _create_declared(connection: Connection, *, declared: Sequence[DeclaredIndex]) -> None:
    for index in declared:
        for statement in index.create_statements():
            connection.exec_driver_sql(statement)


class _Encoded(tuple[ActionLog, ...]):
    """Records with their insert already encoded (:meth:`SQLStore._prepare_insert`)."""

    run: Callable[[], object]

    def __new__(cls, records: Sequence[ActionLog], run: Callable[[], object]) -> _Encoded:
        encoded = super().__new__(cls, records)
        encoded.run = run
        return encoded


class SQLStore(Store):
    """Keeps integration action logs in SQLite or PostgreSQL, through SQLAlchemy Core.

    Args:
        engine_or_url: a URL (``sqlite:///logs.db``, ``sqlite://`` for a private in-memory
            database, ``postgresql+psycopg://user:pw@host/db``) or a SQLAlchemy
            :class:`~sqlalchemy.Engine` on SQLite (sqlite3) or PostgreSQL (psycopg 3). The store
            disposes an engine it created when closed, never one it was given.
        table_name: the log table; letters, digits and underscores, at most 40 characters.
        create_schema: create the table, its indexes and its version record when missing. With
            ``False`` nothing is created, not even a SQLite file: a missing file or table is a
            :class:`~actionlogkit.MissingStore`.
        indexes: JSON paths to index (``["metadata.orderId"]``), also given as the URL's
            ``?indexes=metadata.orderId,payload.sku``: created with a new table, by
            :meth:`migrate` on an existing one (opening warns while they are missing).

    Raises:
        ConfigurationError: an unusable URL, engine or table name, or an existing table of another
            layout or schema version.
        StoreError: the database cannot be reached.

    """

    schemes = ("sqlite", "postgresql")
    isolates = True
    # Every insert runs in one transaction: SQLite's statements are made before it begins, and
    # PostgreSQL's COPY (made as it is sent) is rolled back by whatever its rows raise.
    _insert_accepts_lazy_records = True

    def __init__(
        self,
        engine_or_url: Engine | str | URL,
        *,
        table_name: str = DEFAULT_TABLE_NAME,
        create_schema: bool = True,
        indexes: Sequence[str] = (),
    ) -> None:
        tables = log_table(table_name)
        self._tables = tables
        engine_or_url, listed = _split_indexes(engine_or_url)
        fields = dict.fromkeys((*parse_index_paths(listed), *parse_index_paths(indexes)))
        self._database = Database(engine_or_url, create=create_schema)
        postgresql = self._database.dialect == "postgresql"
        declared = [DeclaredIndex(table_name, field, postgresql) for field in fields]
        try:
            self._database.setup()
            created = self._database.write(lambda c: ensure_schema(c, tables, create=create_schema))
            self.created_table: bool = created
            """Whether opening the store created its table."""
            if created and declared:
                self._database.write(lambda c: _create_declared(c, declared=declared))
            existing = self._database.read(lambda c: [d for d in declared if d.exists(c)])
        except ActionLogKitError:
            self._database.dispose()
            raise
        except Exception as exc:
            self._database.dispose()
            if self._database.dialect == "sqlite" and not self._database.memory:
                raise self._database.open_error(exc) from driver_error(exc)
            raise StoreError(f"SQLStore could not open {self._database.location}: {exc}") from exc
        self._table = tables.logs
        self._postgresql = self._database.dialect == "postgresql"
        self._declared = declared
        self._compiler = QueryCompiler(
            self._table, self._database.dialect, {d.field: d for d in existing}
        )
        missing = [d.field.dotted for d in declared if d not in existing]
        if missing:
            warnings.warn(
                f"table {table_name!r} lacks the indexes declared for {', '.join(missing)}: "
                "filters on them read every record until `actionlogkit migrate --store URL` "
                "builds them",
                ActionLogKitWarning,
                stacklevel=2,
            )
        self._statements: dict[str, object] = {}
        # Read as the driver gives them (no per-value type processing); _record converts.
        self._selected = [type_coerce(self._table.c[name], NullType()) for name in _RECORD_COLUMNS]
        self._insert_sql, self._replace_sql = _write_statements(
            self._database.engine.dialect.identifier_preparer.quote, table_name, self._postgresql
        )
        quote = self._database.engine.dialect.identifier_preparer.quote
        self._copy_sql = (
            f"COPY {quote(table_name)} ({', '.join(quote(n) for n in COLUMN_NAMES)}) FROM STDIN"
        )
        self._multi_row: dict[int, str] = {}
        # PostgreSQL: a term's share of the latest records, and the table's size as analyzed.
        self._quoted_table = quote(table_name)
        self._sample_sql = (
            "SELECT count(*) FILTER (WHERE position(%(term)s IN search_key) > 0), count(*), "  # noqa: S608 - the table's name is quoted
            "(SELECT reltuples FROM pg_class WHERE oid = to_regclass(%(table)s)) "
            f"FROM (SELECT search_key FROM {self._quoted_table} "
            f"ORDER BY created_at DESC LIMIT {_SAMPLE_ROWS}) AS latest"
        )
        self._rows_per_statement = min(
            _ROWS_PER_STATEMENT, self._database.max_parameters // len(COLUMN_NAMES)
        )
        self._search_indexed = self._database.read(lambda c: search_index.has_index(c, table_name))
        self._scan_warned = False
        # term -> (matches among the latest records, the last rowid, when it was taken)
        self._samples: dict[str, tuple[int, int, float]] = {}

    @classmethod
    def from_url(cls, url: str, *, create: bool = True, **options: Any) -> SQLStore:
        """Open ``url``; ``create=False`` means ``create_schema=False``: nothing is created."""
        if not create:
            options["create_schema"] = False
        return cls(url, **options)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine the store works through."""
        return self._database.engine

    @property
    def table_name(self) -> str:
        """The name of the log table."""
        return self._table.name

    # -- rows -------------------------------------------------------------------------------------

    def _parameters(self, record: ActionLog) -> tuple[Any, ...]:
        """The insert statement's parameters for one record, in :data:`COLUMN_NAMES` order.

        On the hot path of every write: attributes are read once, from the record's dict.
        """
        values = record.__dict__
        postgresql = self._postgresql
        payload = values["payload"]
        response = values["response"]
        metadata = values["metadata"]
        action = values["action_type"]
        status = values["status"]
        created: datetime = values["created_at"]
        updated: datetime = values["updated_at"]
        return (
            values["id"],
            values["integration_id"],
            action._value_ if isinstance(action, Enum) else action,  # not .value: a descriptor
            values["entity_type"],
            values["entity_id"],
            status._value_ if isinstance(status, Enum) else status,
            None if payload is None else json_text(payload, postgresql=postgresql),
            None if response is None else json_text(response, postgresql=postgresql),
            values["error_message"],
            values["retry_count"],
            values["execution_time"],
            None if metadata is None else json_text(metadata, postgresql=postgresql),
            created if postgresql else to_epoch_ms(created),
            updated if postgresql else to_epoch_ms(updated),
            search_text(record).encode(),
        )

    def _record(self, row: Sequence[Any]) -> ActionLog:
        # The row was a valid record when written: it is assembled without validating it again
        # (a page holds up to 100 records).
        (
            record_id,
            integration_id,
            action_type,
            entity_type,
            entity_id,
            status,
            payload,
            response,
            error_message,
            retry_count,
            execution_time,
            metadata,
            created_at,
            updated_at,
        ) = row
        if self._postgresql:
            created_at, updated_at = utc(created_at), utc(updated_at)
        else:
            created_at, updated_at = from_epoch_ms(created_at), from_epoch_ms(updated_at)
            payload = None if payload is None else decode_json(payload)
            response = None if response is None else decode_json(response)
            metadata = None if metadata is None else decode_json(metadata)
        values = {
            "id": record_id,
            "integration_id": integration_id,
            "action_type": _ACTION_TYPES[action_type],
            "entity_type": entity_type,
            "entity_id": entity_id,
            "status": _STATUSES[status],
            "payload": payload,
            "response": response,
            "error_message": error_message,
            "retry_count": retry_count,
            "execution_time": execution_time,
            "metadata": metadata,
            "created_at": created_at,
            "updated_at": updated_at,
        }
        return assemble(ActionLog, values, set(_FIELDS_SET))

    def _statement(self, key: str, build: Callable[[], S]) -> S:
        """The statement for ``key`` (the repr of its query parts), built once while in cache.

        Repeated queries skip building the SQLAlchemy expression; repr tells ``1``, ``1.0`` and
        ``True`` apart, which equality does not.
        """
        statement = self._statements.get(key)
        if statement is None:
            statement = build()
            if len(self._statements) >= _STATEMENT_CACHE_SIZE:
                self._statements.clear()
            self._statements[key] = statement
        return statement  # type: ignore[return-value]

    # -- the primitives ---------------------------------------------------------------------------

    def _insert_statement(self, rows: int) -> str:
        statement = self._multi_row.get(rows)
        if statement is None:
            if len(self._multi_row) >= _SHAPES_KEPT:
                self._multi_row.clear()
            statement = self._multi_row[rows] = _multi_row_insert(self._insert_sql, rows)
        return statement

    def _prepare_insert(self, records: Sequence[ActionLog]) -> Sequence[ActionLog]:
        return _Encoded(records, self._encode(records))

    def _insert(self, records: Sequence[ActionLog]) -> None:
        run = records.run if isinstance(records, _Encoded) else self._encode(records, eager=False)
        try:
            run()
        except Exception as exc:
            if _is_duplicate_id(exc):
                raise Conflict("a record with one of these ids is already stored") from exc
            raise

    def _encode(self, records: Sequence[ActionLog], *, eager: bool = True) -> Callable[[], object]:
        """The insert of ``records``, its parameters made now: the returned call runs it.

        PostgreSQL, not ``eager``: a ``COPY`` makes each row as it sends it, so that the server
        stores the first rows while the others are made.
        """
        if self._postgresql:
            if len(records) >= _COPY_FROM:
                rows: Iterable[tuple[Any, ...]] = (
                    [self._parameters(record) for record in records]
                    if eager
                    else map(self._parameters, records)
                )
                return functools.partial(
                    self._database.write,
                    lambda c: self._database.copy_rows(c, self._copy_sql, rows),
                )
            rows = [self._parameters(record) for record in records]
            return functools.partial(
                self._database.write,
                lambda c: self._database.run_driver_sql(c, self._insert_sql, rows),
            )
        # Many rows per statement: one step of the engine (with the GIL released) for each,
        # where executemany takes one per row, each waiting to get the GIL back from busy
        # threads.
        statements = []
        step = self._rows_per_statement
        for start in range(0, len(records), step):
            chunk = records[start : start + step]
            parameters: list[Any] = []
            for record in chunk:
                parameters.extend(self._parameters(record))
            statements.append((self._insert_statement(len(chunk)), parameters))
        return functools.partial(self._database.run_atomically, statements)

    def _fetch(self, record_id: str) -> ActionLog | None:
        statement = select(*self._selected).where(self._table.c.id == record_id)
        row = self._database.read(lambda c: c.execute(statement).first())
        return None if row is None else self._record(row)

    def _replace(self, record: ActionLog) -> bool:
        parameters = self._parameters(record)
        arguments = (*parameters[1:], parameters[0])
        return self._database.write(
            lambda c: self._database.run_driver_sql(c, self._replace_sql, [arguments]) == 1
        )

    def _remove(self, record_id: str) -> bool:
        statement = delete(self._table).where(self._table.c.id == record_id)
        return self._database.write(lambda c: c.execute(statement).rowcount == 1)

    # -- search: with the index or by scan ---------------------------------------------------------

    def _indexed(self, search: str | None, page: int | None = None) -> bool:
        """Whether to look ``search`` up in the search index (else every record is read).

        ``page``: the rows a page asks for; ``None`` when every match is wanted (a count, a
        delete). SQLite's planner knows nothing of a term's frequency, so the store tests the
        latest records: a term in few records is read from the index, and a page of a common
        term walks the sort order testing each record, which finds a page's worth quickly.
        PostgreSQL's planner weighs the trigram index itself.
        """
        if search is None:
            return False
        if not self._search_indexed:
            if not self._scan_warned:
                self._scan_warned = True
                warnings.warn(
                    f"table {self._table.name!r} has no search index: search reads every record "
                    "until `actionlogkit migrate --store URL` builds it",
                    ActionLogKitWarning,
                    stacklevel=4,
                )
            return False
        if self._postgresql:
            # pg_trgm takes trigrams from runs of letters and digits; without one the index
            # would be read whole.
            return _TRIGRAM.search(search_index.pg_escaped(search)) is not None
        if len(search) < 3:  # the trigram tokenizer finds nothing shorter
            return False
        # How common is the term? The most recent records tell, at the cost of reading a few
        # hundred: SQLite's planner cannot know.
        table = self._table.name

        def sample(c: Connection) -> tuple[int, int]:
            hits = c.exec_driver_sql(
                f'SELECT count(*) FROM (SELECT search_key FROM "{table}" '  # noqa: S608 - a checked name
                f"ORDER BY rowid DESC LIMIT {_SAMPLE_ROWS}) WHERE instr(search_key, ?) > 0",
                (search.encode(),),
            ).scalar_one()
            last = c.exec_driver_sql(f'SELECT max(rowid) FROM "{table}"').scalar()  # noqa: S608
            return int(hits), int(last or 0)

        hits, records = self._sampled(search, sample)
        share = hits / min(_SAMPLE_ROWS, max(records, 1))
        if page is None:
            return share < _COUNT_SHARE
        # Reading share·N matches from the index and sorting them, against walking the sort
        # order until about page/share records have passed the test.
        return share * share * records < page

    def _sampled(
        self, search: str, sample: Callable[[Connection], tuple[int, int]]
    ) -> tuple[int, int]:
        """The term's sample, taken again once it is a few seconds old.

        Only the plan depends on it, never a result: a page and then its total (or the next
        page) reuse one sample instead of reading the latest records twice.
        """
        now = time.monotonic()
        kept = self._samples.get(search)
        if kept is not None and now - kept[2] < _SAMPLE_SECONDS:
            return kept[0], kept[1]
        hits, records = self._database.read(sample)
        if len(self._samples) >= _SAMPLES_KEPT:
            self._samples.clear()
        self._samples[search] = (hits, records, now)
        return hits, records

    def _remove_matching(self, filter: Node | None, search: str | None) -> int:
        statement = delete(self._table).where(
            self._compiler.where(filter, search, indexed=self._indexed(search))
        )
        deleted: int = self._database.write(lambda c: c.execute(statement).rowcount)
        return deleted

    def _remove_batch(self, filter: Node, search: str | None, limit: int) -> int:
        table = self._table
        # The oldest ids in the (created_at, id) index order, deleted by the primary key: one
        # statement, one short transaction.
        oldest = (
            select(table.c.id)
            .where(self._compiler.where(filter, search))
            .order_by(table.c.created_at, table.c.id)
            .limit(limit)
        )
        statement = delete(table).where(table.c.id.in_(oldest.scalar_subquery()))
        deleted: int = self._database.write(lambda c: c.execute(statement).rowcount)
        return deleted

    def _select(self, query: Query) -> builtins.list[ActionLog]:
        keyset = query.keyset
        # A walk's pages share one statement: the keyset's values are parameters, and only
        # whether its value is null changes the statement.
        shape = replace(query, keyset=None if keyset is None else Keyset(keyset.value is None, ""))
        indexed = self._indexed(query.search, query.offset + query.limit)
        statement = self._statement(
            f"select {indexed} {shape!r}", lambda: self._page_statement(query, indexed)
        )
        parameters = {} if keyset is None else {"k_value": keyset.value, "k_id": keyset.id}
        rows = self._database.read(lambda c: c.execute(statement, parameters).all())
        return [self._record(row) for row in rows]

    def _select_with_total(self, query: Query) -> tuple[builtins.list[ActionLog], int | None]:
        # A rare term's matches are few but costly to find (the index, then a test of each
        # row): its page and total come from one reading, the window's count taken before the
        # page is cut. A common term's page stops early where its count cannot, so the two stay
        # apart; so does a cursor's page, which the keyset narrows and the total must not.
        page = query.offset + query.limit
        if query.keyset is not None or not self._rare(query.search, page):
            return self._select(query), None
        statement = self._statement(f"counted {query!r}", lambda: self._counted_statement(query))
        rows = self._database.read(lambda c: c.execute(statement).all())
        if not rows:  # past the last match: the window counted nothing
            return [], None
        return [self._record(row[:-1]) for row in rows], int(rows[0][-1])

    def _counted_statement(self, query: Query) -> Executable:
        condition = self._compiler.where(query.filter, query.search, indexed=True)
        if not self._postgresql:
            return (
                select(*self._selected, func.count().over())
                .where(condition)
                .order_by(*self._compiler.order_by(query))
                .limit(query.limit)
                .offset(query.offset)
            )
        # The matches are read whole first: left to itself the planner may, to spare the sort,
        # walk the sort index through every record testing each, which for a term rare in the
        # sample but common among older records reads the table in index order (seconds).
        table = self._table
        matches = (
            select(*(table.c[name] for name in _RECORD_COLUMNS))
            .where(condition)
            .cte("matches")
            .prefix_with("MATERIALIZED")
        )
        return (
            select(
                *(type_coerce(matches.c[name], NullType()) for name in _RECORD_COLUMNS),
                func.count().over(),
            )
            .order_by(*self._compiler.order_by(query, matches.c))
            .limit(query.limit)
            .offset(query.offset)
        )

    def _rare(self, search: str | None, page: int) -> bool:
        """Whether ``search`` is rare enough that reading all its matches is cheap (by index)."""
        if not self._indexed(search, page) or search is None:
            return False
        if not self._postgresql:
            return True  # SQLite's page reads the index only for a rare term

        def sample(c: Connection) -> tuple[int, int]:
            hits, sampled, estimate = c.exec_driver_sql(
                self._sample_sql, {"term": search.encode(), "table": self._quoted_table}
            ).one()
            if sampled < _SAMPLE_ROWS:
                return int(hits), int(sampled)  # the whole table
            known = estimate is not None and estimate >= 0
            return int(hits), max(int(estimate), sampled) if known else _UNKNOWN_SIZE

        hits, records = self._sampled(search, sample)
        share = hits / min(_SAMPLE_ROWS, max(records, 1))
        return share * share * records < page

    def _page_statement(self, query: Query, indexed: bool) -> Executable:
        condition = self._compiler.where(query.filter, query.search, indexed=indexed)
        if query.keyset is not None:
            condition = and_(condition, self._compiler.after(query))
        return (
            select(*self._selected)
            .where(condition)
            .order_by(*self._compiler.order_by(query))
            .limit(query.limit)
            .offset(query.offset)
        )

    def _count(self, filter: Node | None, search: str | None) -> int:
        indexed = self._indexed(search)
        statement = self._statement(
            f"count {indexed} {filter!r} {search!r}",
            lambda: (
                select(func.count())
                .select_from(self._table)
                .where(self._compiler.where(filter, search, indexed=indexed))
            ),
        )
        return self._database.read(lambda c: int(c.execute(statement).scalar_one()))

    def _stats(self, query: StatsQuery) -> builtins.list[StatsRow]:
        indexed = self._indexed(query.search)
        statement = self._statement(
            f"stats {indexed} {query!r}",
            lambda: stats_statement(self._table, self._compiler, self._postgresql, query, indexed),
        )
        rows = self._database.read(lambda c: c.execute(statement).all())
        return stats_rows(rows, query, self._postgresql)

    def _migrate(self, progress: Callable[[str], None]) -> builtins.list[str]:
        built = []
        if search_index.build(self.engine, self._database.write, self._table.name, progress):
            built.append("search index")
        self._search_indexed = self._database.read(
            lambda c: search_index.has_index(c, self._table.name)
        )
        for index in self._declared:
            if self._database.read(index.exists):
                continue
            progress(f"index of {index.field.dotted}: building")
            if self._postgresql:
                with self.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT"
                ) as connection:
                    for name in index.indexes():  # a build that failed leaves invalid ones
                        if not index.exists(connection):
                            connection.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')
                    for statement in index.create_statements(concurrently=True):
                        connection.exec_driver_sql(statement)
            else:
                self._database.write(functools.partial(_create_declared, declared=[index]))
            progress(f"index of {index.field.dotted}: built")
            built.append(f"index of {index.field.dotted}")
        existing = self._database.read(lambda c: [d for d in self._declared if d.exists(c)])
        self._compiler = QueryCompiler(
            self._table, self._database.dialect, {d.field: d for d in existing}
        )
        self._statements.clear()
        return built

    def _close(self) -> None:
        self._database.dispose()

    @classmethod
    def _open_isolated(cls, url: str, name: str, new: bool) -> SQLStore:
        store = cls(url, table_name=name, create_schema=new)
        if new and not store.created_table:
            store.close()
            raise ConfigurationError(f"a log table called {name!r} exists already")
        return store

    def _drop(self) -> None:
        self._database.write(lambda c: drop_schema(c, self._tables))
