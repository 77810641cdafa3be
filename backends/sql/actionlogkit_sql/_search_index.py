"""The search index: what makes ``search`` read the matches instead of every record.

SQLite: an FTS5 table ``<table>_search`` with the trigram tokenizer (case-sensitive: the text is
already folded by Python), contentless, one column per search field, kept in step with the log
table by triggers, so that every writer keeps it current, older versions of this code included.
A term of three characters or more is looked up with ``MATCH`` (SQLite's trigram ``LIKE`` does not
use the index); the exact test on ``search_key`` still decides, so the index only narrows.

PostgreSQL: a ``pg_trgm`` GIN index ``<table>_search`` over ``encode(search_key, 'escape')``: the
search key's bytes as text (NUL, backslash and non-ASCII bytes written as escapes), so that any
term, as the same escapes, is a substring of it exactly when its bytes are a substring of the
key. Queried with ``LIKE``, which the index serves; the exact test decides.

Both are additive: no column of the log table changes, so the previous version still reads and
writes a store that has them. New tables get the index when they are created; an existing table
gets it from :func:`build` (``actionlogkit migrate``), never from opening the store.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Literal

from sqlalchemy import Connection, Engine, text

__all__ = [
    "SEARCH_FIELDS",
    "IndexKind",
    "build",
    "create",
    "escape_like",
    "fts_phrase",
    "has_index",
    "pg_escaped",
]

IndexKind = Literal["fts5", "trgm"]
SEARCH_FIELDS = ("integration_id", "entity_type", "entity_id", "error_message")
_BACKFILL_ROWS = 50_000


def index_name(table: str) -> str:
    """The name of a table's search index (SQLite: its FTS5 table)."""
    return f"{table}_search"


def _quoted(name: str) -> str:
    return f'"{name}"'  # names are checked identifiers (letters, digits, underscores)


def _sqlite_fields(key: str) -> list[str]:
    """SQL for the four folded fields of a search key (bytes joined by NUL), as text.

    SQLite's text functions stop at a NUL; the blob functions (``instr``, ``substr``) count bytes.
    """
    pieces = []
    rest = key
    for _ in range(len(SEARCH_FIELDS) - 1):
        cut = f"instr({rest}, x'00')"
        pieces.append(f"CAST(substr({rest}, 1, {cut} - 1) AS TEXT)")
        rest = f"substr({rest}, {cut} + 1)"
    pieces.append(f"CAST({rest} AS TEXT)")
    return pieces


def _sqlite_statements(table: str) -> list[str]:
    name = index_name(table)
    fts, logs = _quoted(name), _quoted(table)
    columns = ", ".join(SEARCH_FIELDS)
    new = ", ".join(_sqlite_fields("new.search_key"))
    old = ", ".join(_sqlite_fields("old.search_key"))
    # Only checked identifiers and fixed column names go into the text.
    remove = f"INSERT INTO {fts} ({fts}, rowid, {columns}) VALUES ('delete', old.rowid, {old});"  # noqa: S608
    add = f"INSERT INTO {fts} (rowid, {columns}) VALUES (new.rowid, {new});"  # noqa: S608
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({columns}, content='', columnsize=0, "
        "tokenize='trigram case_sensitive 1')",
        f"CREATE TRIGGER {_quoted(name + '_insert')} AFTER INSERT ON {logs} BEGIN {add} END",
        f"CREATE TRIGGER {_quoted(name + '_delete')} AFTER DELETE ON {logs} BEGIN {remove} END",
        f"CREATE TRIGGER {_quoted(name + '_update')} AFTER UPDATE OF search_key ON {logs} "
        f"BEGIN {remove} {add} END",
    ]


def _pg_index(table: str, *, concurrently: bool) -> str:
    how = "CONCURRENTLY " if concurrently else ""
    return (
        f"CREATE INDEX {how}{_quoted(index_name(table))} ON {_quoted(table)} "
        "USING gin (encode(search_key, 'escape') gin_trgm_ops)"
    )


def has_index(connection: Connection, table: str) -> bool:
    """Whether the table has its (valid) search index."""
    name = index_name(table)
    if connection.dialect.name == "postgresql":
        valid = connection.execute(
            text(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = :name AND c.relnamespace = current_schema()::regnamespace"
            ),
            {"name": name},
        ).scalar_one_or_none()
        return bool(valid)
    found = connection.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE (type = 'table' AND name = ?) "
        "OR (type = 'trigger' AND name IN (?, ?, ?))",
        (name, f"{name}_insert", f"{name}_delete", f"{name}_update"),
    ).scalar_one()
    return bool(found == 4)


def _trgm_available(connection: Connection) -> bool:
    """Create ``pg_trgm`` where the role may; whether its operator class is there now."""
    with connection.begin_nested() as savepoint:
        try:
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:
            savepoint.rollback()
    found = connection.exec_driver_sql(
        "SELECT count(*) FROM pg_opclass WHERE opcname = 'gin_trgm_ops'"
    ).scalar_one()
    return bool(found)


def _fts5_available(connection: Connection) -> bool:
    """Whether this SQLite has FTS5 with the trigram tokenizer (3.34 and later)."""
    if sqlite3.sqlite_version_info < (3, 34):
        return False
    found = connection.exec_driver_sql(
        "SELECT count(*) FROM pragma_module_list WHERE name = 'fts5'"
    ).scalar_one()
    return bool(found)


def create(connection: Connection, table: str) -> bool:
    """Create the search index of a new, empty table in the caller's transaction.

    Returns whether there is one (PostgreSQL without ``pg_trgm``, SQLite without FTS5 have none).
    """
    if connection.dialect.name == "postgresql":
        if not _trgm_available(connection):
            return False
        connection.exec_driver_sql(_pg_index(table, concurrently=False))
        return True
    if not _fts5_available(connection):
        return False
    for statement in _sqlite_statements(table):
        connection.exec_driver_sql(statement)
    return True


def drop(connection: Connection, table: str) -> None:
    """Drop a table's search index in the caller's transaction (the FTS5 table of SQLite).

    PostgreSQL's index, and SQLite's triggers, go with the table itself.
    """
    if connection.dialect.name != "postgresql":
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {_quoted(index_name(table))}")


def build(
    engine: Engine,
    write: Callable[[Callable[[Connection], None]], None],
    table: str,
    progress: Callable[[str], None],
) -> bool:
    """Build the search index of an existing table; whether one was built.

    SQLite: in one write transaction (writers wait, readers go on), the FTS table and its
    triggers, then the rows already stored, in batches, with progress. PostgreSQL: ``CREATE INDEX
    CONCURRENTLY`` (writes go on meanwhile), with the server's progress report.
    """
    if engine.dialect.name == "postgresql":
        return _build_postgresql(engine, table, progress)

    def run(connection: Connection) -> None:
        for statement in _sqlite_statements(table):
            connection.exec_driver_sql(statement)
        fts, logs = _quoted(index_name(table)), _quoted(table)
        total = connection.exec_driver_sql(f"SELECT count(*) FROM {logs}").scalar_one()  # noqa: S608 - checked names
        fields = ", ".join(_sqlite_fields("search_key"))
        done, last = 0, -(2**63)
        while True:
            row = connection.exec_driver_sql(
                f"SELECT max(rowid), count(*) FROM (SELECT rowid FROM {logs} "  # noqa: S608
                f"WHERE rowid > ? ORDER BY rowid LIMIT {_BACKFILL_ROWS})",
                (last,),
            ).one()
            if not row[1]:
                break
            connection.exec_driver_sql(
                f"INSERT INTO {fts} (rowid, {', '.join(SEARCH_FIELDS)}) "  # noqa: S608
                f"SELECT rowid, {fields} FROM {logs} WHERE rowid > ? AND rowid <= ?",
                (last, row[0]),
            )
            last, done = row[0], done + row[1]
            progress(f"search index: {done:,} of {total:,} records")

    built: list[bool] = []

    def checked(connection: Connection) -> None:
        if not _fts5_available(connection):
            progress("search index: this SQLite has no FTS5 trigram tokenizer; search scans")
            built.append(False)
            return
        built.append(not has_index(connection, table))
        if built[0]:
            run(connection)

    write(checked)
    return built[0]


def _build_postgresql(engine: Engine, table: str, progress: Callable[[str], None]) -> bool:
    with engine.begin() as connection:
        if has_index(connection, table):
            return False
        available = _trgm_available(connection)
    if not available:
        progress("search index: pg_trgm is not available to this role; search scans")
        return False
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # A build that failed half-way leaves an invalid index behind.
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {_quoted(index_name(table))}")
        failure: list[BaseException] = []

        def create_index() -> None:
            try:
                connection.exec_driver_sql(_pg_index(table, concurrently=True))
            except BaseException as exc:
                failure.append(exc)

        progress("search index: building (writes go on meanwhile)")
        worker = threading.Thread(target=create_index, name="actionlogkit-search-index")
        worker.start()
        with engine.connect() as watcher:
            while worker.is_alive():
                worker.join(2.0)
                row = watcher.execute(
                    text(
                        "SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total "
                        "FROM pg_stat_progress_create_index WHERE relid = CAST(:t AS regclass)"
                    ),
                    {"t": table},
                ).first()
                watcher.rollback()
                if row is not None:
                    phase, blocks, of_blocks, tuples, of_tuples = row
                    done, total = (tuples, of_tuples) if of_tuples else (blocks, of_blocks)
                    progress(f"search index: {phase} ({done:,} of {total:,})")
        if failure:
            raise failure[0]
        progress("search index: built")
        return True


def fts_phrase(term: str) -> str:
    """An FTS5 query for ``term`` as one phrase: every character literal."""
    return '"' + term.replace('"', '""') + '"'


def pg_escaped(term: str) -> str:
    """The term's UTF-8 bytes as PostgreSQL's ``encode(…, 'escape')`` writes them."""
    out = []
    for byte in term.encode("utf-8"):
        if byte == 0 or byte >= 0x80:
            out.append(f"\\{byte:03o}")
        elif byte == 0x5C:
            out.append("\\\\")
        else:
            out.append(chr(byte))
    return "".join(out)


def escape_like(value: str) -> str:
    r"""``value`` as a ``LIKE`` pattern matching itself (``\`` is the escape character)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
