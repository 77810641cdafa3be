"""actionlogkit: record and query integration action logs, the same on every storage backend."""

from actionlogkit._registry import available_schemes, open_store
from actionlogkit._version import __version__
from actionlogkit.errors import (
    ActionLogKitError,
    ConfigurationError,
    Conflict,
    FieldError,
    InvalidQuery,
    InvalidRecord,
    NoResult,
    NotFound,
    StoreError,
    StoreTimeout,
)
from actionlogkit.memory import MemoryStore
from actionlogkit.models import ActionLog, ActionLogInput, ActionType, Page, Status
from actionlogkit.query import Query, parse_query
from actionlogkit.recorder import (
    Action,
    ActionOptions,
    ActionSpec,
    Call,
    Recorder,
    RecorderStats,
    RetryPolicy,
    action,
    configure,
    get_recorder,
    recorder_lifespan,
    shutdown,
)
from actionlogkit.store import Store

__all__ = [
    "Action",
    "ActionLog",
    "ActionLogInput",
    "ActionLogKitError",
    "ActionOptions",
    "ActionSpec",
    "ActionType",
    "Call",
    "ConfigurationError",
    "Conflict",
    "FieldError",
    "InvalidQuery",
    "InvalidRecord",
    "MemoryStore",
    "NoResult",
    "NotFound",
    "Page",
    "Query",
    "Recorder",
    "RecorderStats",
    "RetryPolicy",
    "Status",
    "Store",
    "StoreError",
    "StoreTimeout",
    "__version__",
    "action",
    "available_schemes",
    "configure",
    "get_recorder",
    "open_store",
    "parse_query",
    "recorder_lifespan",
    "shutdown",
]
