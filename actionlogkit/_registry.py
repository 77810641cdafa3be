"""Opening a store by URL: built-in schemes, then the ``actionlogkit.backends`` entry points.

Nothing is imported until a URL asks for it, so ``import actionlogkit`` loads no database driver.
"""

from __future__ import annotations

import threading
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from actionlogkit.errors import ActionLogKitError, ConfigurationError, StoreError
from actionlogkit.store import Store

__all__ = ["ENTRY_POINT_GROUP", "available_schemes", "open_store", "resolve_store", "store_class"]

ENTRY_POINT_GROUP = "actionlogkit.backends"

_BUILTIN: dict[str, str] = {"memory": "actionlogkit.memory:MemoryStore"}
# Which extra brings the backend of a scheme, for the install hint.
_EXTRAS: dict[str, str] = {"sqlite": "sql", "postgresql": "sql", "mongodb": "mongo"}
_loaded: dict[str, type[Store]] = {}
_lock = threading.Lock()


def _base_scheme(url: str) -> str:
    if not isinstance(url, str):
        raise ConfigurationError(f"a store URL must be text, got {type(url).__name__}")
    scheme, separator, _ = url.partition("://")
    if not separator or not scheme:
        raise ConfigurationError(
            f"not a store URL: {url!r}; expected scheme://…, e.g. memory:// or sqlite:///logs.db"
        )
    # "postgresql+psycopg" and "mongodb+srv" are served by the backend of their base scheme.
    return scheme.lower().partition("+")[0]


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_schemes() -> list[str]:
    """The URL schemes that can be opened here: built in, or of installed backends."""
    return sorted({*_BUILTIN, *_entry_points()})


def _load(target: EntryPoint | str, scheme: str) -> type[Store]:
    try:
        if isinstance(target, str):
            module_name, _, attribute = target.partition(":")
            module = __import__(module_name, fromlist=[attribute])
            loaded = getattr(module, attribute)
        else:
            loaded = target.load()
    except ImportError as exc:
        raise ConfigurationError(
            f"the backend for {scheme}:// URLs failed to import: {exc}"
        ) from exc
    if not (isinstance(loaded, type) and issubclass(loaded, Store)):
        raise ConfigurationError(f"the backend registered for {scheme}:// is not a Store class")
    return loaded


def _store_class(scheme: str) -> type[Store]:
    with _lock:
        if scheme in _loaded:
            return _loaded[scheme]
        target: EntryPoint | str | None = _BUILTIN.get(scheme) or _entry_points().get(scheme)
        if target is None:
            extra = _EXTRAS.get(scheme)
            if extra:
                raise ConfigurationError(
                    f"no backend for {scheme}:// URLs is installed; "
                    f"install it with: pip install 'actionlogkit[{extra}]'"
                )
            raise ConfigurationError(
                f"unknown store URL scheme {scheme!r}; available: {', '.join(available_schemes())}"
            )
        _loaded[scheme] = _load(target, scheme)
        return _loaded[scheme]


def store_class(url: str) -> type[Store]:
    """The store class that opens ``url``, imported now; nothing is opened.

    Raises :class:`ConfigurationError` as :func:`open_store` does for the URL's scheme.
    """
    return _store_class(_base_scheme(url))


def open_store(url: str, *, create: bool = True, **options: Any) -> Store:
    """Open the store a URL names.

    ``memory://`` is built in; ``sqlite:///logs.db``, ``postgresql+psycopg://…`` and
    ``mongodb://…`` come from the backends installed with ``actionlogkit[sql]`` and
    ``actionlogkit[mongo]``. ``options`` go to the backend's constructor. With ``create=False``
    the store is only opened if it exists, and nothing is created (for reading commands).

    Raises:
        MissingStore: ``create=False`` and there is no such store (no file, no table).
        ConfigurationError: the URL is malformed, its backend is not installed (the message says
            what to install), or the backend rejects the URL or an option.
        StoreError: the backend could not reach its storage.

    """
    cls = _store_class(_base_scheme(url))
    if not create:
        options["create"] = False  # only then: a backend of its own may not know the option
    try:
        return cls.from_url(url, **options)
    except ActionLogKitError:
        raise
    except TypeError as exc:
        raise ConfigurationError(
            f"{cls.__name__} cannot be opened with these options: {exc}"
        ) from exc
    except Exception as exc:
        raise StoreError(f"{cls.__name__} could not be opened: {exc}") from exc


def resolve_store(store_or_url: Store | str, **options: Any) -> tuple[Store, bool]:
    """Return a store for a store or a URL, and whether the caller opened it (and must close it)."""
    if isinstance(store_or_url, Store):
        if options:
            raise ConfigurationError("options apply only when a store is opened from a URL")
        return store_or_url, False
    return open_store(store_or_url, **options), True
