"""The store's own connections: opening the engine, and running reads and writes on it.

Every operation checks out a connection of its own and commits or rolls back its own transaction,
so a caller's transaction (on another connection) never carries the logs with it.

SQLite: WAL journal, a busy timeout, ``synchronous=NORMAL`` on engines the store creates, writes in
``BEGIN IMMEDIATE`` transactions (a writer takes the lock up front instead of failing half-way), and
a bounded retry when the database stays busy past the timeout. An in-memory database lives in one
connection, shared by all threads under a lock.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Literal, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import StaticPool

from actionlogkit.errors import ConfigurationError, MissingStore, StoreError, StoreTimeout
from actionlogkit.store import Store
from actionlogkit_sql._types import CANONICAL_JSON_FUNCTION, canonical_json, decode_json

__all__ = ["BUSY_RETRIES", "BUSY_TIMEOUT_MS", "Database", "driver_error", "sqlite_open_error"]

T = TypeVar("T")

BUSY_TIMEOUT_MS = 10_000
"""How long SQLite waits for another connection's lock before it reports the database busy."""
BUSY_RETRIES = 6
"""How many more times an operation is tried when SQLite still reports the database busy."""
_CONNECT_TIMEOUT_S = 10
_POOL_TIMEOUT_S = 30
# PostgreSQL connections the store opens notice a dead peer or network (not a frozen server,
# whose kernel still answers: see _postgresql) within about a minute.
_POSTGRESQL_CONNECT_ARGS = {
    "connect_timeout": _CONNECT_TIMEOUT_S,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "tcp_user_timeout": 60_000,
}
_seconds_left = Store._seconds_left
_SQLITE_DRIVERS = ("sqlite", "sqlite+pysqlite")
_POSTGRESQL_DRIVERS = ("postgresql", "postgresql+psycopg")
_SQLITE_BUSY_CODES = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (named in sqlite3 from Python 3.11)
_PREPARED = "actionlogkit_prepared"
_BUSY_TIMEOUT = "actionlogkit_busy_timeout_ms"
MIN_SQLITE = (3, 38, 0)  # JSON functions built in, and the -> operator
_SQLITE_MIN_MAX_PARAMETERS = 999  # SQLite's default before 3.32; builds may still choose it
_SQLITE_LIMIT_VARIABLE_NUMBER = 9  # named in sqlite3 from Python 3.11

Dialect = Literal["sqlite", "postgresql"]


_PASSWORD = re.compile(r"(?<=:)[^\s/@:]*(?=@)")


def _without_password(text: str) -> str:
    """``text`` with the password of any URL in it hidden: error messages end up in logs."""
    return _PASSWORD.sub("***", text)


def _url(value: str | URL) -> URL:
    try:
        url = make_url(value)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise ConfigurationError(
            _without_password(f"not a database URL: {value!r} ({exc})")
        ) from None
    driver = url.drivername.lower()
    if driver in _SQLITE_DRIVERS:
        return url.set(drivername="sqlite+pysqlite")
    if driver in _POSTGRESQL_DRIVERS:
        # Without a driver SQLAlchemy would pick psycopg2; this backend speaks psycopg 3.
        return url.set(drivername="postgresql+psycopg")
    raise ConfigurationError(
        f"SQLStore opens sqlite:// and postgresql:// (or postgresql+psycopg://) URLs, "
        f"not {url.drivername}://"
    )


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def _require_file(url: URL) -> None:
    """Refuse a SQLite file that does not exist: connecting would create it."""
    path = url.database or ""
    if path.startswith("file:"):  # a URI filename: whatever it names is SQLite's to find
        return
    if not os.path.exists(path):
        raise MissingStore(f"no such database: {path}")


def driver_error(exc: BaseException) -> BaseException:
    """The driver's own exception: SQLAlchemy's wrapper taken off."""
    return exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc


def sqlite_open_error(path: str, exc: BaseException) -> StoreError:
    """The one-line error for a SQLite file that cannot be opened: the file, and why.

    The driver's own words are vague ("unable to open database file"), so the path is looked at
    for the usual reasons first. Raise it ``from`` :func:`driver_error` of ``exc``.
    """
    file = Path(path)
    reason = " ".join(str(driver_error(exc)).split()) or type(exc).__name__
    if file.is_dir():
        reason = "it is a directory"
    elif not file.parent.is_dir():
        reason = f"its directory {file.parent} does not exist"
    elif not file.exists() and not os.access(file.parent, os.W_OK | os.X_OK):
        reason = f"its directory {file.parent} is not writable"
    elif file.exists() and not os.access(file, os.R_OK | os.W_OK):
        reason = "permission denied (the file must be readable and writable)"
    return StoreError(f"cannot open the SQLite database {path}: {reason}")


def _is_busy(exc: BaseException) -> bool:
    cause = driver_error(exc)
    if not isinstance(cause, sqlite3.OperationalError):
        return False
    code = getattr(cause, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return bool(code & 0xFF in _SQLITE_BUSY_CODES)
    message = str(cause)
    return "database is locked" in message or "database is busy" in message


class Database:
    """An engine and the rules for using it: which dialect, which connections, which locks."""

    def __init__(self, engine_or_url: Engine | str | URL, *, create: bool = True) -> None:
        if isinstance(engine_or_url, Engine):
            engine = engine_or_url
            name = engine.dialect.name
            if (name, engine.dialect.driver) not in (
                ("sqlite", "pysqlite"),
                ("postgresql", "psycopg"),
            ):
                raise ConfigurationError(
                    "SQLStore works with SQLite (sqlite3) and PostgreSQL (psycopg 3) engines, "
                    f"not {name}+{engine.dialect.driver}"
                )
            self.owns_engine = False
            self.memory = name == "sqlite" and _is_memory(engine.url)
        elif isinstance(engine_or_url, (str, URL)):
            url = _url(engine_or_url)
            self.owns_engine = True
            self.memory = url.get_backend_name() == "sqlite" and _is_memory(url)
            if not create and url.get_backend_name() == "sqlite" and not self.memory:
                _require_file(url)
            engine = self._create_engine(url)
        else:
            raise ConfigurationError(
                "SQLStore takes a database URL or a SQLAlchemy Engine, "
                f"not {type(engine_or_url).__name__}"
            )
        if engine.dialect.name == "sqlite" and sqlite3.sqlite_version_info < MIN_SQLITE:
            raise ConfigurationError(
                f"SQLStore needs SQLite {'.'.join(map(str, MIN_SQLITE))} or later; this Python's "
                f"sqlite3 module has {sqlite3.sqlite_version}"
            )
        self.engine = engine
        self.max_parameters = _SQLITE_MIN_MAX_PARAMETERS
        """SQLite: the most parameters one statement may take (read by :meth:`setup`)."""
        self.dialect: Dialect = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
        # One in-memory connection serves every thread, one at a time.
        self._lock: threading.RLock | None = threading.RLock() if self.memory else None

    def _create_engine(self, url: URL) -> Engine:
        if url.get_backend_name() == "postgresql":
            from actionlogkit_sql import _postgresql

            engine = create_engine(
                url,
                connect_args=dict(_POSTGRESQL_CONNECT_ARGS),
                poolclass=_postgresql.DeadlinePool,
                pool_timeout=_POOL_TIMEOUT_S,
                # psycopg decodes jsonb itself, with the standard library unless told otherwise:
                # orjson reads a page's documents in a third of the time.
                json_deserializer=decode_json,
            )
            event.listen(engine, "do_connect", _postgresql.connect)
            return engine
        # sqlite3 in autocommit mode: the store issues BEGIN IMMEDIATE and COMMIT itself.
        if self.memory:
            return create_engine(
                url,
                poolclass=StaticPool,
                connect_args={"check_same_thread": False},
                isolation_level="AUTOCOMMIT",
            )
        return create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            pool_size=8,
            max_overflow=24,
            isolation_level="AUTOCOMMIT",
        )

    def open_error(self, exc: BaseException) -> StoreError:
        """SQLite: the one-line error for a file that cannot be opened or read as a database."""
        return sqlite_open_error(self.engine.url.database or "", exc)

    @property
    def location(self) -> str:
        """The database's URL without its password, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    # -- connections --------------------------------------------------------------------------

    @contextmanager
    def _connection(self, *, autocommit: bool) -> Iterator[Connection]:
        with self._lock or nullcontext():
            try:
                connection = self.engine.connect()
            except DBAPIError as exc:
                if self.dialect == "sqlite" and not self.memory:
                    raise self.open_error(exc) from driver_error(exc)
                raise StoreError(f"cannot connect to {self.location}: {exc.orig}") from exc
            try:
                # Isolation switched for this checkout only, and back when it is returned.
                if autocommit and not (self.owns_engine and self.dialect == "sqlite"):
                    connection = connection.execution_options(isolation_level="AUTOCOMMIT")
                elif not autocommit and not self.owns_engine:
                    # A real transaction, even on an engine of the caller's set to autocommit.
                    connection = connection.execution_options(isolation_level="READ COMMITTED")
                if self.dialect == "sqlite":
                    if not connection.info.get(_PREPARED):
                        self._prepare_sqlite(connection)
                    self._bound_busy_wait(connection)
                yield connection
            finally:
                connection.close()

    @staticmethod
    def _bound_busy_wait(connection: Connection) -> None:
        """Wait for another writer's lock no longer than the deadline of the running primitive."""
        left = _seconds_left()
        wanted = BUSY_TIMEOUT_MS if left is None else max(0, min(BUSY_TIMEOUT_MS, int(left * 1000)))
        if connection.info.get(_BUSY_TIMEOUT) != wanted:
            raw: Any = connection.connection.dbapi_connection
            raw.execute(f"PRAGMA busy_timeout = {wanted}")
            connection.info[_BUSY_TIMEOUT] = wanted

    def _prepare_sqlite(self, connection: Connection) -> None:
        # Settings of the DBAPI connection, kept while the pool keeps it; on a caller's engine
        # too, since every connection the store uses passes here first.
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.info[_BUSY_TIMEOUT] = BUSY_TIMEOUT_MS
        raw: Any = connection.connection.dbapi_connection
        # Whole-value equality of arrays and objects (the query compiler's).
        raw.create_function(CANONICAL_JSON_FUNCTION, 1, canonical_json, deterministic=True)
        if self.owns_engine and not self.memory:
            # In WAL mode NORMAL never corrupts the database; a power cut may lose the last
            # commits, and each commit costs no fsync.
            connection.exec_driver_sql("PRAGMA synchronous = NORMAL")
        connection.info[_PREPARED] = True

    def _retrying(self, attempt: Callable[[], T]) -> T:
        if self.dialect != "sqlite":
            return attempt()
        for tries in range(BUSY_RETRIES + 1):
            try:
                return attempt()
            except (DBAPIError, sqlite3.OperationalError) as exc:
                if not _is_busy(exc):
                    raise
                left = _seconds_left()
                if left is not None and left <= 0:
                    raise StoreError(
                        f"the SQLite database {self.location} stayed locked by other writers "
                        "until the deadline"
                    ) from exc
                if tries == BUSY_RETRIES:
                    raise StoreError(
                        f"the SQLite database {self.location} stayed locked by other writers "
                        f"through {BUSY_RETRIES + 1} waits of {BUSY_TIMEOUT_MS} ms"
                    ) from exc
            pause = random.uniform(0.01, 0.05) * (tries + 1)  # noqa: S311 - jitter only
            left = _seconds_left()
            time.sleep(pause if left is None else max(min(pause, left), 0.0))
        raise AssertionError("unreachable")  # pragma: no cover

    # -- operations ---------------------------------------------------------------------------

    def read(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` on a connection of the store's, outside any transaction of the caller's."""

        def attempt() -> T:
            with self._connection(autocommit=True) as connection:
                return work(connection)

        return self._retrying(attempt)

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in a transaction of its own, committed when it returns, else rolled back."""
        if self.dialect == "postgresql":
            left = _seconds_left()
            if left is not None:
                return self._postgresql_write_in_time(work, left)
            with self._connection(autocommit=False) as connection, connection.begin():
                return work(connection)
        return self._retrying(lambda: self._sqlite_transaction(work))

    def _postgresql_write_in_time(self, work: Callable[[Connection], T], left: float) -> T:
        """A write under a deadline: see :mod:`actionlogkit_sql._postgresql`."""
        from actionlogkit_sql import _postgresql

        until = time.monotonic() + left
        committing = False
        with self._connection(autocommit=True) as connection:
            raw: Any = connection.connection.dbapi_connection
            try:
                anchor = _postgresql.begin(raw, left)
                result = work(connection)
                statement = _postgresql.commit_statement(anchor, until)
                committing = True
                raw.execute(statement)
            except BaseException as exc:
                _postgresql.abandon(raw, connection)
                if _postgresql.refused_late(exc):
                    raise StoreTimeout(
                        f"{self.location}: the write reached its commit after the deadline; "
                        "nothing was stored"
                    ) from exc
                if committing and isinstance(exc, Exception) and (_seconds_left() or 0) <= 0:
                    raise StoreTimeout(
                        f"{self.location}: the deadline passed while the commit was under way; "
                        "the write may have been stored",
                        in_doubt=True,
                    ) from exc
                raise
            return result

    def _sqlite_transaction(self, work: Callable[[Connection], T]) -> T:
        with self._connection(autocommit=True) as connection:
            raw: Any = connection.connection.dbapi_connection
            # IMMEDIATE takes the write lock now, waiting for it under the busy timeout; a
            # deferred transaction could fail later, when reading turns into writing.
            raw.execute("BEGIN IMMEDIATE")
            try:
                result = work(connection)
                raw.execute("COMMIT")
            except BaseException:
                if raw.in_transaction:
                    raw.rollback()
                raise
            return result

    @staticmethod
    def run_driver_sql(connection: Connection, statement: str, rows: list[tuple[Any, ...]]) -> int:
        """Run a prepared statement for each row on the DBAPI cursor itself; return the rowcount.

        For the write path, where SQLAlchemy's per-call work would cost as much as the insert.
        """
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if len(rows) == 1:
                cursor.execute(statement, rows[0])
            else:
                cursor.executemany(statement, rows)
            return int(cursor.rowcount)
        finally:
            cursor.close()

    @staticmethod
    def copy_rows(connection: Connection, statement: str, rows: Iterable[tuple[Any, ...]]) -> None:
        """PostgreSQL: stream ``rows`` into a ``COPY … FROM STDIN`` statement on the DBAPI cursor.

        One statement for the whole batch, rows sent as the server reads them: the fastest way
        in, and atomic within the caller's transaction.
        """
        cursor: Any = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()

    def run_atomically(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """SQLite: run each statement with its parameters on the DBAPI cursor, all or nothing.

        A single statement runs outside any explicit transaction: SQLite makes it atomic by
        itself, and it takes the write lock before it reads anything (as ``BEGIN IMMEDIATE``
        would), so the write is one step of the engine instead of three. More run in one
        ``BEGIN IMMEDIATE`` transaction.
        """

        def run(connection: Connection) -> None:
            cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                for statement, parameters in statements:
                    cursor.execute(statement, parameters)
            finally:
                cursor.close()

        if len(statements) != 1:
            self.write(run)
            return

        def attempt() -> None:
            with self._connection(autocommit=True) as connection:
                run(connection)

        self._retrying(attempt)

    def setup(self) -> None:
        """SQLite: switch a file to WAL and read :attr:`max_parameters`.

        WAL is a setting of the file, kept from then on.
        """
        if self.dialect != "sqlite":
            return

        def prepare() -> None:
            with self._connection(autocommit=True) as connection:
                raw: Any = connection.connection.dbapi_connection
                if hasattr(raw, "getlimit"):  # Python 3.11+; before, the old default stands
                    self.max_parameters = raw.getlimit(_SQLITE_LIMIT_VARIABLE_NUMBER)
                if self.memory:
                    return
                mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
                if str(mode).lower() != "wal":
                    connection.exec_driver_sql("PRAGMA journal_mode = WAL")

        self._retrying(prepare)

    def dispose(self) -> None:
        """Close the engine's connections if the store created it; a caller's engine stays.

        A SQLite file gets ``PRAGMA optimize`` first, as SQLite advises before closing: it
        gathers the statistics that let the planner choose between indexes, when worthwhile.
        """
        if not self.owns_engine:
            return
        if self.dialect == "sqlite" and not self.memory:
            try:
                with self._connection(autocommit=True) as connection:
                    connection.exec_driver_sql("PRAGMA optimize")
            except (DBAPIError, StoreError):
                pass  # only statistics: a busy or vanished file must not stop the close
        with self._lock or nullcontext():
            self.engine.dispose()
