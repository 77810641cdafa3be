"""The stored layout of actionlogkit-sql 0.1, frozen: its DDL, and what its code does on a table.

Kept as text here, not derived from the current code, so that the migration test keeps testing
the 0.1 layout when the code moves on. ``check`` is 0.1's check of an existing table on opening
(``ensure_schema`` with its column check): a store that fails it cannot be opened by 0.1.
``insert_row``, ``read_ids`` and ``search_count`` are the statements 0.1 runs to write a record
and to read and search them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from actionlogkit import ActionLog

_DDL = {
    "sqlite": """
CREATE TABLE {t} (
    id VARCHAR(24) NOT NULL, integration_id VARCHAR(256) NOT NULL,
    action_type VARCHAR(16) NOT NULL, entity_type VARCHAR(256) NOT NULL,
    entity_id VARCHAR(256), status VARCHAR(16) NOT NULL, payload TEXT, response TEXT,
    error_message TEXT, retry_count INTEGER NOT NULL, execution_time FLOAT, metadata TEXT,
    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, search_key BLOB NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX {t}_created ON {t} (created_at, id);
CREATE INDEX {t}_integration_created ON {t} (integration_id, created_at, id);
CREATE INDEX {t}_integration_status ON {t} (integration_id, status, created_at, id);
CREATE INDEX {t}_entity ON {t} (entity_type, entity_id);
CREATE INDEX {t}_status_created ON {t} (status, created_at, id);
CREATE TABLE IF NOT EXISTS actionlogkit_schema (
    table_name VARCHAR(64) NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (table_name)
);
INSERT INTO actionlogkit_schema (table_name, version) VALUES ('{t}', 1)
""",
    "postgresql": """
CREATE TABLE {t} (
    id VARCHAR(24) COLLATE "C" NOT NULL, integration_id VARCHAR(256) COLLATE "C" NOT NULL,
    action_type VARCHAR(16) COLLATE "C" NOT NULL, entity_type VARCHAR(256) COLLATE "C" NOT NULL,
    entity_id VARCHAR(256) COLLATE "C", status VARCHAR(16) COLLATE "C" NOT NULL,
    payload JSONB, response JSONB, error_message TEXT COLLATE "C", retry_count INTEGER NOT NULL,
    execution_time FLOAT(53), metadata JSONB, created_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP(3) WITH TIME ZONE NOT NULL, search_key BYTEA NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX {t}_created ON {t} (created_at, id);
CREATE INDEX {t}_integration_created ON {t} (integration_id, created_at, id);
CREATE INDEX {t}_integration_status ON {t} (integration_id, status, created_at, id);
CREATE INDEX {t}_entity ON {t} (entity_type, entity_id);
CREATE INDEX {t}_status_created ON {t} (status, created_at, id);
CREATE TABLE IF NOT EXISTS actionlogkit_schema (
    table_name VARCHAR(64) NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (table_name)
);
INSERT INTO actionlogkit_schema (table_name, version) VALUES ('{t}', 1)
""",
}

_EXPECTED_TYPES = {
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
_COLUMNS = tuple(_EXPECTED_TYPES["sqlite"])


def create(connection: Connection, table: str) -> None:
    """Create a log table as 0.1 did, with its indexes and version record."""
    for statement in _DDL[connection.dialect.name].format(t=table).split(";"):
        if statement.strip():
            connection.exec_driver_sql(statement)


def _marker(connection: Connection) -> str:
    return "%s" if connection.dialect.name == "postgresql" else "?"


def check(connection: Connection, table: str) -> None:
    """0.1's check on opening an existing table: version 1, exactly its columns and types."""
    mark = _marker(connection)
    version = connection.exec_driver_sql(
        f"SELECT version FROM actionlogkit_schema WHERE table_name = {mark}", (table,)
    ).scalar_one()
    assert version == 1, f"0.1 refuses schema version {version}"
    dialect = connection.dialect.name
    if dialect == "postgresql":
        rows = connection.exec_driver_sql(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s",
            (table,),
        ).all()
        found = {str(r[0]): str(r[1]).lower() for r in rows}
    else:
        rows = connection.exec_driver_sql("SELECT * FROM pragma_table_info(?)", (table,)).all()
        found = {str(r[1]): str(r[2]).lower() for r in rows}
    expected = _EXPECTED_TYPES[dialect]
    problems = [c for c, kind in expected.items() if not found.get(c, "").startswith(kind)]
    problems += sorted(set(found) - set(expected))
    assert not problems, f"0.1 refuses the table: {problems}"


def _row(record: ActionLog, postgresql: bool) -> tuple[Any, ...]:
    import json

    def as_json(value: Any) -> Any:
        return None if value is None else json.dumps(value, separators=(",", ":"))

    def stamp(value: Any) -> Any:
        return value if postgresql else int(value.timestamp() * 1000)

    folded = "\x00".join(
        (
            record.integration_id.casefold(),
            record.entity_type.casefold(),
            (record.entity_id or "").casefold(),
            (record.error_message or "").casefold(),
        )
    )
    return (
        record.id,
        record.integration_id,
        record.action_type.value,
        record.entity_type,
        record.entity_id,
        record.status.value,
        as_json(record.payload),
        as_json(record.response),
        record.error_message,
        record.retry_count,
        record.execution_time,
        as_json(record.metadata),
        stamp(record.created_at),
        stamp(record.updated_at),
        folded.encode(),
    )


def insert_row(connection: Connection, table: str, record: ActionLog) -> None:
    """Insert a record as 0.1's insert statement does."""
    postgresql = connection.dialect.name == "postgresql"
    mark = _marker(connection)
    places = ", ".join(
        f"CAST({mark} AS jsonb)"
        if postgresql and c in ("payload", "response", "metadata")
        else mark
        for c in _COLUMNS
    )
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES ({places})",
        _row(record, postgresql),
    )


def read_ids(connection: Connection, table: str) -> list[str]:
    """Every record's id, newest first, as 0.1 lists them."""
    rows = connection.exec_driver_sql(
        f"SELECT {', '.join(_COLUMNS[:-1])} FROM {table} ORDER BY created_at DESC, id DESC"
    ).all()
    return [str(row[0]) for row in rows]


def search_count(connection: Connection, table: str, term: str) -> int:
    """How many records 0.1's search finds for a term (a substring of the folded key)."""
    mark = _marker(connection)
    test = (
        f"position({mark} IN search_key) > 0"
        if connection.dialect.name == "postgresql"
        else f"instr(search_key, {mark}) > 0"
    )
    count: int = connection.exec_driver_sql(
        f"SELECT count(*) FROM {table} WHERE {test}", (term.casefold().encode(),)
    ).scalar_one()
    return count
