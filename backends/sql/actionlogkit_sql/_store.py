"""``SQLStore``: integration action logs in a SQLite file or a PostgreSQL database."""

from __future__ import annotations

import builtins
import functools
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import Engine, delete, func, select, type_coerce
from sqlalchemy.engine import URL
from sqlalchemy.types import NullType

from actionlogkit.errors import ActionLogKitError, Conflict, StoreError
from actionlogkit.models import ActionLog, ActionType, Status, assemble
from actionlogkit.query import Node, Query, search_text
from actionlogkit.store import Store
from actionlogkit_sql._compiler import QueryCompiler
from actionlogkit_sql._database import Database, driver_error
from actionlogkit_sql._schema import COLUMN_NAMES, ensure_schema, log_table
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
            ``False`` a missing table is a :class:`~actionlogkit.ConfigurationError`.

    Raises:
        ConfigurationError: an unusable URL, engine or table name, or an existing table of another
            layout or schema version.
        StoreError: the database cannot be reached.

    """

    schemes = ("sqlite", "postgresql")

    def __init__(
        self,
        engine_or_url: Engine | str | URL,
        *,
        table_name: str = DEFAULT_TABLE_NAME,
        create_schema: bool = True,
    ) -> None:
        tables = log_table(table_name)
        self._database = Database(engine_or_url)
        try:
            self._database.setup()
            self._database.write(lambda c: ensure_schema(c, tables, create=create_schema))
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
        self._compiler = QueryCompiler(self._table, self._database.dialect)
        self._statements: dict[str, object] = {}
        # Read as the driver gives them (no per-value type processing); _record converts.
        self._selected = [type_coerce(self._table.c[name], NullType()) for name in _RECORD_COLUMNS]
        self._insert_sql, self._replace_sql = _write_statements(
            self._database.engine.dialect.identifier_preparer.quote, table_name, self._postgresql
        )
        self._multi_row: dict[int, str] = {}
        self._rows_per_statement = min(
            _ROWS_PER_STATEMENT, self._database.max_parameters // len(COLUMN_NAMES)
        )

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
        run = records.run if isinstance(records, _Encoded) else self._encode(records)
        try:
            run()
        except Exception as exc:
            if _is_duplicate_id(exc):
                raise Conflict("a record with one of these ids is already stored") from exc
            raise

    def _encode(self, records: Sequence[ActionLog]) -> Callable[[], object]:
        """The insert of ``records``, its parameters made now: the returned call runs it."""
        if self._postgresql:
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

    def _remove_matching(self, filter: Node | None, search: str | None) -> int:
        statement = delete(self._table).where(self._compiler.where(filter, search))
        deleted: int = self._database.write(lambda c: c.execute(statement).rowcount)
        return deleted

    def _select(self, query: Query) -> builtins.list[ActionLog]:
        statement = self._statement(
            f"select {query!r}",
            lambda: (
                select(*self._selected)
                .where(self._compiler.where(query.filter, query.search))
                .order_by(*self._compiler.order_by(query))
                .limit(query.limit)
                .offset(query.offset)
            ),
        )
        rows = self._database.read(lambda c: c.execute(statement).all())
        return [self._record(row) for row in rows]

    def _count(self, filter: Node | None, search: str | None) -> int:
        statement = self._statement(
            f"count {filter!r} {search!r}",
            lambda: (
                select(func.count())
                .select_from(self._table)
                .where(self._compiler.where(filter, search))
            ),
        )
        return self._database.read(lambda c: int(c.execute(statement).scalar_one()))

    def _close(self) -> None:
        self._database.dispose()
