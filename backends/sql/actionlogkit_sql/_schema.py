"""The log table, its indexes, and the schema version that guards them.

Every log table is recorded with its schema version in ``actionlogkit_schema``. Opening a store
creates what is missing (in one transaction, so a crash leaves nothing half made) and refuses an
existing table it does not recognise: an unversioned table of that name, a version it does not
know, or columns that differ from what this version expects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    inspect,
    select,
    text,
)

from actionlogkit.errors import ConfigurationError, MissingStore
from actionlogkit.models import MAX_ID_TEXT
from actionlogkit_sql._search_index import create as create_search_index
from actionlogkit_sql._search_index import drop as drop_search_index
from actionlogkit_sql._types import JsonDocument, SearchKey, UTCTimestamp, code_point_text

__all__ = [
    "COLUMN_NAMES",
    "SCHEMA_VERSION",
    "VERSION_TABLE",
    "LogTable",
    "drop_schema",
    "ensure_schema",
    "log_table",
]

SCHEMA_VERSION = 1
"""The layout of the log table this code reads and writes."""
VERSION_TABLE = "actionlogkit_schema"
"""Where each log table's schema version is recorded."""
MAX_TABLE_NAME = 40
"""Longest table name: index names add up to 20 characters, and PostgreSQL allows 63."""
_SCHEMA_LOCK_KEY = 0x616C6B5F736368  # "alk_sch": the advisory lock taken while checking the schema
_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# The record's attributes in the API's order, then the search key: the insert statement's order.
COLUMN_NAMES: tuple[str, ...] = (
    "id",
    "integration_id",
    "action_type",
    "entity_type",
    "entity_id",
    "status",
    "payload",
    "response",
    "error_message",
    "retry_count",
    "execution_time",
    "metadata",
    "created_at",
    "updated_at",
    "search_key",
)

# The type each column must have in an existing table, as the engines report it (lower case,
# no length); a column whose reported type starts with the expected text passes.
_EXPECTED_TYPES: dict[str, dict[str, str]] = {
    "sqlite": {
        "id": "varchar",
        "integration_id": "varchar",
        "action_type": "varchar",
        "entity_type": "varchar",
        "entity_id": "varchar",
        "status": "varchar",
        "payload": "text",
        "response": "text",
        "error_message": "text",
        "retry_count": "integer",
        "execution_time": "float",
        "metadata": "text",
        "created_at": "bigint",
        "updated_at": "bigint",
        "search_key": "blob",
    },
    "postgresql": {
        "id": "character varying",
        "integration_id": "character varying",
        "action_type": "character varying",
        "entity_type": "character varying",
        "entity_id": "character varying",
        "status": "character varying",
        "payload": "jsonb",
        "response": "jsonb",
        "error_message": "text",
        "retry_count": "integer",
        "execution_time": "double precision",
        "metadata": "jsonb",
        "created_at": "timestamp with time zone",
        "updated_at": "timestamp with time zone",
        "search_key": "bytea",
    },
}


@dataclass(frozen=True)
class LogTable:
    """The SQLAlchemy tables of one store: its log table and the shared version table."""

    logs: Table
    versions: Table


def check_table_name(name: object) -> str:
    """Return ``name`` if it is a plain SQL identifier of at most 40 characters."""
    if not isinstance(name, str) or not _TABLE_NAME.fullmatch(name):
        raise ConfigurationError(
            f"table_name must be letters, digits and underscores, not starting with a digit; "
            f"got {name!r}"
        )
    if len(name) > MAX_TABLE_NAME:
        raise ConfigurationError(f"table_name has at most {MAX_TABLE_NAME} characters: {name!r}")
    return name


def log_table(name: str) -> LogTable:
    """Describe the log table called ``name`` (columns, indexes) and the version table."""
    metadata = MetaData()
    short = code_point_text(MAX_ID_TEXT)
    logs = Table(
        check_table_name(name),
        metadata,
        Column("id", code_point_text(24), primary_key=True),
        Column("integration_id", short, nullable=False),
        Column("action_type", code_point_text(16), nullable=False),
        Column("entity_type", short, nullable=False),
        Column("entity_id", short),
        Column("status", code_point_text(16), nullable=False),
        Column("payload", JsonDocument()),
        Column("response", JsonDocument()),
        Column("error_message", code_point_text()),
        Column("retry_count", Integer, nullable=False),
        Column("execution_time", Float(precision=53)),
        Column("metadata", JsonDocument()),
        Column("created_at", UTCTimestamp(), nullable=False),
        Column("updated_at", UTCTimestamp(), nullable=False),
        # search_text(record) as UTF-8; never part of a record.
        Column("search_key", SearchKey(), nullable=False),
    )
    # The trailing id serves the tie-break of the default sort from the index itself. The
    # integration-and-status index answers the most common question, "what failed for this
    # integration lately", and its count, from the index alone.
    Index(f"{name}_integration_created", logs.c.integration_id, logs.c.created_at, logs.c.id)
    Index(
        f"{name}_integration_status",
        logs.c.integration_id,
        logs.c.status,
        logs.c.created_at,
        logs.c.id,
    )
    Index(f"{name}_status_created", logs.c.status, logs.c.created_at, logs.c.id)
    Index(f"{name}_entity", logs.c.entity_type, logs.c.entity_id)
    Index(f"{name}_created", logs.c.created_at, logs.c.id)
    versions = Table(
        VERSION_TABLE,
        metadata,
        Column("table_name", String(64), primary_key=True),
        Column("version", Integer, nullable=False),
    )
    return LogTable(logs, versions)


def ensure_schema(connection: Connection, tables: LogTable, *, create: bool) -> bool:
    """Check (and with ``create``, first create) the schema, inside the caller's transaction.

    Returns whether the log table was created now. Raises :class:`ConfigurationError` for a
    missing table when ``create`` is false, and for an existing table this version cannot use.
    """
    name = tables.logs.name
    if connection.dialect.name == "postgresql":
        # Stores opening at once in several processes take turns; CREATE ... IF NOT EXISTS alone
        # races in PostgreSQL's catalogs.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
    inspector = inspect(connection)
    if create:
        tables.versions.create(connection, checkfirst=True)
    elif not inspector.has_table(VERSION_TABLE):
        raise MissingStore(
            f"no actionlogkit schema in this database (table {VERSION_TABLE!r} is missing); "
            "open the store with create_schema=True to create it"
        )
    recorded = connection.execute(
        select(tables.versions.c.version).where(tables.versions.c.table_name == name)
    ).scalar_one_or_none()
    exists = inspect(connection).has_table(name)
    if not exists:
        if not create:
            raise MissingStore(
                f"table {name!r} does not exist; open the store with create_schema=True "
                "to create it"
            )
        if recorded is not None:
            connection.execute(tables.versions.delete().where(tables.versions.c.table_name == name))
        tables.logs.create(connection)
        # Additive, beside the table: the layout stays version 1, readable by 0.1.
        create_search_index(connection, name)
        connection.execute(insert(tables.versions).values(table_name=name, version=SCHEMA_VERSION))
        return True
    if recorded is None:
        raise ConfigurationError(
            f"table {name!r} exists but was not created by actionlogkit (no schema version "
            f"recorded in {VERSION_TABLE!r}); choose another table_name"
        )
    if recorded != SCHEMA_VERSION:
        raise ConfigurationError(
            f"table {name!r} has actionlogkit schema version {recorded}, and this version of "
            f"actionlogkit-sql reads and writes version {SCHEMA_VERSION} only"
        )
    _check_columns(connection, name)
    return False


def drop_schema(connection: Connection, tables: LogTable) -> None:
    """Drop the log table, its search index and its version record, in the caller's transaction."""
    tables.logs.drop(connection, checkfirst=True)
    drop_search_index(connection, tables.logs.name)
    connection.execute(
        tables.versions.delete().where(tables.versions.c.table_name == tables.logs.name)
    )


def _check_columns(connection: Connection, name: str) -> None:
    dialect = connection.dialect.name
    expected = _EXPECTED_TYPES[dialect]
    rows: list[tuple[Any, Any]]
    if dialect == "postgresql":
        rows = [
            (row[0], row[1])
            for row in connection.execute(
                text(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = :name"
                ),
                {"name": name},
            ).all()
        ]
    else:
        rows = [
            (row[1], row[2])
            for row in connection.exec_driver_sql(
                "SELECT * FROM pragma_table_info(?)", (name,)
            ).all()
        ]
    found = {str(column): str(kind).lower() for column, kind in rows}
    problems = [
        f"{column} should be {kind}, found {found.get(column, 'nothing')}"
        for column, kind in expected.items()
        if not found.get(column, "").startswith(kind)
    ]
    problems += [f"unexpected column {column}" for column in sorted(set(found) - set(expected))]
    if problems:
        raise ConfigurationError(
            f"table {name!r} does not have the layout of actionlogkit schema version "
            f"{SCHEMA_VERSION}: " + "; ".join(problems)
        )
