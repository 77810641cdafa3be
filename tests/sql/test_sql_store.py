"""What SQLStore adds to the contract: URLs, engines, timestamps, transactions and errors."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError

from actionlogkit import ConfigurationError, Conflict, StoreError, open_store
from actionlogkit.testing import canonical
from actionlogkit.testing._sample import minimal
from actionlogkit_sql import SQLStore

STAMP = datetime(2023, 1, 15, 9, 0, 0, 123_456, tzinfo=timezone(timedelta(hours=1)))
STAMP_UTC = datetime(2023, 1, 15, 8, 0, 0, 123_000, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def store(request: pytest.FixtureRequest) -> SQLStore:
    """A SQLite store, and a PostgreSQL one when the server is there."""
    name = "sqlite_store" if request.param == "sqlite" else "postgres_store"
    found: SQLStore = request.getfixturevalue(name)
    return found


# -- opening ------------------------------------------------------------------------------------


def test_open_store_opens_sqlite_urls(tmp_path: Path) -> None:
    """open_store gives a SQLStore for sqlite:/// files and sqlite:// memory."""
    with open_store(f"sqlite:///{tmp_path / 'a.db'}") as on_file, open_store("sqlite://") as memory:
        assert isinstance(on_file, SQLStore)
        assert isinstance(memory, SQLStore)
        on_file.create(minimal())
        assert (on_file.count(), memory.count()) == (1, 0)


def test_memory_databases_are_private() -> None:
    """Each sqlite:// store has a database of its own."""
    with SQLStore("sqlite://") as first, SQLStore("sqlite:///:memory:") as second:
        first.create(minimal())
        assert second.count() == 0


@pytest.mark.postgresql
def test_open_store_opens_postgresql_urls(postgres_engine: Engine, postgres_table: str) -> None:
    """postgresql:// and postgresql+psycopg:// URLs open a SQLStore on psycopg 3."""
    url = postgres_engine.url.render_as_string(hide_password=False)
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    for each in (url, plain):
        with open_store(each, table_name=postgres_table) as store:
            assert isinstance(store, SQLStore)
            assert store.engine.dialect.driver == "psycopg"
            store.create(minimal())
    with SQLStore(postgres_engine, table_name=postgres_table) as store:
        assert store.count() == 2


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg2://u@h/db", "mysql://u@h/db", "sqlite+aiosqlite://", "not a url"]
)
def test_unsupported_urls_are_configuration_errors(url: str) -> None:
    """URLs of other databases or drivers raise ConfigurationError naming what is supported."""
    with pytest.raises(ConfigurationError):
        SQLStore(url)


def test_other_arguments_are_configuration_errors() -> None:
    """Neither a URL nor an engine raises ConfigurationError."""
    with pytest.raises(ConfigurationError, match="URL or a SQLAlchemy Engine"):
        SQLStore(42)  # type: ignore[arg-type]


def test_unreachable_server_is_a_store_error() -> None:
    """A PostgreSQL server that does not answer raises StoreError saying where, with the cause."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(StoreError, match=rf"cannot connect to .*127\.0\.0\.1:{port}") as caught:
        open_store(f"postgresql+psycopg://nobody:secret@127.0.0.1:{port}/logs")
    assert isinstance(caught.value.__cause__, DBAPIError)
    assert "secret" not in str(caught.value)


def test_unopenable_sqlite_file_is_a_store_error(tmp_path: Path) -> None:
    """A SQLite file in a missing directory: one line naming the file and why, with the cause."""
    path = tmp_path / "missing" / "logs.db"
    with pytest.raises(StoreError) as caught:
        SQLStore(f"sqlite:///{path}")
    assert str(caught.value) == (
        f"cannot open the SQLite database {path}: its directory {path.parent} does not exist"
    )
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)


def test_a_directory_is_no_sqlite_file(tmp_path: Path) -> None:
    """A path that is a directory: one line saying so."""
    with pytest.raises(StoreError) as caught:
        SQLStore(f"sqlite:///{tmp_path}")
    assert str(caught.value) == f"cannot open the SQLite database {tmp_path}: it is a directory"
    assert isinstance(caught.value.__cause__, sqlite3.Error)


@contextmanager
def _read_only_directory(path: Path) -> Iterator[Path]:
    """A directory nobody may write to: a read-only filesystem for root, else its mode."""
    path.mkdir()
    if os.geteuid() != 0:
        path.chmod(0o555)
        try:
            yield path
        finally:
            path.chmod(0o755)
        return
    subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def test_a_sqlite_file_in_a_read_only_directory_says_so(tmp_path: Path) -> None:
    """A new file where nothing may be written: one line naming the directory."""
    with _read_only_directory(tmp_path / "ro") as folder:
        target = folder / "logs.db"
        with pytest.raises(StoreError) as caught:
            SQLStore(f"sqlite:///{target}")
    assert str(caught.value) == (
        f"cannot open the SQLite database {target}: its directory {folder} is not writable"
    )
    assert isinstance(caught.value.__cause__, sqlite3.Error)


def test_a_given_engine_is_not_disposed(tmp_path: Path) -> None:
    """Closing a store made on the caller's engine leaves that engine usable."""
    engine = create_engine(f"sqlite:///{tmp_path / 'shared.db'}")
    with SQLStore(engine) as store:
        store.create(minimal())
    with engine.connect() as connection:
        assert (
            connection.execute(text("SELECT count(*) FROM integration_action_logs")).scalar() == 1
        )
    engine.dispose()


# -- values -------------------------------------------------------------------------------------


def test_timestamps_come_back_utc_to_the_millisecond(store: SQLStore) -> None:
    """createdAt is stored in UTC to the millisecond and read back timezone-aware in UTC."""
    record = store.create(minimal(), created_at=STAMP)
    later = store.create(minimal(), created_at=STAMP_UTC + timedelta(milliseconds=1))
    fetched = store.get(record.id)
    assert fetched.created_at == STAMP_UTC
    assert fetched.created_at.tzinfo is timezone.utc
    assert fetched.updated_at.tzinfo is timezone.utc
    assert [r.id for r in store.list({"createdAt": {"$gt": STAMP_UTC}}).data] == [later.id]
    assert store.count({"createdAt": "2023-01-15T08:00:00.123Z"}) == 1
    assert [r.id for r in store.list(sort="createdAt", order="asc").data] == [record.id, later.id]


def test_sqlite_keeps_epoch_milliseconds(sqlite_store: SQLStore, sqlite_url: str) -> None:
    """On SQLite createdAt is an integer count of milliseconds since 1970, exact to compare."""
    record = sqlite_store.create(minimal(), created_at=STAMP)
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as raw:
        stored = raw.execute(
            "SELECT created_at FROM integration_action_logs WHERE id = ?", (record.id,)
        ).fetchone()
    assert stored == (int(STAMP_UTC.timestamp()) * 1000 + 123,)


def test_floats_stay_floats(store: SQLStore) -> None:
    """Floats written with an exponent, and integral floats, come back as floats, exactly."""
    payload = {"big": 1e16, "huge": 1.5e300, "tiny": 5e-324, "whole": 10.0, "int": 2**53}
    record = store.create(minimal(payload=payload, executionTime=1e20))
    fetched = store.get(record.id)
    assert canonical(fetched) == canonical(record)
    assert fetched.payload is not None
    assert all(type(fetched.payload[k]) is type(v) for k, v in payload.items())
    assert store.count({"payload.big": {"$gt": 2**53}}) == 1
    assert store.count({"payload.huge": 1.5e300}) == 1


# -- transactions and errors --------------------------------------------------------------------


def test_sqlite_caller_rollback_keeps_the_logs(tmp_path: Path) -> None:
    """Logs written while the caller's SQLite transaction is open survive its rollback."""
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    store = SQLStore(engine)
    with engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(text("SELECT count(*) FROM integration_action_logs")).scalar()
        store.create(minimal(status="failed"))
        transaction.rollback()
    assert store.count({"status": "failed"}) == 1
    store.close()
    engine.dispose()


@pytest.mark.postgresql
def test_postgresql_caller_rollback_keeps_the_logs(
    postgres_engine: Engine, postgres_store: SQLStore, postgres_table: str
) -> None:
    """A business transaction that wrote, logged and rolled back loses its rows, not the logs."""
    business = f"{postgres_table}_orders"
    with postgres_engine.begin() as connection:
        connection.execute(text(f'CREATE TABLE "{business}" (id integer)'))
    try:
        with postgres_engine.connect() as connection:
            transaction = connection.begin()
            connection.execute(text(f'INSERT INTO "{business}" VALUES (1)'))
            postgres_store.create(minimal(status="failed"))
            transaction.rollback()
        with postgres_engine.connect() as connection:
            assert connection.execute(text(f'SELECT count(*) FROM "{business}"')).scalar() == 0
        assert postgres_store.count({"status": "failed"}) == 1
    finally:
        with postgres_engine.begin() as connection:
            connection.execute(text(f'DROP TABLE "{business}"'))


def test_driver_errors_are_store_errors(sqlite_store: SQLStore, sqlite_url: str) -> None:
    """A table dropped behind the store's back makes calls raise StoreError with the cause."""
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as raw:
        raw.execute("DROP TABLE integration_action_logs")
    for call in (sqlite_store.list, lambda: sqlite_store.create(minimal())):
        with pytest.raises(StoreError, match="no such table") as caught:
            call()
        assert isinstance(caught.value.__cause__, (DBAPIError, sqlite3.Error))


def test_memory_store_serves_many_threads() -> None:
    """sqlite:// takes writes and reads from many threads at once, none lost or failed."""
    store = SQLStore("sqlite://")
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for i in range(100):
                store.create(minimal(entityId=str(i)))
                store.list({"entityId": str(i)}, limit=5)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert store.count() == 800
    store.close()


def test_a_file_that_is_no_database_is_a_store_error(tmp_path: Path) -> None:
    """Opening a file that is not a SQLite database raises StoreError, with the driver's error."""
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are notes, not a database" * 100)
    with pytest.raises(StoreError) as caught:
        SQLStore(f"sqlite:///{path}")
    # One line: the file and the driver's reason, no SQL text or link.
    assert str(caught.value) == f"cannot open the SQLite database {path}: file is not a database"
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


@pytest.mark.postgresql
def test_writes_are_atomic_on_an_autocommit_engine(
    postgres_engine: Engine, postgres_table: str
) -> None:
    """On a caller's engine set to autocommit, a batch still stores all its records or none."""
    engine = postgres_engine.execution_options(isolation_level="AUTOCOMMIT")
    with SQLStore(engine, table_name=postgres_table) as store:
        stored = store.create(minimal())
        other = SQLStore("sqlite://").create(minimal())
        with pytest.raises(Conflict):
            store.import_records([other, stored])
        assert [r.id for r in store.list().data] == [stored.id]


# -- writing many rows per statement ------------------------------------------------------------


def _records(count: int) -> list[Any]:
    return SQLStore("sqlite://").create_many([minimal(entityId=f"p-{n}") for n in range(count)])


def test_large_batches_are_all_or_nothing(store: SQLStore) -> None:
    """A batch spanning several insert statements is stored whole, or not at all."""
    first = _records(1)
    store.import_records(first)
    batch = _records(1234)
    with pytest.raises(Conflict):
        store.import_records([*batch, first[0]])  # the repeated id is in the last statement
    assert store.count() == 1
    assert store.import_records(batch) == len(batch)
    assert store.count() == 1 + len(batch)
    assert canonical(store.get(batch[-1].id)) == canonical(batch[-1])


def test_batches_of_every_size_keep_their_order(sqlite_store: SQLStore) -> None:
    """Batches of many sizes (one statement shape each) store every record as given."""
    sizes = [1, 2, 3, 499, 500, 501, 7, 1000]
    for size in sizes:
        batch = _records(size)
        sqlite_store.import_records(batch)
        stored = sqlite_store.list(
            {"_id": {"$in": [r.id for r in batch[:100]]}}, sort="_id", order="asc", limit=100
        ).data
        assert [canonical(r) for r in stored] == [canonical(r) for r in batch[:100]]
    assert sqlite_store.count() == sum(sizes)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="sqlite3 setlimit is new in Python 3.11")
def test_sqlite_parameter_limit_of_the_connection_is_kept(tmp_path: Path) -> None:
    """An engine whose connections allow few parameters gets statements within the limit."""
    engine = create_engine(f"sqlite:///{tmp_path / 'small.db'}")

    @event.listens_for(engine, "connect")
    def limit(connection: Any, _record: Any) -> None:
        connection.setlimit(9, 100)  # SQLITE_LIMIT_VARIABLE_NUMBER

    with SQLStore(engine) as store:
        batch = _records(40)
        assert store.import_records(batch) == 40
        assert store.count() == 40
    engine.dispose()


def test_single_statement_writes_wait_for_other_writers(tmp_path: Path) -> None:
    """A batch written as one statement waits for a writer holding the lock, then lands."""
    path = tmp_path / "locked.db"
    store = SQLStore(f"sqlite:///{path}")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    released = threading.Timer(0.3, holder.rollback)
    released.start()
    try:
        assert store.import_records(_records(20)) == 20
    finally:
        released.join()
        holder.close()
    assert store.count() == 20
    store.close()


# -- query corner cases that once went wrong --------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "operand", "matching"),
    [
        ("$gt", False, [True]),
        ("$gte", True, [True]),
        ("$lt", True, [False]),
        ("$lte", False, [False]),
        ("$gte", False, [False, True]),
        ("$lt", False, []),
    ],
)
def test_booleans_compare_by_truth_value(
    store: SQLStore, operator: str, operand: bool, matching: list[bool]
) -> None:
    """A range operator with a boolean operand matches by truth value, not by the class alone."""
    for value in (False, True, 0, 1):
        store.create(minimal(payload={"a": value}))
    found = store.list({"payload.a": {operator: operand}}, limit=100).data
    assert sorted(record.payload["a"] for record in found if record.payload) == matching


def test_sqlite_json_equality_works_on_a_callers_engine(tmp_path: Path) -> None:
    """Whole-value equality of arrays and objects works on an engine the caller created."""
    engine = create_engine(f"sqlite:///{tmp_path / 'given.db'}")
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))  # a pooled connection made before the store
    with SQLStore(engine) as store:
        store.create(minimal(payload={"a": {"y": [1.0, True], "x": 1}}))
        assert store.count({"payload.a": {"x": 1.0, "y": [1, True]}}) == 1
        assert store.count({"payload.a": {"x": 1, "y": [1, 1]}}) == 0
    engine.dispose()


def test_a_malformed_url_error_never_shows_its_password() -> None:
    """The ConfigurationError for an unusable URL hides the password (messages reach logs)."""
    url = "postgresql+psycopg://app:pw-s3cr3t@db.internal:notaport/logs"
    with pytest.raises(ConfigurationError, match="not a database URL") as caught:
        open_store(url)
    assert "pw-s3cr3t" not in str(caught.value)
    assert "app:***@db.internal" in str(caught.value)
