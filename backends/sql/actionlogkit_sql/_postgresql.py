"""PostgreSQL under a deadline: every wait bounded, and no write committed once its caller gave up.

A caller that bounds its wait (the recorder's ``write_timeout``) sets a deadline around the
primitive it calls; here it bounds each wait of the PostgreSQL connection:

- **The client's own waits.** A frozen server (a stopped process, a paused virtual machine) gives
  no error: its kernel still accepts and acknowledges TCP, so neither TCP keepalives nor
  ``tcp_user_timeout`` notice anything, and ``statement_timeout`` is enforced by the very server
  that is frozen. What bounds the wait is the client: :class:`DeadlineConnection` gives psycopg's
  ``wait`` (through which every statement, commit and rollback waits for the socket) the seconds
  left, and on expiry closes the connection. Connecting is bounded by ``connect_timeout`` (libpq's
  minimum is 2 s), and taking a connection from the pool by :class:`DeadlinePool`.
- **The server's.** Each write transaction starts with ``statement_timeout`` set to the seconds
  left (``SET LOCAL``, through ``set_config(…, true)``), so a server that is merely slow (a lock,
  a full disk) gives up by itself.
- **A late commit.** A transaction the client abandoned is rolled back by the server when it sees
  the connection closed, unless its ``COMMIT`` was already sent. So the commit goes in one message
  with a check of the deadline, on the server's own clock (set when the transaction began, so the
  clocks of the two machines never meet): a server that resumes after the deadline refuses the
  commit. Only a freeze in the instant between that check and the commit (microseconds) can still
  let a record through that its caller counted as failed.
"""

from __future__ import annotations

import contextlib
import math
import time
from typing import Any, NamedTuple, cast

import psycopg
from sqlalchemy import Connection
from sqlalchemy.engine.interfaces import DBAPIConnection, Dialect
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from actionlogkit.store import Store

__all__ = [
    "DEADLINE_MISSED",
    "DeadlineConnection",
    "Anchor",
    "DeadlinePool",
    "LateCommit",
    "abandon",
    "begin",
    "commit_statement",
    "connect",
    "refused_late",
]

_seconds_left = Store._seconds_left
_MIN_CONNECT_TIMEOUT = 2  # libpq rounds anything shorter up to it
_CLOCK_MARGIN = 0.05
_CONNECTION_CHECK_MS = 10
_CONNECTION_CHECK_SINCE = 140000  # client_connection_check_interval: PostgreSQL 14
DEADLINE_MISSED = "actionlogkit: the write missed its deadline"
"""What the server says when it refuses to commit a write whose deadline has passed."""


class DeadlineConnection(psycopg.Connection[Any]):
    """A psycopg connection whose every wait for the server ends at the caller's deadline.

    When the deadline passes, the connection is closed (what the server does with the rest of
    the conversation is unknown) and :class:`psycopg.OperationalError` raised.
    """

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        """Consume ``gen`` as psycopg does, giving up at the deadline of the running primitive."""
        left = _seconds_left()
        if left is None:
            return super().wait(gen, interval, timeout)
        bound = max(left, 0.0)
        try:
            return super().wait(gen, interval, bound if timeout is None else min(timeout, bound))
        except psycopg.OperationalError as exc:
            if self.closed or (_seconds_left() or 0.0) > 0:
                raise
            self.close()
            raise psycopg.OperationalError(
                "the server did not answer before the deadline; the connection was closed"
            ) from exc


def connect(
    dialect: Dialect, record: ConnectionPoolEntry, cargs: tuple[Any, ...], cparams: dict[str, Any]
) -> DBAPIConnection:
    """The engine's ``do_connect`` hook: a :class:`DeadlineConnection`, connecting in time."""
    left = _seconds_left()
    if left is not None:
        given = float(cparams.get("connect_timeout") or math.inf)
        cparams["connect_timeout"] = max(_MIN_CONNECT_TIMEOUT, math.ceil(min(given, left)))
    connection: Any = DeadlineConnection.connect(*cargs, **cparams)
    return cast("DBAPIConnection", connection)


class DeadlinePool(QueuePool):
    """A queue pool whose wait for a free connection ends at the caller's deadline too."""

    @property
    def _timeout(self) -> float:
        left = _seconds_left()
        configured = self._configured_timeout
        return configured if left is None else max(min(configured, left), 0.0)

    @_timeout.setter
    def _timeout(self, value: float) -> None:
        self._configured_timeout = value


class Anchor(NamedTuple):
    """The server's clock when the transaction began, and the client's when it learnt it."""

    server_time: str
    received: float


def begin(raw: Any, seconds: float) -> Anchor:
    """Open the write transaction with ``statement_timeout`` set: one round trip.

    Returns the server's clock as it began, to state the deadline in it at the commit (see
    :func:`commit`).
    """
    milliseconds = max(1, math.floor(seconds * 1000))
    check = (
        f", set_config('client_connection_check_interval', '{_CONNECTION_CHECK_MS}', true)"
        if raw.info.server_version >= _CONNECTION_CHECK_SINCE
        else ""
    )
    cursor = raw.execute(
        f"BEGIN; SELECT set_config('statement_timeout', '{milliseconds:d}', true){check}, "
        "clock_timestamp()::text"
    )
    received = time.monotonic()
    cursor.nextset()
    row = cursor.fetchone()
    return Anchor(row[-1], received)


def commit_statement(anchor: Anchor, until: float) -> str:
    """The commit, unless the server reaches it after the deadline: one round trip.

    The deadline is put in the server's own clock without comparing the two machines' clocks:
    the server's time at the start plus what the client had left when it learnt that time (less
    a margin). The server may have read its clock before the client learnt it, never after, so
    the deadline it checks comes no later than the client's. Raises :class:`LateCommit` when
    the deadline has passed already.
    """
    left = until - anchor.received - _CLOCK_MARGIN
    if left <= 0:
        raise LateCommit(DEADLINE_MISSED)
    return (
        "SELECT CAST(CASE WHEN clock_timestamp() > "
        f"'{anchor.server_time}'::timestamptz + interval '{math.floor(left * 1e6):d} microseconds' "
        f"THEN '{DEADLINE_MISSED}' ELSE '1' END AS integer); COMMIT"
    )


class LateCommit(psycopg.OperationalError):
    """The deadline passed before the commit was sent: nothing was committed."""


def refused_late(exc: BaseException) -> bool:
    """Whether ``exc`` says the server (or the client) refused a commit past the deadline."""
    return isinstance(exc, LateCommit) or DEADLINE_MISSED in str(exc)


def abandon(raw: Any, connection: Connection) -> None:
    """Roll back after a failure, within the deadline; a connection that cannot is discarded."""
    if not raw.closed:
        # Failing, the connection is closed now (or was broken already): discarded below.
        with contextlib.suppress(psycopg.Error):
            raw.execute("ROLLBACK")
    if raw.closed:
        connection.invalidate()
