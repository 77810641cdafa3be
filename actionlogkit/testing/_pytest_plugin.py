"""The pytest plugin: ``actionlog_store`` and ``actionlog_recorder``, memory by default, any URL.

``--actionlog-store URL`` (or the ``ACTIONLOGKIT_TEST_STORE`` environment variable) runs every test
that uses the fixtures against that store. The fixtures never touch data they did not create: on
``memory://`` each test gets a new store; on any other URL the session (each xdist worker) gets a
store of its own beside whatever the URL's storage holds (a table, a collection: see
:meth:`~actionlogkit.Store.open_isolated`), created at the start, emptied between tests, and
dropped at the end. A URL whose backend cannot make such a store is refused before any test runs.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest

from actionlogkit._registry import open_store, store_class
from actionlogkit.errors import ActionLogKitError
from actionlogkit.recorder import Recorder, using_recorder
from actionlogkit.store import Store

ENV_VAR = "ACTIONLOGKIT_TEST_STORE"
_MEMORY = "memory://"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--actionlog-store``."""
    group = parser.getgroup("actionlogkit")
    group.addoption(
        "--actionlog-store",
        metavar="URL",
        default=None,
        help=(
            f"store URL for the actionlog_store fixture (default: ${ENV_VAR} or memory://); "
            "the tests get a table or collection of their own there, dropped at the end"
        ),
    )


def _url(config: pytest.Config) -> str:
    given = config.getoption("--actionlog-store") or os.environ.get(ENV_VAR) or _MEMORY
    return str(given)


def _is_memory(url: str) -> bool:
    return url.partition("://")[0].lower() == "memory"


def pytest_configure(config: pytest.Config) -> None:
    """Refuse, before any test runs, a store URL the fixtures could not keep apart from data."""
    url = _url(config)
    if _is_memory(url):
        return
    try:
        cls = store_class(url)
    except ActionLogKitError as exc:
        raise pytest.UsageError(f"--actionlog-store {url!r}: {exc}") from None
    if not cls.isolates:
        raise pytest.UsageError(
            f"--actionlog-store {url!r}: {cls.__name__} cannot make a store of its own beside "
            "existing data, and the actionlog_store fixture never empties data it did not "
            "create; point it at a backend that can (memory, SQLite, PostgreSQL, MongoDB)"
        )


def _session_name(config: pytest.Config) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    # Random, so that two sessions on one database (two CI jobs) never share a table.
    return f"alk_test_{worker[:8]}_{secrets.token_hex(4)}"


class _SessionStore:
    """The session's own store on a non-memory URL: made on first use, dropped at the end."""

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.name = name
        self.store: Store | None = None

    def get(self) -> Store:
        store = self.store
        if store is None:
            store = store_class(self.url).open_isolated(self.url, self.name)
        elif store.closed:  # a test closed it: open the same store again
            store = store_class(self.url).open_isolated(self.url, self.name, new=False)
        self.store = store
        return store

    def drop(self) -> None:
        if self.store is not None:
            self.get().drop()
            self.store = None


@pytest.fixture(scope="session")
def _actionlog_session_store(request: pytest.FixtureRequest) -> Iterator[_SessionStore | None]:
    url = _url(request.config)
    if _is_memory(url):
        yield None
        return
    session = _SessionStore(url, _session_name(request.config))
    try:
        yield session
    finally:
        session.drop()


@pytest.fixture
def actionlog_store(_actionlog_session_store: _SessionStore | None) -> Iterator[Store]:
    """An empty store for one test, of its own: see the module's docstring."""
    if _actionlog_session_store is None:
        with open_store(_MEMORY) as store:
            yield store
        return
    store = _actionlog_session_store.get()
    store.delete_many({})  # the session's own store: nothing of anybody else's is in it
    yield store


@pytest.fixture
def actionlog_recorder(actionlog_store: Store) -> Iterator[Recorder]:
    """A sync recorder on ``actionlog_store``, the default recorder for the test.

    Code decorated with ``@actionlogkit.action`` records into the test's store; the previous
    default recorder comes back afterwards, not closed. Store failures raise, as tests want.
    """
    with (
        Recorder(actionlog_store, mode="sync", on_store_error="raise") as recorder,
        using_recorder(recorder),
    ):
        yield recorder
