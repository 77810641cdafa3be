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
from typing import Any, cast

import psycopg
from sqlalchemy import Connection
from sqlalchemy.engine.interfaces import DBAPIConnection, Dialect
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from actionlogkit.store import Store

__all__ = [
    "DEADLINE_MISSED",
    "DeadlineConnection",
    "DeadlinePool",
    "abandon",
    "begin",
    "commit",
    "connect",
]

_seconds_left = Store._seconds_left
_MIN_CONNECT_TIMEOUT = 2  # libpq rounds anything shorter up to it
_CLOCK_MARGIN_MS = 50
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


def begin(raw: Any, seconds: float) -> None:
    """Open the write transaction, the deadline set on the server's clock: one round trip.

    The server's deadline comes a little before the client's, so that a commit the server makes
    is one the client still waits for: the server's clock starts when this message arrives.
    """
    milliseconds = max(1, math.floor(seconds * 1000))
    server_deadline = max(milliseconds - _CLOCK_MARGIN_MS, milliseconds // 2)
    raw.execute(
        f"BEGIN; SELECT set_config('statement_timeout', '{milliseconds:d}', true), "
        "set_config('actionlogkit.deadline', "
        f"(clock_timestamp() + interval '{server_deadline:d} milliseconds')::text, true)"
    )


def commit(raw: Any) -> None:
    """Commit, unless the server reaches the commit after the deadline: one round trip."""
    raw.execute(
        "SELECT CAST(CASE WHEN clock_timestamp() > "
        "current_setting('actionlogkit.deadline')::timestamptz "
        f"THEN '{DEADLINE_MISSED}' ELSE '1' END AS integer); COMMIT"
    )


def abandon(raw: Any, connection: Connection) -> None:
    """Roll back after a failure, within the deadline; a connection that cannot is discarded."""
    if not raw.closed:
        # Failing, the connection is closed now (or was broken already): discarded below.
        with contextlib.suppress(psycopg.Error):
            raw.execute("ROLLBACK")
    if raw.closed:
        connection.invalidate()
