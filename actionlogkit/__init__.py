"""actionlogkit: record and query integration action logs, the same on every storage backend."""

from actionlogkit._registry import available_schemes, open_store
from actionlogkit.errors import (
    ActionLogKitError,
    ConfigurationError,
    Conflict,
    FieldError,
    InvalidQuery,
    InvalidRecord,
    NotFound,
    StoreError,
)
from actionlogkit.memory import MemoryStore
from actionlogkit.models import ActionLog, ActionLogInput, ActionType, Page, Status
from actionlogkit.query import Query, parse_query
from actionlogkit.store import Store

__all__ = [
    "ActionLog",
    "ActionLogInput",
    "ActionLogKitError",
    "ActionType",
    "ConfigurationError",
    "Conflict",
    "FieldError",
    "InvalidQuery",
    "InvalidRecord",
    "MemoryStore",
    "NotFound",
    "Page",
    "Query",
    "Status",
    "Store",
    "StoreError",
    "__version__",
    "available_schemes",
    "open_store",
    "parse_query",
]

__version__ = "0.1.0"
